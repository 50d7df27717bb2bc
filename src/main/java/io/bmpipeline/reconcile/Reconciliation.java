package io.bmpipeline.reconcile;

import io.bmpipeline.address.MacAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Expected (BMC MACs in NetBox) against seen (BMC leases discovery handled): what is outstanding on either side.
 *
 * @param sites            the site slugs the expected side was limited to; empty: every site
 * @param expected         devices whose BMC interface carries a MAC (primary or not)
 * @param seen             of those, the devices one of whose BMC MACs leased (whatever discovery then decided), or
 *                         that NetBox shows discovered without a kept lease ({@code seenWithoutLease})
 * @param seenHeldBack     seen devices whose latest lease discovery did not take: a warning, a quarantine, a refusal
 * @param nowKnown         MACs that leased unexpected but that NetBox now has on a BMC interface: not listed
 * @param seenWithoutLease seen devices with no kept lease: NetBox shows them past offline or with a BMC IP (found
 *                         before the sightings were kept, or their last lease is older than their max-age)
 * @param leasesFrom       where the lease sightings were read (the running service, or its stopped store)
 */
public record Reconciliation(Instant at, String netbox, List<String> sites, long expected, long seen,
                             List<ExpectedNotSeen> expectedNotSeen, List<SeenHeldBack> seenHeldBack,
                             List<LeaseSighting> seenNotExpected, long nowKnown, long seenWithoutLease,
                             String leasesFrom) {

    /** A device NetBox expects (its BMC MAC is loaded) that has not leased. */
    public record ExpectedNotSeen(long deviceId, String serial, Optional<String> device, Optional<String> site,
                                  String bmcInterface, MacAddress bmcMac, String status) {}

    /** A device whose BMC leased, where discovery decided not to take the lease ({@code lease.decision()}). */
    public record SeenHeldBack(long deviceId, String serial, Optional<String> device, Optional<String> site,
                               String bmcInterface, String status, LeaseSighting lease) {}

    /** 0: nothing outstanding; 1: something is. (2, the command could not tell, is the command's.) */
    public int exitCode() {
        return expectedNotSeen.isEmpty() && seenHeldBack.isEmpty() && seenNotExpected.isEmpty() ? 0 : 1;
    }
}
