package io.bmpipeline.events;

/** Headers the bus component sets on the exchanges it creates. */
public final class BusHeaders {
    public static final String TOPIC = "bmTopic";
    public static final String KEY = "bmKey";
    public static final String ATTEMPT = "bmAttempt";
    public static final String PUBLISHED = "bmPublished";

    private BusHeaders() {}
}
