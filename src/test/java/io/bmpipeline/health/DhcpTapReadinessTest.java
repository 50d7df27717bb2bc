package io.bmpipeline.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.dhcp.TapMonitor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class DhcpTapReadinessTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void aTapLosingFramesMakesTheServiceUnreadyForAMinuteNamingTheInterface() {
        TapMonitor monitor = new TapMonitor();
        TapMonitor.Tap tap = monitor.tap("eth1", () -> 0, () -> 0, () -> 7);
        TapMonitor.Tap quiet = monitor.tap("eth2", () -> 0, () -> 0, () -> 0);
        HealthCheckResponse fine = new DhcpTapReadiness(monitor, Clock.fixed(T0, ZoneOffset.UTC)).call();
        assertEquals(HealthCheckResponse.Status.UP, fine.getStatus());
        assertEquals("0 read, 0 stored, 7 waiting, 0 spoofed ACKs, 0 kernel drops",
                fine.getData().orElseThrow().get("eth1"));

        io.bmpipeline.dhcp.TapMonitorTesting.kernelDropped(tap, 1234, T0);
        HealthCheckResponse losing = new DhcpTapReadiness(monitor, Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC)).call();
        assertEquals(HealthCheckResponse.Status.DOWN, losing.getStatus());
        String reason = String.valueOf(losing.getData().orElseThrow().get("reason"));
        assertTrue(reason.contains("eth1") && !reason.contains("eth2") && reason.contains("bm.dhcp.buffer-size"), reason);
        assertTrue(String.valueOf(losing.getData().orElseThrow().get("eth1")).contains("1234 kernel drops (last at "));
        assertEquals(0, quiet.kernelDrops());

        HealthCheckResponse later = new DhcpTapReadiness(monitor, Clock.fixed(T0.plusSeconds(61), ZoneOffset.UTC)).call();
        assertEquals(HealthCheckResponse.Status.UP, later.getStatus(), "a minute without drops: ready again");
    }
}
