package io.bmpipeline.discovery;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The description of an IP object the pipeline recorded from a lease: marks the object as ours (a later lease may
 * replace it, nothing else is ever removed) and carries when its lease was seen, so an older lease delivered late
 * never replaces it. NetBox keeps it on the IP object, where every tap of an HA pair reads the same value.
 */
public final class LeaseStamp {

    /** Every description the pipeline writes starts so; the bare prefix is what earlier versions wrote. */
    public static final String PREFIX = "BMC DHCP lease (bm-pipeline)";

    private static final String SEEN = ", seen ";

    private LeaseStamp() {}

    /** E.g. {@code "BMC DHCP lease (bm-pipeline), seen 2026-12-05T01:02:03.123456Z"}. */
    public static String of(Instant leaseSeenAt) {
        return PREFIX + SEEN + leaseSeenAt;
    }

    /** Whether the pipeline wrote this description. */
    public static boolean isOurs(String description) {
        return description != null && description.startsWith(PREFIX);
    }

    /** When the lease behind an IP object of ours was seen; empty for any other description or an unreadable time. */
    public static Optional<Instant> seenAt(String description) {
        if (!isOurs(description) || !description.startsWith(SEEN, PREFIX.length())) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(description.substring(PREFIX.length() + SEEN.length()).strip()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
