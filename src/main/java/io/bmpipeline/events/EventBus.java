package io.bmpipeline.events;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The pipeline's event bus: what routes publish to and consume from. The implementation, {@link H2EventBus}, is
 * in-process and durable on local disk; topics are the spec's names, consumer groups are the services.
 *
 * <p>Guarantees every implementation keeps:
 * <ul>
 *   <li>{@link #publish} returns only once the event would survive a crash of the process or a power loss;</li>
 *   <li>publishing an envelope whose id is already stored on that topic is a no-op ({@link Published#DUPLICATE}),
 *       so an input can be re-published safely after a crash;</li>
 *   <li>a consumer group sees each key's events in publish order, at least once: an event not acknowledged is
 *       delivered again (after a restart too); a failing event holds back only the later events of its own key.</li>
 * </ul>
 */
public interface EventBus extends AutoCloseable {

    /** What a publish did. */
    enum Published {
        /** Stored now. */
        STORED,
        /** An event with this id was already stored on this topic; nothing changed. */
        DUPLICATE
    }

    /**
     * Stores {@code envelope} on {@code topic}, durably, before returning.
     *
     * @throws EventBusException when it could not be stored: the caller must not acknowledge its input
     */
    Published publish(String topic, EventEnvelope envelope);

    /**
     * Stores every envelope on {@code topic}, in list order, all or none, durably before returning: one write for a
     * batch. An id already stored (or twice in the list) is a {@link Published#DUPLICATE}.
     *
     * @return what happened to each envelope, in list order
     * @throws EventBusException when they could not be stored: none of them is
     */
    List<Published> publishAll(String topic, List<EventEnvelope> envelopes);

    /**
     * Removes from the log what {@code retention} no longer keeps at {@code now}; an event some group still owes
     * (pending or dead-lettered) is never removed.
     *
     * @return events removed
     */
    long prune(Retention retention, Instant now);

    /** The store's size on disk and the free space beside it, for readiness and meters. */
    Storage storage();

    /** How long each topic's log keeps events no group owes any more. */
    record Retention(Limits defaults, java.util.Map<String, Limits> perTopic) {
        public Retention {
            java.util.Objects.requireNonNull(defaults, "defaults");
            perTopic = java.util.Map.copyOf(perTopic);
        }

        public Limits of(String topic) {
            return perTopic.getOrDefault(topic, defaults);
        }

        /** Events older than {@code maxAge}, and all but the newest {@code maxEvents}, go. */
        public record Limits(java.time.Duration maxAge, long maxEvents) {
            public Limits {
                if (maxAge.isNegative() || maxAge.isZero()) {
                    throw new IllegalArgumentException("max-age must be positive, got " + maxAge);
                }
                if (maxEvents < 1) {
                    throw new IllegalArgumentException("max-events must be at least 1, got " + maxEvents);
                }
            }
        }
    }

    /**
     * @param store      the store's file
     * @param storeBytes its size
     * @param freeBytes  space left for it on its file system
     */
    record Storage(java.nio.file.Path store, long storeBytes, long freeBytes) {}

    /**
     * The consumer group {@code group} on {@code topic}, created on first use. A new group starts from the oldest
     * event the topic holds (the log is replayable); an existing group resumes where it was.
     */
    Subscription subscribe(String topic, String group, RetryPolicy retry);

    /** The consumer groups this process has subscribed, for readiness and meters. */
    List<Subscription> subscriptions();

    /**
     * Hands {@code reader} every event of type {@code type} stored on {@code topic}, oldest first: the log as a
     * report sees it (reconciliation, audit), apart from any consumer group. Reading never holds back publishing or
     * delivery; an event published while reading may or may not be seen.
     *
     * @throws EventBusException when the store cannot be read
     */
    void replay(String topic, String type, Consumer<LoggedEvent> reader);

    /** Stops the bus; deliveries not acknowledged by then are delivered again after the next start. */
    @Override
    void close();
}
