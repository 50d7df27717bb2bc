package io.bmpipeline.events;

/** The bus could not do what was asked (storage unavailable, closed, misused); the message says which and where. */
public final class EventBusException extends RuntimeException {

    public EventBusException(String message) {
        super(message);
    }

    public EventBusException(String message, Throwable cause) {
        super(message, cause);
    }
}
