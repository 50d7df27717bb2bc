package io.bmpipeline.events;

import java.time.Instant;
import java.util.Objects;

/** An event as the bus's log holds it: its place in publish order and when it was stored. */
public record LoggedEvent(String topic, long sequence, Instant publishedAt, EventEnvelope envelope) {

    public LoggedEvent {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(envelope, "envelope");
    }
}
