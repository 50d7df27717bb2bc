package io.bmpipeline.events;

/**
 * Handles one delivered event. Returning normally acknowledges it; {@link PermanentEventFailure} dead-letters it;
 * any other exception is a transient failure, retried after backoff with the key's later events held back.
 */
@FunctionalInterface
public interface EventHandler {

    void handle(Delivery delivery) throws Exception;
}
