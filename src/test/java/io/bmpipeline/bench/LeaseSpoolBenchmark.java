package io.bmpipeline.bench;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.dhcp.DhcpLeaseEvent;
import io.bmpipeline.dhcp.LeaseSpool;
import io.bmpipeline.events.EventEnvelope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a spooled lease costs the tap, one thread: building its envelope, encoding it for the spool and for the bus
 * write, and the spooler's whole work on a group of {@link #GROUP} (envelopes built, appended, one fdatasync, on the
 * disk under {@code bench.dir}, default /var/tmp). Average time per lease; {@code -prof gc} adds the bytes allocated
 * per lease, steadier than the time on a shared machine. Run: bench/spool-bench.sh
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LeaseSpoolBenchmark {

    static final int GROUP = 500;

    private List<DhcpLeaseEvent> events;
    private Path dir;
    private LeaseSpool spool;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        events = IntStream.range(0, GROUP).mapToObj(i -> new DhcpLeaseEvent(
                MacAddress.parse(String.format("d0:94:66:00:%02x:%02x", i >> 8, i & 0xff)).orElseThrow(),
                "10.0." + (i >> 8) + "." + (i & 0xff), Optional.of("idrac-" + i), Optional.of("iDRAC"),
                Optional.of("10.0.0.1"), "10.0.0.1", Optional.of("10.0.0.254"), Map.of(1, "Gi1/0/" + i), Map.of(1, "4769"),
                100, -1, OptionalLong.of(3600), OptionalInt.of(16), 0x1000 + i, "eth0",
                Instant.parse("2026-12-05T10:00:00Z").plusMillis(i))).toList();
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "/var/tmp")), "spool-bench");
        spool = LeaseSpool.open(dir, "bench0").spool();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        spool.close();
        Files.deleteIfExists(spool.file());
        Files.deleteIfExists(dir);
    }

    /** The tap's event to its envelope (the deterministic id, the data tree). */
    @Benchmark
    @OperationsPerInvocation(GROUP)
    public Object envelope() {
        Object last = null;
        for (DhcpLeaseEvent event : events) {
            last = event.toEnvelope();
        }
        return last;
    }

    /** A lease's envelope built and encoded as the spool and then the bus write ask for it. */
    @Benchmark
    @OperationsPerInvocation(GROUP)
    public int envelopeSpoolAndBusEncoding() {
        int length = 0;
        for (DhcpLeaseEvent event : events) {
            EventEnvelope envelope = event.toEnvelope();
            length += envelope.toJson().length(); // the spool's record
            length += envelope.toJson().length(); // the bus's row
        }
        return length;
    }

    /** What the spooler does per group: envelopes built, appended, synced. */
    @Benchmark
    @OperationsPerInvocation(GROUP)
    public long spoolerGroup() throws IOException {
        spool.append(events.stream().map(DhcpLeaseEvent::toEnvelope).toList());
        spool.stored(GROUP);
        return spool.pending();
    }
}
