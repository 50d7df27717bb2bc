package io.bmpipeline.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A rough measurement of the embedded bus on this machine's disk, not a test: publishes N lease-sized events for
 * 500 devices into a fresh store, then consumes them (poll, no-op handler, ack). Run:
 * <pre>
 * ./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * "$JAVA_HOME"/bin/java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" \
 *     io.bmpipeline.events.BusThroughputProbe 2000
 * </pre>
 */
public final class BusThroughputProbe {

    private BusThroughputProbe() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("bus-probe");
        try (H2EventBus bus = H2EventBus.open(dir.resolve("bus"))) {
            Subscription subscription = bus.subscribe(Topics.DHCP_EVENTS, "discovery",
                    new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofSeconds(1), Duration.ofSeconds(5)));
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                bus.publish(Topics.DHCP_EVENTS, EventEnvelope.of("lease-" + i, "/bm-pipeline/probe",
                        EventTypes.DHCP_LEASE_OBSERVED, "SN" + (i % 500), Instant.now(),
                        JsonNodeFactory.instance.objectNode().put("mac", "A0:36:9F:7C:05:00")
                                .put("ip", "10.20." + (i / 250) + "." + (i % 250)).put("hostname", "bmc-" + i)));
            }
            long t1 = System.nanoTime();
            int handled = 0;
            while (subscription.handleNext(d -> { }, Instant.now()).isPresent()) {
                handled++;
            }
            long t2 = System.nanoTime();
            System.out.printf("publish %d: %.0f ms (%.0f/s); consume %d: %.0f ms (%.0f/s)%n", n, (t1 - t0) / 1e6,
                    n / ((t1 - t0) / 1e9), handled, (t2 - t1) / 1e6, handled / ((t2 - t1) / 1e9));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
