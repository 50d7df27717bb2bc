package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.events.EventEnvelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseSpoolTest {

    @TempDir
    Path dir;

    @Test
    void leasesAppendedAndNotStoredAreThereAfterACrash() throws IOException {
        List<EventEnvelope> leases = leases(3);
        LeaseSpool crashed = LeaseSpool.open(dir, "eth0").spool();
        crashed.append(leases.subList(0, 2));
        crashed.append(leases.subList(2, 3));
        crashed.stored(1); // only the first reached the bus; then the process died without closing anything

        LeaseSpool.Opened next = LeaseSpool.open(dir, "eth0");
        assertEquals(json(leases), json(next.recovered()), "every appended lease, in order (the stored one too: the bus drops it)");
        assertEquals(3, next.spool().pending());
    }

    @Test
    void anAppendRightAfterOpeningFollowsWhatThePreviousRunLeft() throws IOException {
        List<EventEnvelope> leases = leases(3);
        try (LeaseSpool previous = LeaseSpool.open(dir, "eth0").spool()) {
            previous.append(leases.subList(0, 2));
        }
        try (LeaseSpool next = LeaseSpool.open(dir, "eth0").spool()) {
            next.append(leases.subList(2, 3));
            assertEquals(json(leases), json(LeaseSpool.readStopped(next.file())), "nothing written over");
            next.stored(2);
            assertTrue(Files.size(next.file()) > 0, "the recovered leases count as appended: one still waits");
            next.stored(1);
            assertEquals(0, Files.size(next.file()));
        }
    }

    @Test
    void theFileEmptiesOnceTheBusStoredEverythingAppended() throws IOException {
        try (LeaseSpool spool = LeaseSpool.open(dir, "eth0").spool()) {
            spool.append(leases(2));
            spool.stored(1);
            assertTrue(Files.size(spool.file()) > 0, "one lease still waits for the bus");
            spool.stored(1);
            assertEquals(0, Files.size(spool.file()));
            spool.append(leases(1));
            assertEquals(json(leases(1)), json(LeaseSpool.readStopped(spool.file())), "appends start over at the beginning");
        }
    }

    @Test
    void aRecordCutByACrashEndsTheFileAndIsCutOff() throws IOException {
        Path file;
        try (LeaseSpool spool = LeaseSpool.open(dir, "eth0").spool()) {
            spool.append(leases(2));
            file = spool.file();
        }
        long whole = Files.size(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.allocate(12).putInt(400).putInt(7).putInt(0x7b22).flip()); // header + 4 of 400 bytes
        }
        LeaseSpool.Opened opened = LeaseSpool.open(dir, "eth0");
        try (LeaseSpool spool = opened.spool()) {
            assertEquals(json(leases(2)), json(opened.recovered()));
            assertEquals(whole, Files.size(file), "the torn record is cut off");
            spool.append(leases(3).subList(2, 3));
            assertEquals(json(leases(3)), json(LeaseSpool.readStopped(file)), "the next append follows the last whole record");
        }
    }

    @Test
    void aRecordWhoseChecksumDoesNotMatchEndsTheFile() throws IOException {
        Path file;
        try (LeaseSpool spool = LeaseSpool.open(dir, "eth0").spool()) {
            spool.append(leases(3));
            file = spool.file();
        }
        long second = 8 + leases(1).getFirst().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {'X'}), second + 20); // a byte of the second record's JSON
        }
        LeaseSpool.Opened opened = LeaseSpool.open(dir, "eth0");
        try (LeaseSpool spool = opened.spool()) {
            assertEquals(json(leases(1)), json(opened.recovered()));
        }
    }

    @Test
    void aSpoolWrittenBeforeEnvelopesKeptTheirEncodingIsRead() throws IOException {
        // Records as the tree-writing encoder wrote them: [length][CRC-32C][JSON].
        List<EventEnvelope> leases = leases(2);
        Path file = dir.resolve("leases-eth0.spool");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (EventEnvelope lease : leases) {
                byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(lease.toJsonNode());
                java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                crc.update(json);
                channel.write(ByteBuffer.allocate(8 + json.length).putInt(json.length).putInt((int) crc.getValue())
                        .put(json).flip());
            }
        }
        LeaseSpool.Opened opened = LeaseSpool.open(dir, "eth0");
        try (LeaseSpool spool = opened.spool()) {
            assertEquals(json(leases), json(opened.recovered()));
        }
    }

    @Test
    void anInterfaceNameCannotLeaveTheDirectory() throws IOException {
        try (LeaseSpool spool = LeaseSpool.open(dir, "../eth0").spool()) {
            assertEquals(dir, spool.file().getParent());
        }
    }

    /** Envelopes as written: a parsed envelope's JSON numbers may be of another node type than the built one's. */
    private static List<String> json(List<EventEnvelope> envelopes) {
        return envelopes.stream().map(EventEnvelope::toJson).toList();
    }

    static List<EventEnvelope> leases(int n) {
        return IntStream.range(0, n).mapToObj(i -> new DhcpLeaseEvent(
                MacAddress.parse(String.format("d0:94:66:00:00:%02x", i)).orElseThrow(), "10.0.0." + (10 + i),
                Optional.of("bmc-" + i), Optional.of("iDRAC"), Optional.of("10.0.0.1"), "10.0.0.1", Optional.empty(),
                Map.of(), Map.of(), -1, -1, OptionalLong.of(3600), OptionalInt.of(24), 0x100 + i, "eth0",
                Instant.parse("2026-12-05T10:00:00Z").plusMillis(i)).toEnvelope()).toList();
    }
}
