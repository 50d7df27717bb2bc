package io.bmpipeline.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The pipeline's domain meters, one naming scheme ({@code bm.<part>.<what>}, exported as {@code bm_<part>_<what>_…}
 * on {@code /q/metrics}) shared with the tap's. Recorded into Micrometer's global registry, which the service's
 * Prometheus registry joins; in a process without one (an operator command) they cost a map lookup and go nowhere.
 */
public final class Meters {

    private Meters() {}

    private static MeterRegistry registry() {
        return Metrics.globalRegistry;
    }

    /** A NetBox request (retries included), by call ("GET /api/dcim/devices/") and outcome. */
    public static void netboxRequest(String call, String outcome, Duration took) {
        Timer.builder("bm.netbox.requests").description("NetBox requests, retries included")
                .tag("call", call).tag("outcome", outcome).register(registry()).record(took);
    }

    /** A lease decision of discovery: the router's branch and the lifecycle rule (empty when no device was found). */
    public static void discoveryDecision(String branch, String rule) {
        Counter.builder("bm.discovery.decisions").description("lease decisions by branch and lifecycle rule")
                .tag("branch", branch).tag("rule", rule).register(registry()).increment();
    }

    /** From the lease on the wire to its last NetBox write, for a lease that changed NetBox. */
    public static void discoveryLatency(Duration wireToNetBox) {
        Timer.builder("bm.discovery.latency").description("lease ACK on the wire to its last NetBox write")
                .publishPercentileHistogram().register(registry()).record(wireToNetBox);
    }

    /** Manifest rows loaded by the inbox, by outcome. */
    public static void manifestRows(String outcome, long rows) {
        Counter.builder("bm.manifest.rows").description("manifest rows by outcome")
                .tag("outcome", outcome).register(registry()).increment(rows);
    }
}
