package io.bmpipeline.events;

import java.util.function.Consumer;

/**
 * The pipeline's event bus: what routes publish to and consume from. The default implementation,
 * {@link H2EventBus}, is in-process and durable on local disk; a Kafka implementation takes its place by
 * configuration (topics are the spec's names, consumer groups are the services, the partition key is the device).
 *
 * <p>Guarantees every implementation keeps:
 * <ul>
 *   <li>{@link #publish} returns only once the event would survive a crash or restart of the process;</li>
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
     * The consumer group {@code group} on {@code topic}, created on first use. A new group starts from the oldest
     * event the topic holds (the log is replayable); an existing group resumes where it was.
     */
    Subscription subscribe(String topic, String group, RetryPolicy retry);

    /** The consumer groups this process has subscribed, for readiness and meters. */
    java.util.List<Subscription> subscriptions();

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
