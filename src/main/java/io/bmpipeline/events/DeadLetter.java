package io.bmpipeline.events;

import java.time.Instant;

/** An event a consumer group gave up on, with the last reason. It stays stored until redriven. */
public record DeadLetter(Delivery delivery, String reason, Instant deadAt) {}
