package io.bmpipeline.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The application's one {@link EventBus}. Today the embedded H2 bus; the Kafka bus will be chosen here by
 * configuration, and nothing that injects {@link EventBus} changes.
 */
@ApplicationScoped
public class EventBusProducer {

    /** An operator's report may hold a stopped service's store for a moment; a start in that moment waits. */
    static final Duration WAIT_FOR_READERS = Duration.ofSeconds(10);

    @Produces
    @ApplicationScoped
    EventBus eventBus(EventBusConfig config) {
        config.retryPolicy(); // fail at start, naming the key, rather than at the first subscription
        try {
            return H2EventBus.open(config.path(), WAIT_FOR_READERS);
        } catch (EventBusException e) {
            throw new IllegalStateException("bm.bus.path: " + e.getMessage(), e);
        }
    }

    void close(@Disposes EventBus bus) {
        bus.close();
    }
}
