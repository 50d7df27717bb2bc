package io.bmpipeline.lifecycle;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The facts a rule needs beyond status and event kind, as data (so a diagram can print it): which recorded-IP
 * comparisons and which conflicts the rule covers. Only lease events carry these facts; a rule on any other
 * event must use {@link #ANY}, which {@link LifecycleTable} checks.
 */
public record Guard(Set<RecordedBmcIp> recordedBmcIp, Set<Conflict> conflicts) {

    public static final Guard ANY = new Guard(EnumSet.allOf(RecordedBmcIp.class), EnumSet.allOf(Conflict.class));

    public Guard {
        Objects.requireNonNull(recordedBmcIp, "recordedBmcIp");
        Objects.requireNonNull(conflicts, "conflicts");
        if (recordedBmcIp.isEmpty() || conflicts.isEmpty()) {
            throw new IllegalArgumentException("a guard that admits nothing is a dead rule");
        }
        recordedBmcIp = Collections.unmodifiableSet(EnumSet.copyOf(recordedBmcIp));
        conflicts = Collections.unmodifiableSet(EnumSet.copyOf(conflicts));
    }

    /** A lease without conflict whose recorded BMC IP compares as one of {@code ips}. */
    public static Guard noConflict(RecordedBmcIp first, RecordedBmcIp... more) {
        return new Guard(EnumSet.of(first, more), EnumSet.of(Conflict.NONE));
    }

    /** A lease without conflict, whatever the recorded BMC IP. */
    public static Guard noConflict() {
        return new Guard(EnumSet.allOf(RecordedBmcIp.class), EnumSet.of(Conflict.NONE));
    }

    /** A lease with the given conflict, whatever the recorded BMC IP. */
    public static Guard conflict(Conflict conflict) {
        return new Guard(EnumSet.allOf(RecordedBmcIp.class), EnumSet.of(conflict));
    }

    public boolean isAny() {
        return recordedBmcIp.size() == RecordedBmcIp.values().length && conflicts.size() == Conflict.values().length;
    }

    public boolean admits(LifecycleEvent event) {
        return switch (event) {
            case LifecycleEvent.BmcLeaseObserved lease ->
                    recordedBmcIp.contains(lease.recordedBmcIp()) && conflicts.contains(lease.conflict());
            default -> true;
        };
    }

    /** E.g. "BMC IP absent", "BMC MAC on several devices", "" for {@link #ANY}; declaration order, stable. */
    public String label() {
        StringBuilder label = new StringBuilder();
        if (conflicts.size() < Conflict.values().length) {
            label.append(EnumSet.copyOf(conflicts).stream().map(Conflict::label).collect(Collectors.joining(" | ")));
        }
        if (recordedBmcIp.size() < RecordedBmcIp.values().length) {
            if (!label.isEmpty()) {
                label.append(", ");
            }
            label.append(EnumSet.copyOf(recordedBmcIp).stream().map(RecordedBmcIp::label)
                    .collect(Collectors.joining(" | ")));
        }
        return label.toString();
    }
}
