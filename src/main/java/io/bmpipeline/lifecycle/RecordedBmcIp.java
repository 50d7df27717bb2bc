package io.bmpipeline.lifecycle;

import java.util.Optional;

/**
 * How the BMC IP NetBox has on record for a device compares with the IP just leased to its BMC.
 * The caller computes it from the device it looked up; the table decides on it.
 */
public enum RecordedBmcIp {
    /** NetBox has no BMC IP for the device. */
    ABSENT("BMC IP absent"),
    /** NetBox already records the leased IP. */
    SAME("BMC IP same"),
    /** NetBox records another IP than the one leased. */
    DIFFERENT("BMC IP different");

    private final String label;

    RecordedBmcIp(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * Compares host parts: NetBox stores {@code "10.0.0.5/24"}, a lease gives {@code "10.0.0.5"}; both sides
     * may carry a prefix length, which does not make two addresses different.
     */
    public static RecordedBmcIp compare(Optional<String> recorded, String leased) {
        if (recorded.isEmpty() || host(recorded.get()).isEmpty()) {
            return ABSENT;
        }
        return host(recorded.get()).equals(host(leased)) ? SAME : DIFFERENT;
    }

    private static String host(String address) {
        String trimmed = address.strip();
        int slash = trimmed.indexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(0, slash);
    }
}
