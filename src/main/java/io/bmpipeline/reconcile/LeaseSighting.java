package io.bmpipeline.reconcile;

import io.bmpipeline.address.MacAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Every lease of one MAC that discovery handled, folded into one line: {@code ip}, {@code hostname},
 * {@code vendorClass}, {@code decision} and {@code device} are from the latest lease; {@code count} is how many lease
 * commits were seen. {@code decision} is the discovery route's branch (a lifecycle decision such as {@code PROMOTE},
 * or {@code SEEN_NOT_EXPECTED}, {@code NOT_A_BMC}, {@code REJECTED} when NetBox refused the write), {@code rule} the
 * lifecycle table's row when one decided, {@code device} the device's name or serial when NetBox knew the BMC.
 */
public record LeaseSighting(MacAddress mac, String ip, Optional<String> hostname, Optional<String> vendorClass,
                            Instant firstSeen, Instant lastSeen, long count, String decision, Optional<String> rule,
                            Optional<String> device) {

    /** Discovery's branch for a lease of a MAC no BMC interface in NetBox had. */
    public static final String SEEN_NOT_EXPECTED = "SEEN_NOT_EXPECTED";
    /** NetBox refused the write the decision needed (400): nothing was written. */
    public static final String REJECTED = "REJECTED";

    public LeaseSighting {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(vendorClass, "vendorClass");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(device, "device");
    }

    /**
     * This MAC's line after one more handled lease ({@code next}, a line of its own). The same lease handled again (a
     * redelivery, a replay: same time and address) is not counted twice; its latest decision wins.
     */
    LeaseSighting plus(LeaseSighting next) {
        boolean again = next.lastSeen.equals(lastSeen) && next.ip.equals(ip);
        boolean later = !next.lastSeen.isBefore(lastSeen);
        LeaseSighting latest = later ? next : this;
        return new LeaseSighting(mac, latest.ip, latest.hostname, latest.vendorClass,
                next.firstSeen.isBefore(firstSeen) ? next.firstSeen : firstSeen, latest.lastSeen,
                again ? count : count + next.count, latest.decision, latest.rule, latest.device);
    }

    /** The decision as people read it: {@code WARN (untouchable-lease-warns)}. */
    public String decisionText() {
        return rule.map(r -> decision + " (" + r + ")").orElse(decision);
    }
}
