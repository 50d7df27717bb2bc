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
    DIFFERENT("BMC IP different"),
    /**
     * NetBox records another IP, which the pipeline recorded from a lease seen after this one: this lease is late
     * (redriven, or delivered after a newer lease of the device's other BMC MAC) and must not roll the IP back.
     */
    FROM_LATER_LEASE("BMC IP from a later lease");

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

    /**
     * As {@link #compare(Optional, String)}, and a different recorded IP that a lease seen after {@code leaseSeenAt}
     * put there ({@code recordedFromLeaseAt}) is {@link #FROM_LATER_LEASE}.
     */
    public static RecordedBmcIp compare(Optional<String> recorded, Optional<java.time.Instant> recordedFromLeaseAt,
                                        String leased, java.time.Instant leaseSeenAt) {
        RecordedBmcIp compared = compare(recorded, leased);
        return compared == DIFFERENT && recordedFromLeaseAt.filter(leaseSeenAt::isBefore).isPresent()
                ? FROM_LATER_LEASE : compared;
    }

    private static String host(String address) {
        String trimmed = address.strip();
        int slash = trimmed.indexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(0, slash);
    }
}
