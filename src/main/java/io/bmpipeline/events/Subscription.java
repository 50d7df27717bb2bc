package io.bmpipeline.events;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A consumer group on one topic. Safe for several threads: {@link #poll} never hands out an event whose key already
 * has one in flight, and only the oldest unfinished event of a key is ever deliverable. Time is passed in, so retry
 * schedules are testable without waiting.
 */
public interface Subscription {

    String topic();

    String group();

    /**
     * The next deliverable event at {@code now}, marked in flight until {@link #ack}, {@link #retryLater} or
     * {@link #deadLetter}; empty when none is deliverable (see {@link #nextAttemptAt()} for when to look again).
     */
    Optional<Delivery> poll(Instant now);

    /**
     * Up to {@code max} deliverable events at {@code now}, each of another key, all marked in flight: what a
     * dispatcher hands to its idle workers with one look at the store.
     */
    default List<Delivery> pollMany(Instant now, int max) {
        List<Delivery> deliveries = new java.util.ArrayList<>();
        Optional<Delivery> next;
        while (deliveries.size() < max && (next = poll(now)).isPresent()) {
            deliveries.add(next.get());
        }
        return deliveries;
    }

    /** The event was handled: it is never delivered to this group again. */
    void ack(Delivery delivery);

    /**
     * The handler failed transiently: deliver again after backoff, or dead-letter when the retry policy is exhausted.
     */
    Outcome retryLater(Delivery delivery, String reason, Instant now);

    /** The handler failed permanently: keep the event aside and let the key's later events proceed. */
    void deadLetter(Delivery delivery, String reason, Instant now);

    /** Polls one event, runs {@code handler} on it and acks, retries or dead-letters by how it ended. */
    Optional<Outcome> handleNext(EventHandler handler, Instant now);

    /**
     * Waits until an event is published on the bus (any topic) or {@code max} passed, whichever is first: an idle
     * consumer's pause. Returning says nothing about what is deliverable: poll again.
     */
    default void awaitPublication(java.time.Duration max) throws InterruptedException {
        Thread.sleep(max);
    }

    /** Ends every {@link #awaitPublication} of this group now: its consumer is stopping. */
    default void wakeAll() {}

    /** The earliest time a pending event of a key not in flight becomes deliverable; empty when nothing is pending. */
    Optional<Instant> nextAttemptAt();

    /** Counts and the latest failure, for readiness and meters. */
    Status status();

    List<DeadLetter> deadLetters();

    /**
     * Puts a dead letter back in line (e.g. after an operator fixed NetBox); false when there is no such letter.
     * Its next delivery is attempt 2: it was handed out before.
     */
    boolean redrive(long sequence);

    /** How one delivery ended. */
    sealed interface Outcome {
        Delivery delivery();

        record Acked(Delivery delivery) implements Outcome {}

        record RetryScheduled(Delivery delivery, Instant nextAttemptAt, String reason) implements Outcome {}

        record DeadLettered(Delivery delivery, String reason) implements Outcome {}
    }

    /**
     * @param pending       events not yet acknowledged nor dead (including those waiting for a retry)
     * @param waitingRetry  pending events that failed at least once
     * @param deadLettered  events given up on
     * @param lastFailure   the reason of the most recent failure of a pending event, if any
     * @param oldestPending when the oldest pending event was published: how far behind the group is
     */
    record Status(long pending, long waitingRetry, long deadLettered, Optional<String> lastFailure,
                  Optional<Instant> oldestPending) {}
}
