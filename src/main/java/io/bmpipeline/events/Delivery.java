package io.bmpipeline.events;

import java.time.Instant;
import java.util.Objects;

/**
 * One event handed to a consumer group. {@code attempt} is 1 on first delivery and grows with each retry,
 * redelivery after restart or redrive (a handler that sees {@code attempt > 1} may be seeing a replay). Attempt 1 is a
 * promise: the event was never handed out before, so a handler may skip its replay checks. A bus that cannot keep
 * that promise (it cannot tell a redelivery) must never report 1. {@code sequence} is the bus's publish order.
 */
public record Delivery(String topic, String group, long sequence, int attempt, Instant publishedAt,
                       EventEnvelope envelope) {

    public Delivery {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(envelope, "envelope");
    }

    public String key() {
        return envelope.partitionKey();
    }
}
