package io.bmpipeline.discovery;

import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.netbox.IpAddress;
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
        /** {@code created}/{@code reassigned}/{@code oobChanged} say which writes happened; all false: nothing to do. */
        record Recorded(IpAddress ip, boolean created, boolean reassigned, boolean oobChanged,
                        List<String> replaced) implements Outcome {
            public boolean changedAnything() {
                return created || reassigned || oobChanged || !replaced.isEmpty();
            }
        }

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
        return record(device, bmc, host, netbox.ipAddresses(host), leaseMaskBits, leaseSeenAt, Optional.empty());
    }

    /**
     * As {@link #record(Device, DeviceInterface, String, OptionalInt, Instant)} with NetBox's addresses of
     * {@code host} already read ({@code existing}, e.g. for the decision a moment ago), and the device's
     * status becomes {@code newStatus} in the same PATCH as its {@code oob_ip} (one write, both or
     * neither). When the address is recorded but the status would not change, nothing is patched for it.
     */
    public Outcome record(Device device, DeviceInterface bmc, String host, List<IpAddress> existing,
            OptionalInt leaseMaskBits, Instant leaseSeenAt, Optional<String> newStatus) {
        IpAddress ip = null;
        boolean created = false;
        boolean reassigned = false;
        Optional<IpAddress> onBmc = existing.stream().filter(a -> a.isAssignedToInterface(bmc.id())).findFirst();
        if (onBmc.isPresent()) {
            ip = onBmc.get();
        } else {
            for (IpAddress candidate : existing) {
                Optional<Long> holder = holderDevice(candidate);
                if (holder.isPresent() && holder.get() != device.id()) {
                    return new Outcome.HeldByOtherDevice(candidate, holder.get());
                }
            }
            Optional<IpAddress> reusable = existing.stream().findFirst();
            if (reusable.isPresent()) {
                // An operator's description stays; an empty one or ours gets this lease's stamp.
                String description = reusable.get().description();
                ip = netbox.assignIpAddress(reusable.get().id(), bmc.id(),
                        description.isBlank() || LeaseStamp.isOurs(description)
                                ? Optional.of(LeaseStamp.of(leaseSeenAt)) : Optional.empty());
                reassigned = true;
            } else {
                int bits = netbox.prefixLengthContaining(host).orElse(leaseMaskBits.orElse(32));
                ip = netbox.createIpAddress(host + "/" + bits, bmc.id(), LeaseStamp.of(leaseSeenAt));
                created = true;
            }
        }
        long ipId = ip.id();
        boolean oobChanged = device.oobIpId().filter(id -> id == ipId).isEmpty();
        Optional<String> statusChange = newStatus.filter(s -> !s.equals(device.status()));
        if (oobChanged || statusChange.isPresent()) {
            netbox.setOobIpAndStatus(device.id(), ipId, statusChange);
        }
        List<String> replaced = removeEarlierLeases(bmc, ip);
        return new Outcome.Recorded(ip, created, reassigned, oobChanged, replaced);
    }

    /** The device whose interface holds the address, if it is assigned to an interface. */
    private Optional<Long> holderDevice(IpAddress ip) {
        if (ip.assignedObjectType().filter("dcim.interface"::equals).isEmpty() || ip.assignedObjectId().isEmpty()) {
            return Optional.empty();
        }
        return netbox.interfaceById(ip.assignedObjectId().get()).map(DeviceInterface::deviceId);
    }

    /** Earlier leases the pipeline recorded on this BMC interface go; addresses an operator made stay. */
    private List<String> removeEarlierLeases(DeviceInterface bmc, IpAddress current) {
        return netbox.ipAddressesOfInterface(bmc.id()).stream()
                .filter(a -> a.id() != current.id())
                .filter(a -> LeaseStamp.isOurs(a.description()))
                .map(a -> {
                    netbox.deleteIpAddress(a.id());
                    return a.address();
                })
                .toList();
    }
}
