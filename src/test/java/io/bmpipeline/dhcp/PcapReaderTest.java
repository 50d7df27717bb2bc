package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapReaderTest {

    private static final Instant START = Instant.parse("2026-11-24T10:00:00.123456789Z");

    @TempDir
    Path dir;

    private final List<byte[]> frames = List.of(
            DhcpFrameBuilder.request().xid(1).option(12, "ilo-1").bytes(),
            DhcpFrameBuilder.ack().xid(1).bytes(),
            DhcpFrameBuilder.ack().xid(2).vlan(12).bytes());

    private static List<CapturedFrame> readAll(Path path) throws IOException {
        List<CapturedFrame> out = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(path)) {
            while (true) {
                try {
                    reader.next(Duration.ZERO).ifPresent(out::add);
                } catch (EOFException end) {
                    return out;
                }
            }
        }
    }

    private void assertSameFrames(List<CapturedFrame> read) {
        assertEquals(frames.size(), read.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), read.get(i).data());
        }
    }

    @Test
    void classicPcapInBothByteOrdersAndResolutions() throws IOException {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            for (boolean nanos : List.of(false, true)) {
                Path file = dir.resolve("c-" + order + nanos + ".pcap");
                PcapWriter.classic(file, frames, START, order, nanos);
                List<CapturedFrame> read = readAll(file);
                assertSameFrames(read);
                assertEquals(nanos ? START : START.minusNanos(789), read.getFirst().capturedAt());
            }
        }
    }

    @Test
    void pcapngInBothByteOrdersWithInterfaceNameAndNanoseconds() throws IOException {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            Path file = dir.resolve("n-" + order + ".pcapng");
            PcapWriter.pcapng(file, frames, START, order, "ens3");
            List<CapturedFrame> read = readAll(file);
            assertSameFrames(read);
            assertEquals("ens3", read.getFirst().interfaceName());
            assertEquals(START, read.getFirst().capturedAt());
        }
    }

    @Test
    void aFolderIsReadInNameOrder() throws IOException {
        PcapWriter.classic(dir.resolve("b.pcap"), frames.subList(1, 3), START, ByteOrder.LITTLE_ENDIAN, false);
        PcapWriter.pcapng(dir.resolve("a.pcapng"), frames.subList(0, 1), START, ByteOrder.LITTLE_ENDIAN, "eth1");
        Files.writeString(dir.resolve("notes.txt"), "not a capture");
        assertSameFrames(readAll(dir));
    }

    @Test
    void aTruncatedFileGivesItsFramesThenAnErrorNamingTheOffset() throws IOException {
        Path file = dir.resolve("cut.pcap");
        PcapWriter.classic(file, frames, START, ByteOrder.LITTLE_ENDIAN, false);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 10));
        List<CapturedFrame> before = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(file)) {
            IOException error = assertThrows(IOException.class, () -> {
                while (true) {
                    reader.next(Duration.ZERO).ifPresent(before::add);
                }
            });
            assertTrue(error.getMessage().contains("cut.pcap") && error.getMessage().contains("at byte")
                    && error.getMessage().contains("after 2 frame(s)"), error.getMessage());
        }
        assertEquals(2, before.size());
    }

    @Test
    void notACaptureFileIsRefusedNamingTheMagic() throws IOException {
        Path file = dir.resolve("x.pcap");
        Files.writeString(file, "hello world, not a pcap");
        IOException error = assertThrows(IOException.class, () -> readAll(file));
        assertTrue(error.getMessage().contains("magic"), error.getMessage());
    }
}
