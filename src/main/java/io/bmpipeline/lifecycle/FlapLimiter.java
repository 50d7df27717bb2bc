package io.bmpipeline.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps repeating inputs from flooding a device's journal (DESIGN §2: "a MAC that flaps IPs repeatedly: one warning,
 * not a journal flood"). The table says a decision journals {@link Decision.JournalPolicy#ONCE_PER_WINDOW}; this says
 * whether this occurrence is the one journaled or is only counted. Per device and per decision value, so a device's
 * IP-mismatch warnings do not hide its quarantine. Time is passed in: there is no clock here.
 */
public final class FlapLimiter {

    /** Whether to journal this occurrence. */
    public sealed interface Admission {
        /** Journal it; {@code suppressedBefore} occurrences were only counted since the last journaled one. */
        record Journal(int suppressedBefore) implements Admission {}

        /** Count it only; it is the {@code suppressedSoFar}-th suppressed in the current window. */
        record CountOnly(int suppressedSoFar) implements Admission {}
    }

    private record Key(String deviceKey, Decision decision) {}

    private static final class Window {
        Instant start;
        int suppressed;

        Window(Instant start) {
            this.start = start;
        }
    }

    private final Duration window;
    private final int maxTrackedKeys;
    private final Map<Key, Window> windows = new HashMap<>();
    private long suppressedTotal;

    /**
     * @param window         at most one journal entry per device and decision within this long
     * @param maxTrackedKeys when this many windows are held, expired ones are forgotten before a new one is added
     */
    public FlapLimiter(Duration window, int maxTrackedKeys) {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("flap window must be positive, got " + window);
        }
        if (maxTrackedKeys < 1) {
            throw new IllegalArgumentException("maxTrackedKeys must be at least 1, got " + maxTrackedKeys);
        }
        this.window = window;
        this.maxTrackedKeys = maxTrackedKeys;
    }

    /**
     * Decides whether the journal entry of {@code decision} for the device {@code deviceKey} (its serial, or NetBox
     * id) is written at {@code now}. Decisions journaled every time are always admitted and not tracked.
     *
     * @throws IllegalArgumentException when the decision journals nothing: asking is then a wiring mistake
     */
    public synchronized Admission admit(String deviceKey, Decision decision, Instant now) {
        Objects.requireNonNull(deviceKey, "deviceKey");
        Objects.requireNonNull(now, "now");
        Decision.Journal journal = decision.journal().orElseThrow(
                () -> new IllegalArgumentException("decision '" + decision.label() + "' journals nothing"));
        if (journal.policy() == Decision.JournalPolicy.EVERY_TIME) {
            return new Admission.Journal(0);
        }
        Key key = new Key(deviceKey, decision);
        Window current = windows.get(key);
        // A clock that stepped backwards opens a new window: a lost warning is worse than one too many.
        if (current == null || !now.isBefore(current.start.plus(window)) || now.isBefore(current.start)) {
            int suppressedBefore = current == null ? 0 : current.suppressed;
            if (current == null) {
                forgetExpired(now);
                windows.put(key, new Window(now));
            } else {
                current.start = now;
                current.suppressed = 0;
            }
            return new Admission.Journal(suppressedBefore);
        }
        current.suppressed++;
        suppressedTotal++;
        return new Admission.CountOnly(current.suppressed);
    }

    /** Journal entries suppressed since this limiter was created, for a meter. */
    public synchronized long suppressedTotal() {
        return suppressedTotal;
    }

    /** How many device × decision windows are held, for tests and a gauge. */
    public synchronized int trackedKeys() {
        return windows.size();
    }

    private void forgetExpired(Instant now) {
        if (windows.size() < maxTrackedKeys) {
            return;
        }
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            Window w = it.next();
            // An expired window's suppressed count is lost with it; bounded memory matters more than that number.
            if (!now.isBefore(w.start.plus(window))) {
                it.remove();
            }
        }
    }
}
