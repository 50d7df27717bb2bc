package io.bmpipeline.reconcile;

import io.bmpipeline.address.MacAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A MAC whose DHCP leases the service saw although no BMC interface in NetBox had it when discovery looked: every
 * {@code bm.dhcp.lease.unexpected} event of that MAC folded into one line. {@code ip}, {@code hostname} and
 * {@code vendorClass} are from the latest lease; {@code count} is how many lease commits were seen.
 */
public record UnexpectedLease(MacAddress mac, String ip, Optional<String> hostname, Optional<String> vendorClass,
                              Instant firstSeen, Instant lastSeen, long count) {

    public UnexpectedLease {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(vendorClass, "vendorClass");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /** This MAC's line after one more lease, seen at {@code at}. */
    UnexpectedLease plus(String ip, Optional<String> hostname, Optional<String> vendorClass, Instant at) {
        boolean later = !at.isBefore(lastSeen);
        return new UnexpectedLease(mac, later ? ip : this.ip, later ? hostname : this.hostname,
                later ? vendorClass : this.vendorClass, at.isBefore(firstSeen) ? at : firstSeen,
                later ? at : lastSeen, count + 1);
    }
}
