package io.bmpipeline.events;

/**
 * Thrown by a handler when retrying cannot help (NetBox answered 400 for the write, the event names a device that
 * cannot exist): the event goes to the dead letters at once and the key's later events proceed.
 */
public class PermanentEventFailure extends Exception {

    public PermanentEventFailure(String message) {
        super(message);
    }

    public PermanentEventFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
