package io.bmpipeline.reconcile;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.lifecycle.Decision;
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
import java.util.Optional;
import java.util.Set;

/**
 * Compares what the manifests told NetBox to expect with the leases discovery handled. Reads only, and in batches:
 * the devices page by page, their interfaces 100 devices a request, the unexpected MACs 100 a request; never a
 * request per device.
 *
 * <p>A device is expected when it is of a role that has BMCs and its BMC interface ({@link BmcInterfacePattern})
 * carries a MAC, primary or not. It has
 * been seen when one of those MACs leased, whatever discovery then decided; the decisions that did not take the lease
 * (a warning, a quarantine, NetBox refusing the write) are listed. A device with no kept lease that NetBox shows past
 * {@code offline} or with a BMC IP counts as seen too (discovered before the sightings were kept, or long ago). A MAC
 * that leased unexpectedly but that NetBox now has on a BMC interface (its manifest came later) is not outstanding:
 * its device counts as seen, and its next lease discovers it.
 */
public final class Reconciler {

    /** Decisions that leave a seen device where it was, for a reason an operator has to look at. */
    private static final Set<String> HELD_BACK = Set.of(Decision.Kind.WARN.name(), Decision.Kind.QUARANTINE.name(),
            Decision.Kind.REPORT_FAILURE.name(), LeaseSighting.REJECTED);

    private final NetBoxClient netbox;
    private final BmcInterfacePattern bmcPattern;
    private final Clock clock;

    public Reconciler(NetBoxClient netbox, BmcInterfacePattern bmcPattern, Clock clock) {
        this.netbox = netbox;
        this.bmcPattern = bmcPattern;
        this.clock = clock;
    }

    public Reconciliation reconcile(List<String> sites, LeaseSightingSource.Answer leases) {
        Map<MacAddress, LeaseSighting> sighted = new HashMap<>();
        leases.sightings().forEach(s -> sighted.put(s.mac(), s));
        List<Device> devices = netbox.devices().atSites(sites).stream().filter(bmcPattern::coversRole).toList();
        Map<Long, Device> byId = new HashMap<>();
        devices.forEach(d -> byId.put(d.id(), d));
        List<DeviceInterface> bmcs = devices.isEmpty() ? List.of() : netbox.interfaces().ofDevices(byId.keySet()).stream()
                .filter(i -> !i.macs().isEmpty() && bmcPattern.isBmc(i))
                .sorted(Comparator.comparingLong(DeviceInterface::id))
                .toList();

        Map<Long, List<DeviceInterface>> bmcsOfDevice = new HashMap<>();
        for (DeviceInterface bmc : bmcs) {
            if (byId.containsKey(bmc.deviceId())) { // else created between the two reads: next run
                bmcsOfDevice.computeIfAbsent(bmc.deviceId(), id -> new ArrayList<>()).add(bmc);
            }
        }
        long seen = 0;
        long withoutLease = 0;
        List<Reconciliation.ExpectedNotSeen> notSeen = new ArrayList<>();
        List<Reconciliation.SeenHeldBack> heldBack = new ArrayList<>();
        for (var entry : bmcsOfDevice.entrySet()) {
            Device device = byId.get(entry.getKey());
            Optional<Latest> latest = latestLease(entry.getValue(), sighted);
            if (latest.isPresent()) {
                seen++;
                LeaseSighting lease = latest.get().lease();
                if (HELD_BACK.contains(lease.decision())) {
                    heldBack.add(new Reconciliation.SeenHeldBack(device.id(), device.serial(), device.name(),
                            device.site(), latest.get().bmc().name(), device.status(), lease));
                }
            } else if (discoveredWithoutLease(device)) {
                seen++;
                withoutLease++;
            } else {
                DeviceInterface bmc = entry.getValue().getFirst();
                notSeen.add(new Reconciliation.ExpectedNotSeen(device.id(), device.serial(), device.name(),
                        device.site(), bmc.name(), bmc.macs().getFirst(), device.status()));
            }
        }
        notSeen.sort(Comparator.comparing((Reconciliation.ExpectedNotSeen e) -> e.site().orElse(""))
                .thenComparing(Reconciliation.ExpectedNotSeen::serial)
                .thenComparing(e -> e.bmcMac().value()));
        heldBack.sort(Comparator.comparing((Reconciliation.SeenHeldBack e) -> e.site().orElse(""))
                .thenComparing(Reconciliation.SeenHeldBack::serial));

        List<LeaseSighting> unexpected = leases.sightings().stream()
                .filter(s -> s.decision().equals(LeaseSighting.SEEN_NOT_EXPECTED))
                .toList();
        Set<MacAddress> nowKnown = knownBmcMacs(unexpected.stream().map(LeaseSighting::mac).toList());
        List<LeaseSighting> stillUnexpected = unexpected.stream().filter(l -> !nowKnown.contains(l.mac())).toList();

        return new Reconciliation(clock.instant(), netbox.url().toString(), List.copyOf(sites), bmcsOfDevice.size(),
                seen, List.copyOf(notSeen), List.copyOf(heldBack), stillUnexpected,
                unexpected.size() - stillUnexpected.size(), withoutLease, leases.from());
    }

    private record Latest(DeviceInterface bmc, LeaseSighting lease) {}

    /** The most recent lease of any MAC of the device's BMC interfaces. */
    private static Optional<Latest> latestLease(List<DeviceInterface> bmcs, Map<MacAddress, LeaseSighting> sighted) {
        Latest latest = null;
        for (DeviceInterface bmc : bmcs) {
            for (MacAddress mac : bmc.macs()) {
                LeaseSighting s = sighted.get(mac);
                if (s != null && (latest == null || s.lastSeen().isAfter(latest.lease().lastSeen()))) {
                    latest = new Latest(bmc, s);
                }
            }
        }
        return Optional.ofNullable(latest);
    }

    static boolean discoveredWithoutLease(Device device) {
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
                known.addAll(iface.macs());
            }
        }
        return known;
    }
}
