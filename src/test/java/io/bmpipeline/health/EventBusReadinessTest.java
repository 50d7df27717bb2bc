package io.bmpipeline.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.H2EventBus;
import io.bmpipeline.events.RetryPolicy;
import io.bmpipeline.events.Subscription;
import io.bmpipeline.events.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness shows the backlog of every consumer group on a real (embedded, on-disk) bus, and DOWN only for the store. */
class EventBusReadinessTest {

    private static final Instant PUBLISHED = Instant.parse("2026-12-01T10:00:00Z");
    private static final RetryPolicy FOREVER = new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofSeconds(1),
            Duration.ofSeconds(8));

    @TempDir
    Path dir;

    @Test
    void aBacklogIsReportedPerGroupAndLeavesTheServiceReady() {
        H2EventBus bus = H2EventBus.open(dir.resolve("bus"), Clock.fixed(PUBLISHED, ZoneOffset.UTC));
        Subscription discovery = bus.subscribe(Topics.DHCP_EVENTS, "discovery", FOREVER);
        bus.subscribe(Topics.DEVICE_STATE, "audit", FOREVER);
        for (int i = 0; i < 3; i++) {
            bus.publish(Topics.DHCP_EVENTS, EventEnvelope.of("e" + i, "/test", EventTypes.DHCP_LEASE_OBSERVED, "K" + i,
                    PUBLISHED, JsonNodeFactory.instance.objectNode()));
        }
        discovery.retryLater(discovery.poll(PUBLISHED).orElseThrow(), "NetBox unavailable: connection refused", PUBLISHED);

        var readiness = new EventBusReadiness(bus, Clock.fixed(PUBLISHED.plusSeconds(90), ZoneOffset.UTC), 0);
        HealthCheckResponse response = readiness.call();
        Map<String, Object> data = response.getData().orElseThrow();
        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals(3L, data.get("backlog"));
        assertEquals(0L, data.get("deadLettered"));
        assertEquals("3 pending (oldest 90 s, 1 retrying), 0 dead; last failure: NetBox unavailable: connection refused",
                data.get(Topics.DHCP_EVENTS + "/discovery"));
        assertEquals("0 pending, 0 dead", data.get(Topics.DEVICE_STATE + "/audit"));

        bus.close();
        HealthCheckResponse closed = readiness.call();
        assertEquals(HealthCheckResponse.Status.DOWN, closed.getStatus());
        assertTrue(String.valueOf(closed.getData().orElseThrow().get("reason")).startsWith("event bus store unusable"),
                closed.getData().toString());
    }

    @Test
    void aDiskAboutToFillMakesTheServiceUnreadyNamingTheStore() {
        H2EventBus bus = H2EventBus.open(dir.resolve("bus"), Clock.fixed(PUBLISHED, ZoneOffset.UTC));
        try {
            long free = bus.storage().freeBytes();
            assertTrue(free > 0, "free space of the test's disk: " + free);

            HealthCheckResponse roomy = new EventBusReadiness(bus, Clock.systemUTC(), free / 2).call();
            assertEquals(HealthCheckResponse.Status.UP, roomy.getStatus(), roomy.getData().toString());

            HealthCheckResponse full = new EventBusReadiness(bus, Clock.systemUTC(), Long.MAX_VALUE).call();
            assertEquals(HealthCheckResponse.Status.DOWN, full.getStatus());
            String reason = String.valueOf(full.getData().orElseThrow().get("reason"));
            assertTrue(reason.startsWith("disk nearly full: ") && reason.contains(dir.resolve("bus.mv.db").toString())
                    && reason.contains("bm.bus.min-free-disk"), reason);
        } finally {
            bus.close();
        }
    }
}
