package io.bmpipeline.health;

import io.bmpipeline.cli.CommandMode;
import io.bmpipeline.config.PipelineConfig;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Devices per lifecycle status, counted in NetBox (the source of truth) every {@code bm.device-counts.every} by the
 * running service: {@code bm.devices{status=…}} on the metrics page, and {@code bm.devices.counted} the time (Unix
 * seconds) of the last count that worked. While NetBox cannot be read the counts keep their last values and that
 * time stops moving. An outage is the NetBox breaker's to report; any other failure (a refused token) is said
 * once, and once more when counting works again. Before the first count the
 * gauges are NaN, not a zero that would read as an empty fleet.
 */
@ApplicationScoped
public class DeviceStatusCounts {

    private static final Logger LOG = Logger.getLogger(DeviceStatusCounts.class);

    /**
     * Static: Micrometer's global registry keeps the first gauge of a name and what it reads, so a service started
     * again in the same JVM (tests) must update the same holders.
     */
    private static final Map<String, Double> counts = new ConcurrentHashMap<>();
    private static volatile double countedAt = Double.NaN;
    private volatile boolean failing;
    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent start, CommandMode mode, PipelineConfig config,
               jakarta.enterprise.inject.Instance<NetBoxClient> client) {
        if (!mode.serving()) {
            return;
        }
        for (String status : NetBoxReadiness.LIFECYCLE_STATUSES) {
            counts.putIfAbsent(status, Double.NaN);
            Gauge.builder("bm.devices", counts, c -> c.getOrDefault(status, Double.NaN))
                    .description("devices in NetBox per lifecycle status").tag("status", status)
                    .register(Metrics.globalRegistry);
        }
        Gauge.builder("bm.devices.counted", counts, c -> countedAt)
                .description("when bm.devices was last counted in NetBox (Unix seconds)").baseUnit("seconds")
                .register(Metrics.globalRegistry);
        NetBoxClient netbox = client.get().withRetries(0);
        Duration every = config.deviceCounts().every();
        timer = Executors.newSingleThreadScheduledExecutor(task -> Thread.ofPlatform().daemon()
                .name("device-counts").unstarted(task));
        timer.scheduleWithFixedDelay(() -> count(netbox), 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stop) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void count(NetBoxClient netbox) {
        try {
            Map<String, Double> now = new java.util.HashMap<>();
            for (String status : NetBoxReadiness.LIFECYCLE_STATUSES) {
                now.put(status, (double) netbox.devices().countWithStatus(status));
            }
            counts.putAll(now);
            countedAt = System.currentTimeMillis() / 1000.0;
            if (failing) {
                failing = false;
                LOG.info("devices per status counted in NetBox again");
            }
        } catch (NetBoxException.Unavailable e) {
            // NetBox down: the breaker already says so, once; the counts say it by their age.
            LOG.debugf("devices per status not counted: %s", e.getMessage());
        } catch (RuntimeException e) { // the token refused, or anything else: the timer must keep running
            if (!failing) {
                failing = true;
                LOG.warnf("devices per status not counted (%s); the last counts stay on the metrics page",
                        e instanceof NetBoxException ? e.getMessage() : e.toString());
            }
        }
    }
}
