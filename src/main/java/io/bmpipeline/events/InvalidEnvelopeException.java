package io.bmpipeline.events;

/** A document that is not a valid bm-pipeline CloudEvent; {@link #attribute()} names what is missing or wrong. */
public final class InvalidEnvelopeException extends Exception {

    private final String attribute;

    public InvalidEnvelopeException(String attribute, String problem) {
        super("CloudEvent attribute '" + attribute + "': " + problem);
        this.attribute = attribute;
    }

    /** The offending attribute, e.g. {@code "time"}; {@code "(document)"} when the JSON itself is broken. */
    public String attribute() {
        return attribute;
    }
}
