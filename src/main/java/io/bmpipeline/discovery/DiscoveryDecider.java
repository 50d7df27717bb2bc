package io.bmpipeline.discovery;

import io.bmpipeline.lifecycle.LifecycleEvent;
import io.bmpipeline.lifecycle.LifecycleTable;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.netbox.IpAddress;
import io.bmpipeline.netbox.NetBoxClient;
import java.util.List;
import java.util.Optional;

/**
 * Looks a lease up in NetBox and asks the lifecycle table what to do: the facts are gathered here,
 * the decision is the table's. Reads only; nothing here writes.
 */
public final class DiscoveryDecider {

    private final NetBoxClient netbox;
    private final BmcInterfacePattern bmcPattern;

    private final BmcFilter filter;

    public DiscoveryDecider(NetBoxClient netbox, BmcInterfacePattern bmcPattern, BmcFilter filter) {
        this.netbox = netbox;
        this.bmcPattern = bmcPattern;
        this.filter = filter;
    }

    /** Looks the lease up and decides: {@link #identify} then {@link #decide(BmcIdentity)}, holding nothing. */
    public DiscoveryCase decide(BmcLease lease) {
        return decide(identify(lease));
    }

    /**
     * Whose lease it is. "Known to NetBox as a BMC MAC" is the strongest filter (DESIGN §3): the MAC sits on a BMC
     * interface ({@link BmcInterfacePattern#isBmc}: management-only, or named like one). The same MAC on a host NIC
     * is not a BMC lease; those interfaces are kept to say so.
     */
    public BmcIdentity identify(BmcLease lease) {
        List<DeviceInterface> holders = netbox.interfaces().byMac(lease.mac());
        return new BmcIdentity(lease, holders.stream().filter(bmcPattern::isBmc).toList(),
                holders.stream().filter(i -> !bmcPattern.isBmc(i)).toList());
    }

    /** Reads the device and the leased address and asks the table; the route holds the device meanwhile. */
    public DiscoveryCase decide(BmcIdentity identity) {
        DiscoveryCase decided = decideUncounted(identity);
        io.bmpipeline.config.Meters.discoveryDecision(decided.branch(),
                decided instanceof DiscoveryCase.Decided d ? d.rule().id() : "");
        return decided;
    }

    private DiscoveryCase decideUncounted(BmcIdentity identity) {
        BmcLease lease = identity.lease();
        List<DeviceInterface> bmcs = identity.bmcs();
        if (bmcs.isEmpty()) {
            return filter.looksLikeBmc(lease) ? new DiscoveryCase.SeenNotExpected(lease, identity.otherInterfaces())
                    : new DiscoveryCase.NotABmc(lease, identity.otherInterfaces(), Optional.empty());
        }
        List<Long> deviceIds = bmcs.stream().map(DeviceInterface::deviceId).distinct().sorted().toList();
        DeviceInterface bmc = bmcs.getFirst();
        Optional<Device> found = netbox.devices().byId(bmc.deviceId());
        if (found.isEmpty()) {
            // Deleted between the two reads: as far as NetBox now knows, nobody expects this MAC.
            return new DiscoveryCase.SeenNotExpected(lease, List.of());
        }
        Device device = found.get();
        if (!bmcPattern.coversRole(device)) {
            return new DiscoveryCase.NotABmc(lease, bmcs, Optional.of(bmcPattern.roleRefusal(device)));
        }
        List<Long> others = deviceIds.stream().filter(id -> id != device.id()).toList();
        List<IpAddress> addresses = netbox.ipam().addresses(lease.ip());
        AddressClaim claim = AddressClaim.of(netbox, device.id(), bmc, lease.ip(), addresses);
        LifecycleEvent.BmcLeaseObserved facts = LifecycleEvent.BmcLeaseObserved.of(
                device.oobIpAddress(), device.oobIpDescription().flatMap(LeaseStamp::seenAt), lease.ip(), lease.seenAt(),
                !others.isEmpty(), claim.heldByDevice().isPresent(), claim.notFree().isPresent());
        return new DiscoveryCase.Decided(lease, device, bmc, LifecycleTable.STANDARD.ruleFor(device.status(), facts),
                others, claim);
    }
}
