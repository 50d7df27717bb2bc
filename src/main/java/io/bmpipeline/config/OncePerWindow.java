package io.bmpipeline.config;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Once per window per key: what keeps a repeating event (a rogue DHCP server's ACKs, an unknown MAC's renewals) to one
 * log line or alert per source and window. The next admitted one says how many were not. The most recently admitted
 * keys are remembered, at most {@code maxSources}; a key forgotten is admitted again.
 */
public final class OncePerWindow {

    private final Duration window;
    private final Map<String, Source> sources;

    private static final class Source {
        Instant alertedAt;
        long suppressed;

        Source(Instant alertedAt) {
            this.alertedAt = alertedAt;
        }
    }

    public OncePerWindow(Duration window, int maxSources) {
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
    public synchronized OptionalLong admit(String source, Instant at) {
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
