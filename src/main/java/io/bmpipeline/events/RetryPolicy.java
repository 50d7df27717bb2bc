package io.bmpipeline.events;

import java.time.Duration;
import java.util.Objects;

/**
 * How a consumer group retries an event whose handler failed: exponential backoff from {@code initialBackoff},
 * capped at {@code maxBackoff}, and a dead letter after {@code maxAttempts} failed attempts. {@code maxAttempts = 0}
 * means never give up on a transient failure: right for "NetBox is down", where every event must still be applied
 * when it is back. A permanent failure (the handler says so) is dead-lettered at once whatever this says.
 * {@code jitter} (0 to 1) takes up to that share off each backoff at random, so the events that failed together
 * (a burst during an outage) do not all come back in the same instant.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {

    public static final int UNLIMITED = 0;

    /** Without jitter: every backoff exactly as computed. */
    public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        this(maxAttempts, initialBackoff, maxBackoff, 0);
    }

    public RetryPolicy {
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, got " + jitter);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must be 0 (unlimited) or more, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initialBackoff must be positive, got " + initialBackoff);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than initialBackoff "
                    + initialBackoff);
        }
    }

    /** True when an event that has failed {@code failedAttempts} times goes to the dead letters. */
    public boolean exhausted(int failedAttempts) {
        return maxAttempts != UNLIMITED && failedAttempts >= maxAttempts;
    }

    /** The wait before the next attempt of an event that has failed {@code failedAttempts} (≥ 1) times. */
    public Duration backoffAfter(int failedAttempts) {
        int exponent = Math.min(Math.max(failedAttempts, 1) - 1, 30);
        Duration delay = initialBackoff.multipliedBy(1L << exponent);
        Duration capped = delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
        if (jitter == 0) {
            return capped;
        }
        long off = (long) (capped.toMillis() * jitter * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        return capped.minusMillis(off);
    }
}
