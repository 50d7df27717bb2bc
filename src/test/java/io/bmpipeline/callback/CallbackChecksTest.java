package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.CabledInterface;
import io.bmpipeline.netbox.DeviceHardware;
import io.bmpipeline.netbox.DeviceInterface;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The comparisons behind the init, lldp, memory and disk verdicts, row by row. */
class CallbackChecksTest {

    private static final String MAC1 = "52:54:00:00:00:01";
    private static final String MAC2 = "52:54:00:00:00:02";
    private static final String BMC = "52:54:00:00:00:0a";

    private static DeviceInterface iface(long id, String name, boolean mgmt, String... macs) {
        List<MacAddress> list = java.util.Arrays.stream(macs).map(MacAddress::of).toList();
        return new DeviceInterface(id, 1, "srv", name, list.stream().findFirst(), Optional.empty(), mgmt, list);
    }

    private static final List<DeviceInterface> IFACES = List.of(iface(1, "eno1", false, MAC1),
            iface(2, "eno2", false, MAC2), iface(3, "bmc", true, BMC));

    private static DeviceHardware hardware() {
        return new DeviceHardware(1, "SN1", "Dell", "dell", "PowerEdge R650", "poweredge-r650", Optional.empty(),
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode());
    }

    private static StepResult.Inventory inventory(String serial, String vendor, String product, String... macs) {
        List<StepResult.Nic> nics = new java.util.ArrayList<>();
        for (int i = 0; i < macs.length; i++) {
            nics.add(new StepResult.Nic("eth" + i, macs[i], "virtio_net", null));
        }
        return new StepResult.Inventory(serial, vendor, product, null, null, null, nics);
    }

    @Test
    void anInventoryThatMatchesNetBoxHasNoFindingsWhateverTheVendorsSpelling() {
        assertEquals(List.of(), InventoryCheck.compare(inventory("sn1", "Dell Inc.", "PowerEdge R650", MAC1, MAC2),
                hardware(), IFACES));
    }

    @Test
    void everyDifferenceIsARowAndTheBmcIsNotExpectedFromTheHost() {
        var findings = InventoryCheck.compare(inventory("SN2", "HPE", "DL360", MAC1, "52:54:00:00:00:99"),
                hardware(), IFACES);
        assertEquals(List.of("serial", "manufacturer", "model", "interface eno2", "NIC eth1"),
                findings.stream().map(Finding::subject).toList());
        assertTrue(findings.stream().allMatch(Finding::fails));
    }

    private static CabledInterface cabled(DeviceInterface i, String device, String port) {
        return new CabledInterface(i, device == null ? Optional.empty() : Optional.of(new CabledInterface.Peer(device, port)));
    }

    private static StepResult.LldpNeighbour heard(String mac, String system, String port, String description) {
        return new StepResult.LldpNeighbour("eth", mac, system, "chassis", port, description, null);
    }

    @Test
    void theCabledPortHeardByLldpPassesByNameOrDescriptionWithOrWithoutTheDomain() {
        var planned = List.of(cabled(IFACES.get(0), "tor1", "Ethernet1"), cabled(IFACES.get(1), "tor2", "Ethernet7"));
        assertEquals(List.of(), CablingCheck.compare(List.of(heard(MAC1, "tor1.dc1.example.net", "Ethernet1", null),
                heard(MAC2, "TOR2", "ifindex-7", "Ethernet7")), planned, false));
    }

    @Test
    void aMissingOrWrongNeighbourFailsAndAnUncabledInterfaceIsNotedOrFailedAsConfigured() {
        var planned = List.of(cabled(IFACES.get(0), "tor1", "Ethernet1"), cabled(IFACES.get(1), null, null),
                cabled(IFACES.get(2), "oob-sw", "Gi1/0/1"));
        var wrong = CablingCheck.compare(List.of(heard(MAC1, "tor1", "Ethernet2", null)), planned, false);
        assertEquals(List.of(new Finding("eno1", "tor1/Ethernet1", "tor1/Ethernet2", true),
                new Finding("eno2", "no cable in NetBox", "nothing", false)), wrong);
        var missing = CablingCheck.compare(List.of(), planned, true);
        assertEquals(List.of(new Finding("eno1", "tor1/Ethernet1", "no LLDP neighbour", true),
                new Finding("eno2", "no cable in NetBox", "nothing", true)), missing);
    }

    @Test
    void figuresBelowTheirFloorFailNamingFigureAndFloor() {
        Thresholds t = new Thresholds(2, Map.of("poweredge-r650", new Thresholds.Floor(500_000, 0, 20_000, 0),
                "default", new Thresholds.Floor(100, 0, 0, 0)));
        assertEquals(List.of(new Finding("memtester passes", "≥ 2", "1", true),
                new Finding("memtester errors", "0", "3", true)), t.memory(new StepResult.MemoryFigures(16L, 1, 3)));
        var jobs = new StepResult.DiskFigures(List.of(
                new StepResult.DiskJob("/dev/sda", "seq", "read", 400_000.0, 3_000.0, null, null),
                new StepResult.DiskJob("/dev/sda", "rand", "randread", 80_000.0, 19_999.5, null, null),
                new StepResult.DiskJob("/dev/sda", "seqw", "write", 1.0, 1.0, null, null)));
        assertEquals(List.of(new Finding("/dev/sda seq (read)", "≥ 500000 KiB/s", "400000 KiB/s", true),
                new Finding("/dev/sda rand (randread)", "≥ 20000 IOPS", "19999.5 IOPS", true)),
                t.disk(jobs, "poweredge-r650"));
        assertEquals(List.of(), t.disk(jobs, "another-type"), "default: read ≥ 100 KiB/s only");
        assertEquals(List.of(), new Thresholds(1, Map.of()).disk(jobs, "poweredge-r650"), "no floors configured");
    }
}
