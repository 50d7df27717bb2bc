package io.bmpipeline.lifecycle;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A device's NetBox status as the lifecycle sees it. Five statuses are the pipeline's own forward path
 * (offline → discovered → staged → ready → active); every other status belongs to people and is never
 * written by the pipeline. NetBox lets operators add statuses of their own, so any value we do not know
 * is {@link #OTHER}: untouchable as well, never an error.
 */
public enum DeviceStatus {
    OFFLINE("offline", 0),
    DISCOVERED("discovered", 1),
    STAGED("staged", 2),
    READY("ready", 3),
    ACTIVE("active", 4),
    PLANNED("planned", -1),
    FAILED("failed", -1),
    DECOMMISSIONING("decommissioning", -1),
    INVENTORY("inventory", -1),
    /** Any status NetBox has that this enum does not name (an operator's own choice). */
    OTHER("other", -1);

    /** The lifecycle statuses the pipeline moves devices through, in order. */
    public static final Set<DeviceStatus> LIFECYCLE = EnumSet.of(OFFLINE, DISCOVERED, STAGED, READY, ACTIVE);

    /** Statuses owned by people: the pipeline journals a warning and changes nothing (DESIGN §2). */
    public static final Set<DeviceStatus> UNTOUCHABLE = EnumSet.complementOf(EnumSet.copyOf(LIFECYCLE));

    private final String netboxValue;
    private final int forwardRank;

    DeviceStatus(String netboxValue, int forwardRank) {
        this.netboxValue = netboxValue;
        this.forwardRank = forwardRank;
    }

    /** The value NetBox stores, e.g. {@code "discovered"}; {@link #OTHER} has no value of its own in NetBox. */
    public String netboxValue() {
        return netboxValue;
    }

    public boolean isLifecycle() {
        return forwardRank >= 0;
    }

    /** True when moving from this status to {@code target} is a step forward on the lifecycle path. */
    public boolean precedes(DeviceStatus target) {
        return isLifecycle() && target.isLifecycle() && forwardRank < target.forwardRank;
    }

    /** Maps a NetBox status value (any case) to the lifecycle's view; unknown and empty values are {@link #OTHER}. */
    public static DeviceStatus fromNetBox(String value) {
        String wanted = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (DeviceStatus status : values()) {
            if (status != OTHER && status.netboxValue.equals(wanted)) {
                return status;
            }
        }
        return OTHER;
    }

    @Override
    public String toString() {
        return netboxValue;
    }
}
