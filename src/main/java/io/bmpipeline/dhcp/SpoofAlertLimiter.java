package io.bmpipeline.dhcp;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A rogue DHCP server answers every client on the segment: one warning and one alert per source (MAC and IP) per
 * window, not one per ACK. Each ACK is still counted (the tap's spoofed-ACK meter); the next alert of a source says how
 * many were not alerted on. The most recently alerted sources are remembered, at most {@code maxSources}.
 */
final class SpoofAlertLimiter {

    private final Duration window;
    private final Map<String, Source> sources;

    private static final class Source {
        Instant alertedAt;
        long suppressed;

        Source(Instant alertedAt) {
            this.alertedAt = alertedAt;
        }
    }

    SpoofAlertLimiter(Duration window, int maxSources) {
        this.window = window;
        this.sources = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
                return size() > maxSources;
            }
        };
    }

    /**
     * Whether an ACK of {@code source} seen {@code at} is alerted on: if so, how many of its ACKs were not since its
     * last alert; empty when it is only counted.
     */
    synchronized OptionalLong admit(String source, Instant at) {
        Source known = sources.get(source);
        if (known == null) {
            sources.put(source, new Source(at));
            return OptionalLong.of(0);
        }
        if (Duration.between(known.alertedAt, at).compareTo(window) >= 0) {
            long suppressed = known.suppressed;
            known.alertedAt = at;
            known.suppressed = 0;
            return OptionalLong.of(suppressed);
        }
        known.suppressed++;
        return OptionalLong.empty();
    }
}
