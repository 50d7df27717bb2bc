package io.bmpipeline.reconcile;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.lifecycle.DeviceStatus;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.netbox.NetBoxClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what the manifests told NetBox to expect with what the DHCP tap saw. Reads only, and in batches: the
 * devices page by page, their interfaces 100 devices a request, the unexpected MACs 100 a request; never a request
 * per device.
 *
 * <p>A device is expected when its BMC interface (the operator's pattern) carries a MAC. It has been seen when
 * NetBox shows discovery's work: a status past {@code offline} on the lifecycle, or a BMC IP ({@code oob_ip}). A MAC
 * that leased unexpectedly but that NetBox now has on a BMC interface (its manifest came later) is not outstanding:
 * its next lease discovers the device.
 */
public final class Reconciler {

    private final NetBoxClient netbox;
    private final BmcInterfacePattern bmcPattern;
    private final Clock clock;

    public Reconciler(NetBoxClient netbox, BmcInterfacePattern bmcPattern, Clock clock) {
        this.netbox = netbox;
        this.bmcPattern = bmcPattern;
        this.clock = clock;
    }

    public Reconciliation reconcile(List<String> sites, UnexpectedLeaseSource.Answer unexpected) {
        List<Device> devices = netbox.devices().atSites(sites);
        Map<Long, Device> byId = new HashMap<>();
        devices.forEach(d -> byId.put(d.id(), d));
        List<DeviceInterface> bmcs = devices.isEmpty() ? List.of()
                : netbox.interfaces().ofDevices(byId.keySet()).stream()
                        .filter(i -> i.mac().isPresent() && bmcPattern.isBmc(i))
                        .toList();

        Set<Long> expected = new HashSet<>();
        Set<Long> seen = new HashSet<>();
        List<Reconciliation.ExpectedNotSeen> notSeen = new ArrayList<>();
        for (DeviceInterface bmc : bmcs) {
            Device device = byId.get(bmc.deviceId());
            if (device == null) {
                continue; // Created between the two reads: next run.
            }
            expected.add(device.id());
            if (wasSeen(device)) {
                seen.add(device.id());
            } else {
                notSeen.add(new Reconciliation.ExpectedNotSeen(device.id(), device.serial(), device.name(), device.site(),
                        bmc.name(), bmc.mac().orElseThrow(), device.status()));
            }
        }
        notSeen.sort(Comparator.comparing((Reconciliation.ExpectedNotSeen e) -> e.site().orElse(""))
                .thenComparing(Reconciliation.ExpectedNotSeen::serial)
                .thenComparing(e -> e.bmcMac().value()));

        Set<MacAddress> nowKnown = knownBmcMacs(unexpected.leases().stream().map(UnexpectedLease::mac).toList());
        List<UnexpectedLease> stillUnexpected = unexpected.leases().stream()
                .filter(l -> !nowKnown.contains(l.mac()))
                .toList();

        return new Reconciliation(clock.instant(), netbox.url().toString(), List.copyOf(sites), expected.size(),
                seen.size(), List.copyOf(notSeen), stillUnexpected, unexpected.leases().size() - stillUnexpected.size(),
                unexpected.from());
    }

    static boolean wasSeen(Device device) {
        return device.oobIpId().isPresent() || DeviceStatus.OFFLINE.precedes(DeviceStatus.fromNetBox(device.status()));
    }

    /** Of these MACs, those NetBox has on a BMC interface of any device, any site (the decider's test). */
    private Set<MacAddress> knownBmcMacs(List<MacAddress> macs) {
        Set<MacAddress> known = new HashSet<>();
        if (macs.isEmpty()) {
            return known;
        }
        for (DeviceInterface iface : netbox.interfaces().byMacs(macs)) {
            if (bmcPattern.isBmc(iface)) {
                iface.mac().ifPresent(known::add);
            }
        }
        return known;
    }
}
