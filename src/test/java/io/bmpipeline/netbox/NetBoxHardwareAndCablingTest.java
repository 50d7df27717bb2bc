package io.bmpipeline.netbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.testbed.LiveNetBox;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What PXE validation reads from NetBox, in the live NetBox: a device's hardware (its type's manufacturer and model,
 * its serial), its local config context written back, and for each interface the switch port NetBox plans at the far
 * end of its cable, through a patch panel too.
 */
class NetBoxHardwareAndCablingTest {

    private NetBoxClient netbox;
    private NetBoxFixture fixture;

    @BeforeEach
    void seed() {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV2());
        fixture = new NetBoxFixture(netbox);
    }

    @AfterEach
    void clean() {
        fixture.close();
    }

    private static ObjectNode object() {
        return NetBoxHttp.json().createObjectNode();
    }

    @Test
    void hardwareIsTheDeviceTypesManufacturerAndModelAndTheSerial() {
        var server = fixture.deviceWithType("Dell Inc.", "PowerEdge R650", fixture.serial("S"), "planned", "eth0");
        fixture.setPartNumber("Dell Inc.", "PowerEdge R650", "0R650X");
        var other = fixture.deviceWithType("Dell Inc.", "PowerEdge R750", fixture.serial("T"), "planned");

        DeviceHardware hardware = netbox.devices().hardware(server.id()).orElseThrow();

        assertEquals(new DeviceHardware(server.id(), fixture.serial("S"), fixture.manufacturer("Dell Inc."),
                NetBoxFixture.slug(fixture.manufacturer("Dell Inc.")), "PowerEdge R650", "poweredge-r650",
                Optional.of("0R650X"), object()), hardware);
        assertEquals(Optional.empty(), netbox.devices().hardware(other.id()).orElseThrow().partNumber(),
                "a type without a part number");
        assertEquals(Optional.empty(), netbox.devices().hardware(999_999_999L), "no such device");
    }

    @Test
    void localContextIsReplacedAndKeepsTheKeysTheCallerMergedIn() {
        var server = fixture.deviceWithType("Supermicro", "SYS-1029P", fixture.serial("S"), "planned");
        ObjectNode site = object();
        site.putObject("ntp").put("server", "10.0.0.1");

        DeviceHardware written = netbox.devices().setLocalContext(server.id(), site);
        assertEquals(site, written.localContext());
        assertEquals(fixture.manufacturer("Supermicro"), written.manufacturer(), "the write answers the hardware");
        assertEquals("SYS-1029P", written.model());

        ObjectNode merged = netbox.devices().hardware(server.id()).orElseThrow().localContext();
        merged.putObject("pxe").put("validated", true);
        netbox.devices().setLocalContext(server.id(), merged);
        ObjectNode read = netbox.devices().hardware(server.id()).orElseThrow().localContext();
        assertEquals("10.0.0.1", read.path("ntp").path("server").asText(), "the merged-in key kept");
        assertTrue(read.path("pxe").path("validated").asBoolean());

        ObjectNode alone = object();
        alone.putObject("pxe").put("validated", false);
        assertEquals(alone, netbox.devices().setLocalContext(server.id(), alone).localContext(),
                "what the caller leaves out is gone: the context is replaced, not merged");

        assertThrows(IllegalArgumentException.class,
                () -> netbox.devices().setLocalContext(server.id(), NetBoxHttp.json().createArrayNode()));
    }

    @Test
    void cablingGivesTheSwitchPortDirectlyOrThroughAPatchPanelAndNoPeerWithoutACable() {
        var server = fixture.device(fixture.serial("S"), "planned", "eth0", "eth1", "eth2");
        var sw = fixture.deviceOfRole("switch", fixture.serial("W"), "active", "Ethernet1", "Ethernet2");
        int h = fixture.tag().hashCode();
        MacAddress mac = MacAddress.of(String.format("3C:EC:%02X:%02X:%02X:01", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff));
        netbox.interfaces().setMac(server.iface("eth0"), mac);
        fixture.cable(server.iface("eth0"), sw.iface("Ethernet1"));
        var panel = fixture.patchedThrough(server.iface("eth1"), sw.iface("Ethernet2"));
        String switchName = sw.device().name().orElseThrow();
        String serverName = server.device().name().orElseThrow();

        Map<String, CabledInterface> cabling = byName(netbox.interfaces().cabling(server.id()));

        assertEquals(Optional.of(new CabledInterface.Peer(switchName, "Ethernet1")), cabling.get("eth0").peer());
        assertEquals(Optional.of(new CabledInterface.Peer(switchName, "Ethernet2")), cabling.get("eth1").peer(),
                "the switch port behind " + panel.device().label() + ", not the panel's front port");
        assertEquals(Optional.empty(), cabling.get("eth2").peer(), "no cable");
        assertEquals(byId(netbox.interfaces().ofDevice(server.id())),
                cabling.values().stream().map(CabledInterface::iface)
                        .collect(Collectors.toMap(DeviceInterface::id, Function.identity())),
                "the interfaces read as ofDevice reads them");
        assertEquals(Optional.of(mac), cabling.get("eth0").iface().mac());

        Map<String, CabledInterface> fromTheSwitch = byName(netbox.interfaces().cabling(sw.id()));
        assertEquals(Optional.of(new CabledInterface.Peer(serverName, "eth0")), fromTheSwitch.get("Ethernet1").peer());
        assertEquals(Optional.of(new CabledInterface.Peer(serverName, "eth1")), fromTheSwitch.get("Ethernet2").peer());
        assertEquals(List.of(), netbox.interfaces().cabling(panel.id()), "a panel has ports, not interfaces");
    }

    private static Map<String, CabledInterface> byName(List<CabledInterface> cabling) {
        return cabling.stream().collect(Collectors.toMap(c -> c.iface().name(), Function.identity()));
    }

    private static Map<Long, DeviceInterface> byId(List<DeviceInterface> interfaces) {
        return interfaces.stream().collect(Collectors.toMap(DeviceInterface::id, Function.identity()));
    }
}
