package io.bmpipeline.testbed;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits for an asynchronous outcome (a route applying an event to NetBox). The limit only stops a
 * broken run; it asserts nothing about speed, which the benchmarks measure.
 */
public final class Eventually {

    private Eventually() {}

    public static <T> T await(String what, Supplier<T> probe, java.util.function.Predicate<T> done) {
        return await(what, Duration.ofSeconds(90), probe, done);
    }

    public static <T> T await(String what, Duration limit, Supplier<T> probe, java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = probe.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
            last = probe.get();
        }
        return last;
    }
}
