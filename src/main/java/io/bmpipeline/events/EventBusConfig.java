package io.bmpipeline.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Settings of the embedded event bus ({@code bm.bus.*}). */
@ConfigMapping(prefix = "bm.bus")
public interface EventBusConfig {

    /** Share of each retry backoff taken off at random (RetryPolicy.jitter). */
    double RETRY_JITTER = 0.3;

    /** The store, without H2's {@code .mv.db} suffix; relative paths resolve against the working directory. */
    @WithDefault("data/bus")
    Path path();

    /** Failed attempts before an event is dead-lettered; 0 = retry transient failures for ever (NetBox outages). */
    @WithDefault("0")
    @Min(0)
    int maxAttempts();

    @WithDefault("1s")
    Duration initialBackoff();

    @WithDefault("5m")
    Duration maxBackoff();

    /** Readiness goes DOWN, naming the store, when less than this many bytes are free beside it. */
    @WithDefault("1073741824")
    @Min(0)
    long minFreeDisk();

    RetentionConfig retention();

    /** What each topic's log keeps of events no group owes any more ({@code bm.bus.retention.*}). */
    interface RetentionConfig {

        /** Acknowledged events older than this are removed. */
        @WithDefault("30d")
        Duration maxAge();

        /** Beyond this many events in a topic, the oldest acknowledged ones are removed. */
        @WithDefault("500000")
        @Min(1)
        long maxEvents();

        /** How often retention runs. */
        @WithDefault("10m")
        Duration interval();

        /** Per-topic overrides: {@code bm.bus.retention.topic."bm.dhcp.events".max-age=7d}. */
        @WithName("topic")
        Map<String, TopicLimits> topics();

        interface TopicLimits {
            Optional<Duration> maxAge();

            Optional<Long> maxEvents();
        }
    }

    default RetryPolicy retryPolicy() {
        try {
            return new RetryPolicy(maxAttempts(), initialBackoff(), maxBackoff(), RETRY_JITTER);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("bm.bus: " + e.getMessage(), e);
        }
    }

    /** The retention settings as the bus takes them; a bad value fails naming its key. */
    default EventBus.Retention retentionPolicy() {
        RetentionConfig r = retention();
        try {
            EventBus.Retention.Limits defaults = new EventBus.Retention.Limits(r.maxAge(), r.maxEvents());
            Map<String, EventBus.Retention.Limits> perTopic = new TreeMap<>();
            r.topics().forEach((topic, limits) -> {
                try {
                    perTopic.put(topic, new EventBus.Retention.Limits(limits.maxAge().orElse(r.maxAge()),
                            limits.maxEvents().orElse(r.maxEvents())));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("bm.bus.retention.topic.\"" + topic + "\": " + e.getMessage(), e);
                }
            });
            return new EventBus.Retention(defaults, perTopic);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("bm.bus.retention: " + e.getMessage(), e);
        }
    }
}
