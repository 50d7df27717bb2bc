package io.bmpipeline.health;

import io.bmpipeline.dhcp.TapMonitor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The DHCP taps as an operator needs to see them: per interface, leases read, stored and waiting, and the frames the
 * kernel dropped. A tap losing frames (the kernel dropped some within the last {@link #WINDOW}) makes the service
 * unready, naming the interface: those leases are gone, and the capture buffer or the host needs attention.
 */
@Readiness
@ApplicationScoped
public class DhcpTapReadiness implements HealthCheck {

    static final Duration WINDOW = Duration.ofMinutes(1);

    private final TapMonitor monitor;
    private final Clock clock;

    @Inject
    public DhcpTapReadiness(TapMonitor monitor) {
        this(monitor, Clock.systemUTC());
    }

    DhcpTapReadiness(TapMonitor monitor, Clock clock) {
        this.monitor = monitor;
        this.clock = clock;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("dhcp-tap").up();
        StringBuilder losing = new StringBuilder();
        for (TapMonitor.Tap tap : monitor.taps()) {
            response.withData(tap.interfaceName(), tap.read() + " read, " + tap.stored() + " stored, " + tap.queued()
                    + " waiting, " + tap.spoofed() + " spoofed ACKs, " + tap.kernelDrops() + " kernel drops"
                    + tap.lastDrop().map(at -> " (last at " + at + ")").orElse(""));
            if (tap.droppedWithin(WINDOW, clock.instant())) {
                losing.append(losing.isEmpty() ? "" : "; ").append(tap.interfaceName());
            }
        }
        if (!losing.isEmpty()) {
            return response.down().withData("reason", "losing frames: the kernel dropped DHCP frames on " + losing
                    + " within the last " + WINDOW.toSeconds() + " s (capture buffer full; raise bm.dhcp.buffer-size)")
                    .build();
        }
        return response.build();
    }
}
