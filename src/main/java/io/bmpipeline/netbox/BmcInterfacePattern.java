package io.bmpipeline.netbox;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which interface of a device is its BMC, one definition for discovery, manifest intake and reconciliation: an
 * interface NetBox flags {@code mgmt_only} (Lenovo XCC, Supermicro IPMI, Cisco CIMC, mgmt0, OOB … whatever the
 * vendor calls it), or one whose name matches the operator's pattern (found anywhere in the name) — the fallback for
 * sites that never set the flag. With {@code deviceRoles} (role slugs) set, only devices of those roles have BMCs: the
 * management ports of switches, PDUs and console servers, flagged {@code mgmt_only} as well, are not; empty, every
 * device's are.
 */
public record BmcInterfacePattern(Pattern pattern, Set<String> deviceRoles) {

    public BmcInterfacePattern {
        deviceRoles = Set.copyOf(deviceRoles);
    }

    /** Every device role. */
    public BmcInterfacePattern(Pattern pattern) {
        this(pattern, Set.of());
    }

    /** Whether the device is of a role that has BMCs (every device when no roles are set). */
    public boolean coversRole(Device device) {
        return deviceRoles.isEmpty() || device.role().filter(deviceRoles::contains).isPresent();
    }

    /** Why {@link #coversRole} said no, for messages. */
    public String roleRefusal(Device device) {
        return device.label() + " has role " + device.role().orElse("(none)") + ", not one of bm.bmc.device-roles "
                + deviceRoles.stream().sorted().toList();
    }

    /** Whether the name alone marks an interface as a BMC. */
    public boolean matches(String interfaceName) {
        return pattern.matcher(interfaceName).find();
    }

    /** Whether the interface is a BMC: flagged management-only, or named like one. */
    public boolean isBmc(DeviceInterface iface) {
        return iface.mgmtOnly() || matches(iface.name());
    }

    /**
     * The BMC among a device's interfaces: the one BMC interface; among several, the one flagged management-only,
     * else the one the name pattern matches; otherwise ambiguous (e.g. {@code iDRAC} and {@code iDRAC-shared}, neither
     * flagged), and nobody guesses.
     */
    public BmcInterfaceMatch choose(List<DeviceInterface> all) {
        List<DeviceInterface> bmcs = all.stream().filter(this::isBmc).toList();
        if (bmcs.size() > 1) {
            List<DeviceInterface> flagged = bmcs.stream().filter(DeviceInterface::mgmtOnly).toList();
            List<DeviceInterface> named = flagged.stream().filter(i -> matches(i.name())).toList();
            if (flagged.size() == 1) {
                bmcs = flagged;
            } else if (named.size() == 1) {
                bmcs = named;
            }
        }
        return switch (bmcs.size()) {
            case 0 -> new BmcInterfaceMatch.Missing(all.stream().map(DeviceInterface::name).toList());
            case 1 -> new BmcInterfaceMatch.Found(bmcs.getFirst());
            default -> new BmcInterfaceMatch.Ambiguous(bmcs);
        };
    }
}
