package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bmpipeline.events.EventEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool in the dhcp: component: what the route could not store stays in the spool across a stop, and the next
 * start hands it to the route before anything new is read, then empties the file.
 */
class TapSpoolRouteTest {

    private static final Path ISC = Path.of("src/test/resources/dhcp/isc-leases.pcap");

    @TempDir
    Path spool;

    @Test
    void leasesTheBusDidNotTakeBeforeAStopGoFirstAtTheNextStart() throws Exception {
        AtomicBoolean busDown = new AtomicBoolean(true);
        Path file = spool.resolve("leases-tap0.spool");
        List<EventEnvelope> firstRun = run(busDown, ISC, () -> spooled(file) == 5);
        assertEquals(List.of(), firstRun, "the bus took nothing in the first run");
        List<EventEnvelope> kept = LeaseSpool.readStopped(file);
        assertEquals(5, kept.size(), "the 5 ISC leases wait in the spool after the stop");

        busDown.set(false);
        Path empty = spool.resolve("empty.pcap");
        PcapWriter.classic(empty, List.of(), java.time.Instant.now(), java.nio.ByteOrder.LITTLE_ENDIAN, false);
        List<EventEnvelope> secondRun = run(busDown, empty, () -> spooled(file) == 0);
        assertEquals(kept.stream().map(EventEnvelope::id).toList(), secondRun.stream().map(EventEnvelope::id).toList(),
                "the spooled leases, in the order read");
        assertEquals(0, Files.size(file), "stored, so the spool is empty");
    }

    @Test
    void aSpoolThatCannotBeWrittenIsBypassedAndNoLeaseIsLost() throws Exception {
        // Every write to /dev/full fails with ENOSPC: a disk that filled up under the spool.
        Files.createSymbolicLink(spool.resolve("leases-tap0.spool"), Path.of("/dev/full"));
        List<EventEnvelope> stored = run(new AtomicBoolean(false), ISC, () -> false, 5);
        assertEquals(5, stored.size(), "the 5 ISC leases went to the bus from memory");
    }

    /** Replays {@code pcap} through the tap with the spool, into a route that fails while {@code busDown}. */
    private List<EventEnvelope> run(AtomicBoolean busDown, Path pcap, BooleanSupplier done) throws Exception {
        return run(busDown, pcap, done, 0);
    }

    /** The same, done once {@code done} holds or {@code leases} leases are stored (when more than 0). */
    private List<EventEnvelope> run(AtomicBoolean busDown, Path pcap, BooleanSupplier done, int leases)
            throws Exception {
        List<EventEnvelope> stored = new CopyOnWriteArrayList<>();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("dhcp", new DhcpComponent());
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("dhcp:tap0?pcap=" + pcap.toAbsolutePath() + "&spool=" + spool.toAbsolutePath())
                            .process(e -> {
                                if (busDown.get()) {
                                    throw new IllegalStateException("the bus is down");
                                }
                                stored.addAll(e.getMessage().getBody(LeaseBatch.class).envelopes());
                            });
                }
            });
            camel.start();
            await(() -> done.getAsBoolean() || (leases > 0 && stored.size() >= leases));
        }
        return stored;
    }

    /** Leases in the running tap's spool; -1 while there is none, or while the tap empties it under the read. */
    private static int spooled(Path file) {
        try {
            return Files.exists(file) ? LeaseSpool.readStopped(file).size() : -1;
        } catch (java.io.IOException e) {
            return -1; // truncated between our size and our read: ask again
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(20);
        }
    }
}
