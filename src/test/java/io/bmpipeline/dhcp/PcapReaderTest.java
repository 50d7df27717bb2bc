package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
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

    // ---- damaged and unusual files: each a small capture, written here byte by byte -----------------------------

    @Test
    void aLinkTypeCarryingFcsFlagsIsReadByItsLow16Bits() throws IOException {
        Path file = dir.resolve("fcs.pcap");
        PcapWriter.classic(file, frames, START, ByteOrder.LITTLE_ENDIAN, false);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 0x04000001);  // Ethernet, FCS length 4 flagged
        Files.write(file, bytes);
        assertSameFrames(readAll(file));
    }

    @Test
    void anEnhancedPacketBlockShorterThanItsFixedFieldsIsAnErrorNamingItsOffset() throws IOException {
        Path file = dir.resolve("short-epb.pcapng");
        PcapWriter.pcapng(file, frames.subList(0, 1), START, ByteOrder.LITTLE_ENDIAN, "eth0");
        long at = Files.size(file);
        ByteBuffer block = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        block.putInt(6).putInt(24).putInt(0).putInt(0).putInt(0).putInt(24);
        Files.write(file, block.array(), java.nio.file.StandardOpenOption.APPEND);
        IOException error = assertThrows(IOException.class, () -> readAll(file));
        assertTrue(error.getMessage().contains("enhanced packet block of 24 bytes"), error.getMessage());
        assertTrue(error.getMessage().contains("at byte " + at), error.getMessage());
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
    }

    @Test
    void aTimestampBeyondAnyInstantIsAnErrorNotACrash() throws IOException {
        Path file = dir.resolve("huge-time.pcapng");
        ByteBuffer out = ByteBuffer.allocate(28 + 32 + 32 + 64).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        // Interface: Ethernet, if_tsresol 0 = 10^0 units a second (one unit per second).
        out.putInt(1).putInt(32).putShort((short) 1).putShort((short) 0).putInt(65535)
                .putShort((short) 9).putShort((short) 1).put((byte) 0).put(new byte[3]).putInt(0).putInt(32);
        long packetAt = out.position();
        byte[] frame = frames.get(1);
        int padded = (frame.length + 3) & ~3;
        ByteBuffer epb = ByteBuffer.allocate(32 + padded).order(ByteOrder.LITTLE_ENDIAN);
        epb.putInt(6).putInt(32 + padded).putInt(0).putInt(-1).putInt(-1).putInt(frame.length).putInt(frame.length)
                .put(frame).put(new byte[padded - frame.length]).putInt(32 + padded);
        byte[] head = java.util.Arrays.copyOf(out.array(), out.position());
        Files.write(file, head);
        Files.write(file, epb.array(), java.nio.file.StandardOpenOption.APPEND);
        IOException error = assertThrows(IOException.class, () -> readAll(file));
        assertTrue(error.getMessage().contains("timestamp") && error.getMessage().contains("out of range"),
                error.getMessage());
        assertTrue(error.getMessage().contains("at byte " + packetAt), error.getMessage());
    }
}
