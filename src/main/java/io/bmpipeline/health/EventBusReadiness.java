package io.bmpipeline.health;

import io.bmpipeline.events.EventBus;
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
 * a store that cannot be read or written does, because inputs could no longer be made durable.
 */
@Readiness
@ApplicationScoped
public class EventBusReadiness implements HealthCheck {

    private final EventBus bus;
    private final Clock clock;

    @Inject
    public EventBusReadiness(EventBus bus) {
        this(bus, Clock.systemUTC());
    }

    EventBusReadiness(EventBus bus, Clock clock) {
        this.bus = bus;
        this.clock = clock;
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
            return response.up().withData("backlog", backlog).withData("deadLettered", dead).build();
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
