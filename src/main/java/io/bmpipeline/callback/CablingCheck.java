package io.bmpipeline.callback;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.CabledInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The LLDP gate: the neighbour each NIC heard against the cable NetBox plans for the interface with that NIC's MAC
 * (the far end's device name and interface name). A planned cable whose NIC heard nobody, or somebody else, fails;
 * an interface with no cable planned is noted, or fails when the site says so. Switches announce their name with
 * or without the domain and their port as its name or its description, so a neighbour matches when its system name
 * is the planned device's name (up to the first dot) and its port id or description is the planned interface's name.
 */
public final class CablingCheck {

    private CablingCheck() {}

    public static List<Finding> compare(List<StepResult.LldpNeighbour> seen, List<CabledInterface> planned,
                                        boolean failUncabled) {
        List<Finding> findings = new ArrayList<>();
        for (CabledInterface cabled : planned) {
            if (cabled.iface().mgmtOnly()) {
                continue; // the BMC's port is not the host's: LLDP from the host cannot see it
            }
            List<StepResult.LldpNeighbour> heard = seen.stream()
                    .filter(n -> MacAddress.parse(n.mac()).map(cabled.iface().macs()::contains).orElse(false))
                    .toList();
            String nic = cabled.iface().name();
            if (cabled.peer().isEmpty()) {
                String saw = heard.isEmpty() ? "nothing" : heard.stream().map(CablingCheck::label).toList().toString();
                if (failUncabled) {
                    findings.add(Finding.failure(nic, "no cable in NetBox", saw));
                } else {
                    findings.add(Finding.note(nic, "no cable in NetBox", saw));
                }
                continue;
            }
            CabledInterface.Peer peer = cabled.peer().get();
            if (cabled.iface().macs().isEmpty()) {
                findings.add(Finding.failure(nic, peer.label(), "not compared: NetBox has no MAC for " + nic));
                continue;
            }
            if (heard.isEmpty()) {
                findings.add(Finding.failure(nic, peer.label(), "no LLDP neighbour"));
            } else if (heard.stream().noneMatch(n -> matches(n, peer))) {
                findings.add(Finding.failure(nic, peer.label(), String.join(", ", heard.stream().map(CablingCheck::label).toList())));
            }
        }
        return findings;
    }

    static boolean matches(StepResult.LldpNeighbour n, CabledInterface.Peer peer) {
        String system = Optional.ofNullable(n.chassisName()).orElse("").toLowerCase(Locale.ROOT);
        String device = peer.device().toLowerCase(Locale.ROOT);
        boolean sameSwitch = system.equals(device) || system.split("\\.", 2)[0].equals(device.split("\\.", 2)[0]);
        boolean samePort = peer.iface().equalsIgnoreCase(Optional.ofNullable(n.portId()).orElse(""))
                || peer.iface().equalsIgnoreCase(Optional.ofNullable(n.portDescription()).orElse(""));
        return sameSwitch && samePort;
    }

    private static String label(StepResult.LldpNeighbour n) {
        String port = Optional.ofNullable(n.portId()).filter(p -> !p.isBlank())
                .orElse(Optional.ofNullable(n.portDescription()).orElse("?"));
        return Optional.ofNullable(n.chassisName()).filter(c -> !c.isBlank())
                .orElse(Optional.ofNullable(n.chassisId()).orElse("?")) + "/" + port;
    }
}
