package io.bmpipeline.discovery;

import io.bmpipeline.events.EventEnvelope;

/** An event a branch wants published, and where. */
public record Publication(String topic, EventEnvelope envelope) {}
