package io.bmpipeline.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;

/** Settings of the embedded event bus ({@code bm.bus.*}). */
@ConfigMapping(prefix = "bm.bus")
public interface EventBusConfig {

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

    default RetryPolicy retryPolicy() {
        try {
            return new RetryPolicy(maxAttempts(), initialBackoff(), maxBackoff());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("bm.bus: " + e.getMessage(), e);
        }
    }
}
