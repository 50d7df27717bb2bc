package io.bmpipeline.discovery;

import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.netbox.IpAddress;
import io.bmpipeline.netbox.IpPrefix;
import io.bmpipeline.netbox.NetBoxClient;
import java.util.List;
import java.util.Optional;

/**
 * What NetBox says about a leased address, for one device's BMC: the prefix (and so the VRF) it belongs in, the IP
 * objects with that host part in that VRF, and whether one of them stands in the way. Addresses of other VRFs are
 * other routing domains and are never looked at. In the BMC network's VRF, an IP object may be taken for the BMC only
 * when it is already on that BMC, unassigned and not set aside (reserved, deprecated), or one the pipeline recorded
 * from a lease on another BMC interface of the same device; anything else is a conflict, never taken over.
 *
 * @param prefix       the most specific prefix containing the address, if NetBox has one
 * @param inScope      the IP objects with the leased host part in the prefix's VRF (the global table without one)
 * @param heldByDevice another device whose interface holds the address
 * @param notFree      why the address is not free for the BMC otherwise (reserved, on a VM interface …)
 */
public record AddressClaim(Optional<IpPrefix> prefix, List<IpAddress> inScope, Optional<Long> heldByDevice,
                           Optional<String> notFree) {

    public AddressClaim {
        inScope = List.copyOf(inScope);
    }

    /** Looks at {@code existing} (every IP object with the host part, as read) for {@code bmc} of {@code deviceId}. */
    public static AddressClaim of(NetBoxClient netbox, long deviceId, DeviceInterface bmc, String host,
                                  List<IpAddress> existing) {
        Optional<IpPrefix> prefix = netbox.ipam().prefixContaining(host);
        Optional<Long> vrf = prefix.flatMap(IpPrefix::vrfId);
        List<IpAddress> inScope = existing.stream().filter(a -> a.vrfId().equals(vrf)).toList();
        if (inScope.stream().anyMatch(a -> a.isAssignedToInterface(bmc.id()))) {
            return new AddressClaim(prefix, inScope, Optional.empty(), Optional.empty());
        }
        Optional<String> notFree = Optional.empty();
        for (IpAddress ip : inScope) {
            if (!ip.isAssigned()) {
                if (ip.isSetAside() && notFree.isEmpty()) {
                    notFree = Optional.of(ip.address() + " is " + ip.status() + " in NetBox");
                }
                continue;
            }
            if (ip.assignedObjectType().filter("dcim.interface"::equals).isEmpty()) {
                if (notFree.isEmpty()) {
                    notFree = Optional.of(ip.address() + " is assigned to " + ip.assignedObjectType().orElse("an object")
                            + " #" + ip.assignedObjectId().orElseThrow());
                }
                continue;
            }
            Optional<DeviceInterface> holder = netbox.interfaces().byId(ip.assignedObjectId().orElseThrow());
            if (holder.isPresent() && holder.get().deviceId() != deviceId) {
                return new AddressClaim(prefix, inScope, Optional.of(holder.get().deviceId()), Optional.empty());
            }
            if (holder.isPresent() && !LeaseStamp.isOurs(ip.description()) && notFree.isEmpty()) {
                notFree = Optional.of(ip.address() + " is assigned to " + holder.get().label() + ", not the BMC");
            }
        }
        return new AddressClaim(prefix, inScope, Optional.empty(), notFree);
    }

    /** The IP object already on the BMC interface, if any. */
    public Optional<IpAddress> onBmc(DeviceInterface bmc) {
        return inScope.stream().filter(a -> a.isAssignedToInterface(bmc.id())).findFirst();
    }

    /** An IP object the BMC may take: unassigned and not set aside, or one of ours on the same device. */
    public Optional<IpAddress> reusable() {
        return inScope.stream().filter(a -> a.isAssigned() ? LeaseStamp.isOurs(a.description()) : !a.isSetAside())
                .findFirst();
    }
}
