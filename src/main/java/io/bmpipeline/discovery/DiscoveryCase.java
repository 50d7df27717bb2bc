package io.bmpipeline.discovery;

import io.bmpipeline.lifecycle.Decision;
import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.lifecycle.Rule;
import java.util.List;
import java.util.Optional;

/**
 * A lease after the lifecycle table looked at it: the route branches on {@link #branch()}, and the
 * branch's writer has everything it needs without asking NetBox again.
 */
public sealed interface DiscoveryCase {

    BmcLease lease();

    /** The content-based router's branch: a {@link Decision.Kind} name, or {@code SEEN_NOT_EXPECTED}. */
    String branch();

    /**
     * No BMC interface in NetBox has this MAC: the machine was not expected (or is not a BMC). {@code knownOn}: the
     * interfaces that do have the MAC without being a BMC (a host NIC), if any.
     */
    record SeenNotExpected(BmcLease lease, List<DeviceInterface> knownOn) implements DiscoveryCase {
        public static final String BRANCH = "SEEN_NOT_EXPECTED";

        @Override
        public String branch() {
            return BRANCH;
        }
    }

    /**
     * On no BMC interface in NetBox and not like a BMC by OUI or vendor class: a host NIC on the segment; or on the
     * management interface of a device whose role has no BMCs ({@code outOfRole} says which and why: a switch's
     * mgmt0). Counted only. {@code knownOn}: the interfaces that have the MAC, if any.
     */
    record NotABmc(BmcLease lease, List<DeviceInterface> knownOn, Optional<String> outOfRole) implements DiscoveryCase {
        public static final String BRANCH = "NOT_A_BMC";

        @Override
        public String branch() {
            return BRANCH;
        }
    }

    /**
     * A known BMC: the table's decision for its device, with the facts it was taken on. {@code claim} is what NetBox
     * said about the leased address for this BMC when the decision was taken; the write uses it as read.
     */
    record Decided(BmcLease lease, Device device, DeviceInterface bmc, Rule rule,
                   List<Long> otherDevicesWithMac, AddressClaim claim) implements DiscoveryCase {
        public Decision decision() {
            return rule.decision();
        }

        @Override
        public String branch() {
            return decision().kind().name();
        }
    }
}
