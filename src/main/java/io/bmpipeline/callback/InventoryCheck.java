package io.bmpipeline.callback;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.DeviceHardware;
import io.bmpipeline.netbox.DeviceInterface;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * 01-init's inventory against NetBox: the serial, the manufacturer and model against the device type, and the NIC
 * MACs against the device's interfaces. Vendors spell themselves differently in SMBIOS and in NetBox ("Dell Inc."
 * vs "Dell"), so names compare by their letters and digits, one containing the other. Management-only interfaces
 * (BMCs) are not visible to the host and are left out; so are interfaces NetBox has no MAC for (noted).
 */
public final class InventoryCheck {

    private InventoryCheck() {}

    public static List<Finding> compare(StepResult.Inventory seen, DeviceHardware planned, List<DeviceInterface> ifaces) {
        List<Finding> findings = new ArrayList<>();
        if (!planned.serial().equalsIgnoreCase(seen.serial().strip())) {
            findings.add(Finding.failure("serial", planned.serial(), seen.serial()));
        }
        String manufacturer = Optional.ofNullable(seen.manufacturer()).orElse("");
        if (!sameName(planned.manufacturer(), manufacturer) && !sameName(planned.manufacturerSlug(), manufacturer)) {
            findings.add(Finding.failure("manufacturer", planned.manufacturer(), manufacturer));
        }
        String product = Optional.ofNullable(seen.product()).orElse("");
        if (!sameName(planned.model(), product) && !planned.partNumber().map(p -> sameName(p, product)).orElse(false)
                && !sameName(planned.deviceTypeSlug(), product)) {
            findings.add(Finding.failure("model", planned.model(), product));
        }
        Set<MacAddress> seenMacs = new HashSet<>();
        for (StepResult.Nic nic : seen.nics()) {
            MacAddress.parse(nic.mac()).ifPresent(seenMacs::add);
        }
        Set<MacAddress> plannedMacs = new HashSet<>();
        for (DeviceInterface iface : ifaces) {
            if (iface.mgmtOnly()) {
                continue;
            }
            if (iface.macs().isEmpty()) {
                findings.add(Finding.note("interface " + iface.name(), "no MAC in NetBox", "not compared"));
                continue;
            }
            plannedMacs.addAll(iface.macs());
            if (iface.macs().stream().noneMatch(seenMacs::contains)) {
                findings.add(Finding.failure("interface " + iface.name(), iface.macs().getFirst().value(), "no NIC with this MAC"));
            }
        }
        for (StepResult.Nic nic : seen.nics()) {
            Optional<MacAddress> mac = MacAddress.parse(nic.mac());
            if (mac.isPresent() && !plannedMacs.contains(mac.get()) && !isBmcMac(mac.get(), ifaces)) {
                findings.add(Finding.failure("NIC " + nic.name(), "no interface in NetBox", mac.get().value()));
            }
        }
        return findings;
    }

    private static boolean isBmcMac(MacAddress mac, List<DeviceInterface> ifaces) {
        return ifaces.stream().anyMatch(i -> i.mgmtOnly() && i.macs().contains(mac));
    }

    /** "Dell Inc." and "dell" are the same vendor; "" matches nothing. */
    static boolean sameName(String planned, String seen) {
        String a = letters(planned);
        String b = letters(seen);
        return !a.isEmpty() && !b.isEmpty() && (a.contains(b) || b.contains(a));
    }

    private static String letters(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }
}
