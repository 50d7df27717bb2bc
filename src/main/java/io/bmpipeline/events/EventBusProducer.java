package io.bmpipeline.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The application's one {@link EventBus}, the embedded H2 bus, with its retention run in the background every
 * {@code bm.bus.retention.interval}.
 */
@ApplicationScoped
public class EventBusProducer {

    /** An operator's report may hold a stopped service's store for a moment; a start in that moment waits. */
    static final Duration WAIT_FOR_READERS = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(EventBusProducer.class);

    private ScheduledExecutorService retention;

    @Produces
    @ApplicationScoped
    EventBus eventBus(EventBusConfig config) {
        config.retryPolicy(); // fail at start, naming the key, rather than at the first subscription
        EventBus.Retention policy = config.retentionPolicy();
        EventBus bus;
        try {
            bus = H2EventBus.open(config.path(), WAIT_FOR_READERS);
        } catch (EventBusException e) {
            throw new IllegalStateException("bm.bus.path: " + e.getMessage(), e);
        }
        retention = Executors.newSingleThreadScheduledExecutor(task -> Thread.ofPlatform().daemon()
                .name("bus-retention").unstarted(task));
        long every = config.retention().interval().toMillis();
        retention.scheduleWithFixedDelay(() -> prune(bus, policy), every, every, TimeUnit.MILLISECONDS);
        return bus;
    }

    private static void prune(EventBus bus, EventBus.Retention policy) {
        try {
            long removed = bus.prune(policy, Instant.now());
            if (removed > 0) {
                LOG.infof("event bus retention removed %d acknowledged event(s) past their topic's limits", removed);
            }
        } catch (EventBusException e) {
            LOG.warnf("event bus retention failed, next try in one interval: %s", e.getMessage());
        }
    }

    void close(@Disposes EventBus bus) {
        if (retention != null) {
            retention.shutdownNow();
        }
        bus.close();
    }
}
