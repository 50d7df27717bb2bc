package io.bmpipeline.discovery;

import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.netbox.IpAddress;
import io.bmpipeline.netbox.IpPrefix;
import io.bmpipeline.netbox.NetBoxClient;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Records a BMC's leased address in NetBox: one IP object on the BMC interface, the device's
 * {@code oob_ip} pointing at it. Every step compares before it writes, so applying the same lease
 * again writes nothing; an address NetBox already gives to another device is a conflict, never
 * taken over. The IP object's description is a {@link LeaseStamp} (ours, and when its lease was seen)
 * unless an operator had described it.
 */
public final class BmcAddressWriter {

    private final NetBoxClient netbox;

    public BmcAddressWriter(NetBoxClient netbox) {
        this.netbox = netbox;
    }

    /** What recording the address did. */
    public sealed interface Outcome {
        /**
         * {@code created}/{@code reassigned}/{@code oobChanged} say which writes happened; {@code replaced}: earlier
         * leases' addresses removed; {@code unassigned}: a planned BMC IP taken off the interface. All empty: nothing
         * to do.
         */
        record Recorded(IpAddress ip, boolean created, boolean reassigned, boolean oobChanged,
                        List<String> replaced, List<String> unassigned) implements Outcome {
            public boolean changedAnything() {
                return created || reassigned || oobChanged || !replaced.isEmpty() || !unassigned.isEmpty();
            }
        }

        /** NetBox has the address set aside or given to something that is no BMC: nothing was written. */
        record NotFree(String why) implements Outcome {}

        /** NetBox gives this address to an interface of another device: nothing was written. */
        record HeldByOtherDevice(IpAddress ip, long otherDeviceId) implements Outcome {}
    }

    /**
     * @param host           the leased IPv4 address
     * @param leaseMaskBits  the lease's subnet mask (option 1) as a prefix length, when the lease had one
     * @param leaseSeenAt    when the tap saw the lease
     */
    public Outcome record(Device device, DeviceInterface bmc, String host, OptionalInt leaseMaskBits,
            Instant leaseSeenAt) {
        return record(device, bmc, host, AddressClaim.of(netbox, device.id(), bmc, host, netbox.ipam().addresses(host)),
                leaseMaskBits, leaseSeenAt, Optional.empty());
    }

    /**
     * As {@link #record(Device, DeviceInterface, String, OptionalInt, Instant)} with what NetBox says about
     * {@code host} already read ({@code claim}, e.g. for the decision a moment ago), and the device's
     * status becomes {@code newStatus} in the same PATCH as its {@code oob_ip} (one write, both or
     * neither). When the address is recorded but the status would not change, nothing is patched for it.
     */
    public Outcome record(Device device, DeviceInterface bmc, String host, AddressClaim claim,
            OptionalInt leaseMaskBits, Instant leaseSeenAt, Optional<String> newStatus) {
        IpAddress ip;
        boolean created = false;
        boolean reassigned = false;
        Optional<IpAddress> onBmc = claim.onBmc(bmc);
        if (onBmc.isPresent()) {
            ip = onBmc.get();
            // It becomes the BMC IP again (a device with two BMC ports going back to the first): its stamp must say
            // this lease, or a late lease of the other port would look newer than it.
            boolean becomesOob = device.oobIpId().filter(id -> id == onBmc.get().id()).isEmpty();
            Optional<java.time.Instant> stamped = LeaseStamp.seenAt(ip.description());
            if (becomesOob && LeaseStamp.isOurs(ip.description())
                    && stamped.filter(t -> !t.isBefore(leaseSeenAt)).isEmpty()) {
                ip = netbox.ipam().assignAddress(ip.id(), bmc.id(), Optional.of(LeaseStamp.of(leaseSeenAt)));
            }
        } else if (claim.heldByDevice().isPresent()) {
            return new Outcome.HeldByOtherDevice(claim.inScope().getFirst(), claim.heldByDevice().get());
        } else if (claim.notFree().isPresent()) {
            return new Outcome.NotFree(claim.notFree().get());
        } else if (claim.reusable().isPresent()) {
            // An operator's description stays; an empty one or ours gets this lease's stamp.
            IpAddress reusable = claim.reusable().get();
            String description = reusable.description();
            ip = netbox.ipam().assignAddress(reusable.id(), bmc.id(),
                    description.isBlank() || LeaseStamp.isOurs(description)
                            ? Optional.of(LeaseStamp.of(leaseSeenAt)) : Optional.empty());
            reassigned = true;
        } else {
            int bits = claim.prefix().map(IpPrefix::length).orElse(leaseMaskBits.orElse(32));
            ip = netbox.ipam().createAddress(host + "/" + bits, bmc.id(), LeaseStamp.of(leaseSeenAt),
                    claim.prefix().flatMap(IpPrefix::vrfId));
            created = true;
        }
        long ipId = ip.id();
        boolean oobChanged = device.oobIpId().filter(id -> id == ipId).isEmpty();
        Optional<String> statusChange = newStatus.filter(s -> !s.equals(device.status()));
        if (oobChanged || statusChange.isPresent()) {
            netbox.devices().setOobIpAndStatus(device.id(), ipId, statusChange);
        }
        List<String> replaced = removeEarlierLeases(bmc, ip);
        List<String> unassigned = oobChanged ? unassignPlannedIp(device, bmc, ip) : List.of();
        return new Outcome.Recorded(ip, created, reassigned, oobChanged, replaced, unassigned);
    }

    /**
     * The device's BMC IP before this lease, when an operator planned it on this BMC interface, is taken off the
     * interface (the object stays, for the operator): the lease replaced the plan, and one BMC interface does not
     * keep two addresses for one port.
     */
    private List<String> unassignPlannedIp(Device device, DeviceInterface bmc, IpAddress current) {
        if (device.oobIpId().isEmpty() || device.oobIpId().get() == current.id()) {
            return List.of();
        }
        long planned = device.oobIpId().get();
        return netbox.ipam().addressesOfInterface(bmc.id()).stream()
                .filter(a -> a.id() == planned && !LeaseStamp.isOurs(a.description()))
                .map(a -> netbox.ipam().unassignAddress(a.id()).address())
                .toList();
    }

    /** Earlier leases the pipeline recorded on this BMC interface go; addresses an operator made stay. */
    private List<String> removeEarlierLeases(DeviceInterface bmc, IpAddress current) {
        return netbox.ipam().addressesOfInterface(bmc.id()).stream()
                .filter(a -> a.id() != current.id())
                .filter(a -> LeaseStamp.isOurs(a.description()))
                .map(a -> {
                    netbox.ipam().deleteAddress(a.id());
                    return a.address();
                })
                .toList();
    }
}
