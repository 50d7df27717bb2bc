package io.bmpipeline.events;

import java.time.Instant;
import java.util.Objects;

/**
 * One event handed to a consumer group. {@code attempt} is 1 on first delivery and grows with each retry,
 * redelivery after restart or redrive. It is for operators and backoff, not a promise: a crash may lose the count, and
 * the same lease reaches two taps' stores of an HA pair, so attempt 1 can still be a replay and handlers never skip
 * their replay checks on it. {@code sequence} is the bus's publish order.
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
