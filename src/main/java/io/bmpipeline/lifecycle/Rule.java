package io.bmpipeline.lifecycle;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One row of the lifecycle table: in any of the statuses {@code from}, on any event of the kinds {@code on} whose
 * facts the guard admits, decide {@code decision}. {@code why} is the sentence the journal entry and the diagram
 * use; {@code id} is the row's stable name.
 */
public record Rule(String id, Set<DeviceStatus> from, Set<LifecycleEvent.Kind> on, Guard guard, Decision decision,
                   String why) {

    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(why, "why");
        if (from.isEmpty() || on.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + " matches no status or no event");
        }
        from = Collections.unmodifiableSet(EnumSet.copyOf(from));
        on = Collections.unmodifiableSet(EnumSet.copyOf(on));
    }

    public boolean matches(DeviceStatus status, LifecycleEvent event) {
        return from.contains(status) && on.contains(event.kind()) && guard.admits(event);
    }

    /** True when the rule moves the device to another status. */
    public boolean changesStatus() {
        return decision instanceof Decision.Promote;
    }
}
