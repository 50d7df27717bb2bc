package io.bmpipeline.health;

import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventBusConfig;
import io.bmpipeline.events.EventBusException;
import io.bmpipeline.events.Subscription;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The event bus as an operator needs to see it: per consumer group, how many events wait, how old
 * the oldest is, how many are retrying or dead, and the last failure. A backlog is what the bus is
 * for (NetBox slow or down: leases wait, nothing is lost), so it does not make the service unready;
 * a store that cannot be read or written does, because inputs could no longer be made durable, and so does
 * a disk about to fill ({@code bm.bus.min-free-disk}): readiness says so before publishing starts to fail.
 */
@Readiness
@ApplicationScoped
public class EventBusReadiness implements HealthCheck {

    private static final long MIB = 1024 * 1024;

    private final EventBus bus;
    private final Clock clock;
    private final long minFreeDisk;

    @Inject
    public EventBusReadiness(EventBus bus, EventBusConfig config) {
        this(bus, Clock.systemUTC(), config.minFreeDisk());
    }

    EventBusReadiness(EventBus bus, Clock clock, long minFreeDisk) {
        this.bus = bus;
        this.clock = clock;
        this.minFreeDisk = minFreeDisk;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("event-bus");
        try {
            long backlog = 0;
            long dead = 0;
            for (Subscription s : bus.subscriptions().stream()
                    .sorted(Comparator.comparing(Subscription::topic).thenComparing(Subscription::group)).toList()) {
                Subscription.Status status = s.status();
                backlog += status.pending();
                dead += status.deadLettered();
                response.withData(s.topic() + "/" + s.group(), describe(status));
            }
            response.withData("backlog", backlog).withData("deadLettered", dead);
            EventBus.Storage storage = bus.storage();
            response.withData("storeBytes", storage.storeBytes()).withData("freeBytes", storage.freeBytes());
            if (storage.freeBytes() < minFreeDisk) {
                return response.down().withData("reason", "disk nearly full: " + storage.freeBytes() / MIB
                        + " MiB free beside " + storage.store() + ", bm.bus.min-free-disk is " + minFreeDisk / MIB
                        + " MiB; new events may soon fail to be stored").build();
            }
            return response.up().build();
        } catch (EventBusException e) {
            return response.down().withData("reason", "event bus store unusable: " + e.getMessage()).build();
        }
    }

    /** "12 pending (oldest 40 s, 3 retrying), 0 dead; last failure: NetBox unavailable …" */
    String describe(Subscription.Status status) {
        StringBuilder text = new StringBuilder().append(status.pending()).append(" pending");
        status.oldestPending().ifPresent(oldest -> text.append(" (oldest ")
                .append(Duration.between(oldest, clock.instant()).toSeconds()).append(" s, ")
                .append(status.waitingRetry()).append(" retrying)"));
        text.append(", ").append(status.deadLettered()).append(" dead");
        status.lastFailure().ifPresent(f -> text.append("; last failure: ").append(f));
        return text.toString();
    }
}
