package io.bmpipeline.reconcile;

import io.bmpipeline.address.MacAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Expected (BMC MACs in NetBox) against seen (BMC leases): what is outstanding on either side.
 *
 * @param sites            the site slugs the expected side was limited to; empty: every site
 * @param expected         devices whose BMC interface has a MAC
 * @param seen             of those, the devices the pipeline discovered (status past offline, or a BMC IP)
 * @param nowKnown         MACs that leased unexpected but that NetBox now has on a BMC interface: not listed
 * @param unexpectedFrom   where the unexpected leases were read (the running service, or its stopped store)
 */
public record Reconciliation(Instant at, String netbox, List<String> sites, long expected, long seen,
                             List<ExpectedNotSeen> expectedNotSeen, List<UnexpectedLease> seenNotExpected,
                             long nowKnown, String unexpectedFrom) {

    /** A device NetBox expects (its BMC MAC is loaded) that has not leased yet. */
    public record ExpectedNotSeen(long deviceId, String serial, Optional<String> device, Optional<String> site,
                                  String bmcInterface, MacAddress bmcMac, String status) {}

    /** 0: nothing outstanding on either side; 1: something is. (2, the command could not tell, is the command's.) */
    public int exitCode() {
        return expectedNotSeen.isEmpty() && seenNotExpected.isEmpty() ? 0 : 1;
    }
}
