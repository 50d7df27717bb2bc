package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation fuzzer: a corpus of valid DHCP frames (every shape the parser knows), mutated
 * by bit flips, byte overwrites with boundary values, inserts, deletes, truncation, length-field
 * corruption and splicing. Every mutant must give an outcome and never an exception. Deterministic
 * (fixed seed), so a failure reproduces.
 */
class DhcpParserFuzzTest {

    static final int FRAMES = 1_000_000;
    private static final int[] INTERESTING = {0, 1, 0x7f, 0x80, 0xff, 52, 53, 82, 255, 6, 20};

    /** The committed seeds (src/test/resources/dhcp/corpus), written from {@link #builtCorpus()} by {@link #main}. */
    static List<byte[]> corpus() {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/test/resources/dhcp/corpus"))) {
            List<byte[]> seeds = new ArrayList<>();
            for (java.nio.file.Path file : files.sorted().toList()) {
                seeds.add(java.nio.file.Files.readAllBytes(file));
            }
            if (seeds.isEmpty()) {
                throw new IllegalStateException("empty fuzz corpus");
            }
            return seeds;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("fuzz corpus unreadable", e);
        }
    }

    static List<byte[]> builtCorpus() {
        return List.of(
                DhcpFrameBuilder.ack().option(12, "ilo-u1").option(60, "CPQRIB3").bytes(),
                DhcpFrameBuilder.request().option(12, "idrac-9").option(60, "iDRAC").option(50, 10, 66, 0, 9).bytes(),
                DhcpFrameBuilder.ack().vlan(42).ipOptionsWords(2).padding(18).bytes(),
                DhcpFrameBuilder.ack().relayed(10, 77, 0, 1).option(82, 1, 4, 'e', 't', 'h', '2', 2, 2, 0xAA, 0xBB).bytes(),
                DhcpFrameBuilder.ack().option(52, 3).inFile(12, 3, 'a', 'b', 'c', 255).inSname(60, 1, 'x', 255).bytes(),
                DhcpFrameBuilder.ack().option(12, "part1-").option(12, "part2").noEnd().bytes());
    }

    @Test
    void millionMutatedFramesNeverThrow() {
        List<byte[]> corpus = corpus();
        SplittableRandom random = new SplittableRandom(0xB3B1FE11L);
        LeaseTap tap = new LeaseTap(LeaseTap.Allowlist.anyServer(), Duration.ofSeconds(10), Duration.ofSeconds(60));
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        int messages = 0;
        for (int i = 0; i < FRAMES; i++) {
            byte[] mutant = mutate(corpus, random);
            TapOutcome outcome = tap.accept(new CapturedFrame(mutant, now.plusNanos(i), "fuzz", -1, false));
            assertNotNull(outcome);
            if (!(outcome instanceof TapOutcome.Dropped)) {
                messages++;
            }
        }
        // The mutants must reach deep into the parser, not all die at the Ethernet header.
        assertEquals(true, messages > FRAMES / 20, "only " + messages + " mutants parsed as messages");
    }

    static byte[] mutate(List<byte[]> corpus, SplittableRandom random) {
        byte[] frame = corpus.get(random.nextInt(corpus.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            if (frame.length == 0) {
                return frame;
            }
            int at = random.nextInt(frame.length);
            switch (random.nextInt(8)) {
                case 0 -> frame[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> frame[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                case 2 -> frame = Arrays.copyOf(frame, at);
                case 3 -> {
                    byte[] bigger = new byte[frame.length + 1 + random.nextInt(8)];
                    System.arraycopy(frame, 0, bigger, 0, at);
                    System.arraycopy(frame, at, bigger, bigger.length - (frame.length - at), frame.length - at);
                    frame = bigger;
                }
                case 4 -> {
                    int n = Math.min(frame.length - at, 1 + random.nextInt(8));
                    byte[] smaller = new byte[frame.length - n];
                    System.arraycopy(frame, 0, smaller, 0, at);
                    System.arraycopy(frame, at + n, smaller, at, frame.length - at - n);
                    frame = smaller;
                }
                case 5 -> {
                    // Corrupt a length field: IP total length, UDP length, or an option length deep inside.
                    int[] fields = {16, 17, 38, 39, 14 + 20 + 8 + 241};
                    int f = fields[random.nextInt(fields.length)];
                    if (f < frame.length) {
                        frame[f] = (byte) random.nextInt(256);
                    }
                }
                case 6 -> {
                    byte[] other = corpus.get(random.nextInt(corpus.size()));
                    int from = random.nextInt(other.length);
                    int n = Math.min(Math.min(other.length - from, frame.length - at), 1 + random.nextInt(32));
                    System.arraycopy(other, from, frame, at, n);
                }
                default -> {
                    // Append an option with a random code and a length that may lie.
                    byte[] longer = Arrays.copyOf(frame, frame.length + 3);
                    longer[frame.length] = (byte) random.nextInt(256);
                    longer[frame.length + 1] = (byte) random.nextInt(256);
                    longer[frame.length + 2] = (byte) random.nextInt(256);
                    frame = longer;
                }
            }
        }
        return frame;
    }

    /** The corpus, for inspection or an external fuzzer: {@code java … DhcpParserFuzzTest DIR}. */
    public static void main(String[] args) throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(args.length > 0 ? args[0] : "src/test/resources/dhcp/corpus");
        java.nio.file.Files.createDirectories(dir);
        List<byte[]> corpus = builtCorpus();
        for (int i = 0; i < corpus.size(); i++) {
            java.nio.file.Files.write(dir.resolve("seed-" + i + ".bin"), corpus.get(i));
        }
    }
}
