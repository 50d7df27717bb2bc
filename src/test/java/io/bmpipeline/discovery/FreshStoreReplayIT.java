package io.bmpipeline.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.dhcp.DhcpTestFrames;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.H2EventBus;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.IpAddress;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A capture replayed a second time into a fresh, empty event store — a second tap of an HA pair with its own store,
 * or a replay after the store was lost — finds every journal entry of the first replay by its lease marker: it
 * writes no second warning or danger entry, no second IP, no other status. Each replay is its own packaged service
 * on its own data directory, so neither the bus nor the journal flap limiter of the first run can hide a duplicate.
 */
class FreshStoreReplayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LEASES = 7;

    /** What a device is in NetBox after a replay. */
    private record DeviceState(String status, Optional<String> bmcIp, List<JournalEntry> journal) {}

    @Test
    void aCaptureReplayedIntoAFreshStoreWritesNoSecondJournalEntryIpOrStatus() throws Exception {
        LiveNetBox live = LiveNetBox.get();
        NetBoxClient netbox = live.client(live.tokenV1());
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            int h = fixture.tag().hashCode();
            String net = fixture.netWithPrefix();
            List<String> macs = new ArrayList<>();
            for (int i = 0; i < LEASES; i++) {
                macs.add(String.format("94:57:A5:%02X:%02X:%02X", (h >>> 8) & 0xff, h & 0xff, 0x40 + i));
            }
            // The i-th MAC leases net.(10 + i); one device (or two) per lease, each a different branch of the router.
            Map<String, Long> devices = new LinkedHashMap<>();
            bmc(fixture, devices, "promoted", "offline", macs.get(0));
            var warned = bmc(fixture, devices, "ip-differs", "active", macs.get(1));
            netbox.devices().setOobIp(warned.id(), fixture.ip(net + ".201/24", "active", Optional.empty(),
                    Optional.of(warned.iface("iLO").id()), "planned BMC IP").id());
            bmc(fixture, devices, "mac-twice-a", "offline", macs.get(2));
            bmc(fixture, devices, "mac-twice-b", "offline", macs.get(2));
            bmc(fixture, devices, "ip-taken", "offline", macs.get(3));
            var holder = bmc(fixture, devices, "ip-holder", "active",
                    String.format("94:57:A5:%02X:%02X:%02X", (h >>> 8) & 0xff, h & 0xff, 0x7f));
            netbox.devices().setOobIp(holder.id(), fixture.ip(net + ".13/24", "active", Optional.empty(),
                    Optional.of(holder.iface("iLO").id()), "").id());
            bmc(fixture, devices, "ip-reserved", "offline", macs.get(4));
            fixture.ip(net + ".14/24", "reserved", Optional.empty(), Optional.empty(), "held for the router");
            bmc(fixture, devices, "planned", "planned", macs.get(5));
            bmc(fixture, devices, "no-ip", "discovered", macs.get(6));

            Path work = Files.createTempDirectory("bm-fresh-store");
            Path pcap = work.resolve("leases.pcap");
            DhcpTestFrames.writeBurst(pcap, macs, net, 10);
            try {
                replay(live, pcap, work.resolve("first"));
                Map<String, DeviceState> first = states(netbox, devices);
                Map<String, List<IpAddress>> firstIps = ips(netbox, net);
                // The first replay wrote what each branch writes: the warnings and dangers this test is about.
                assertEquals(List.of(JournalEntry.Kind.SUCCESS), kinds(first.get("promoted")));
                assertEquals("discovered", first.get("promoted").status());
                assertEquals(Optional.of(net + ".10/24"), first.get("promoted").bmcIp());
                assertEquals(List.of(JournalEntry.Kind.WARNING), kinds(first.get("ip-differs")));
                assertEquals(Optional.of(net + ".201/24"), first.get("ip-differs").bmcIp());
                for (String quarantined : List.of("mac-twice-a", "mac-twice-b", "ip-taken", "ip-holder", "ip-reserved")) {
                    assertEquals(List.of(JournalEntry.Kind.DANGER), kinds(first.get(quarantined)), quarantined);
                }
                assertEquals(List.of(JournalEntry.Kind.WARNING), kinds(first.get("planned")));
                assertEquals(List.of(JournalEntry.Kind.INFO), kinds(first.get("no-ip")));
                assertEquals(Optional.of(net + ".16/24"), first.get("no-ip").bmcIp());

                replay(live, pcap, work.resolve("second"));

                Map<String, DeviceState> second = states(netbox, devices);
                for (String device : devices.keySet()) {
                    assertEquals(first.get(device), second.get(device), device + ": journal, BMC IP and status");
                }
                assertEquals(firstIps, ips(netbox, net), "the same IP objects, none added");
                // The second service went down the same branches: it warned and quarantined again, journaling nothing.
                for (String type : List.of(EventTypes.DEVICE_WARNING, EventTypes.DEVICE_QUARANTINED)) {
                    String topic = type.equals(EventTypes.DEVICE_WARNING) ? Topics.DEVICE_STATE : Topics.HW_ALERTS;
                    assertEquals(announced(work.resolve("first"), topic, type), announced(work.resolve("second"), topic, type),
                            type);
                }
                assertEquals(2, announced(work.resolve("second"), Topics.DEVICE_STATE, EventTypes.DEVICE_WARNING).size());
                assertEquals(3, announced(work.resolve("second"), Topics.HW_ALERTS, EventTypes.DEVICE_QUARANTINED).size());
            } finally {
                for (String host : List.of(".10", ".16")) {
                    netbox.ipam().addresses(net + host).forEach(ip -> netbox.ipam().deleteAddress(ip.id()));
                }
            }
        }
    }

    /** A device named {@code name} in {@code status} whose iLO has {@code mac}. */
    private static NetBoxFixture.SeededDevice bmc(NetBoxFixture fixture, Map<String, Long> devices, String name,
                                                  String status, String mac) {
        var device = fixture.device(fixture.serial(name), status, "iLO", "eth0");
        fixture.client().interfaces().setMac(device.iface("iLO"), MacAddress.of(mac));
        devices.put(name, device.id());
        return device;
    }

    private static Map<String, DeviceState> states(NetBoxClient netbox, Map<String, Long> devices) {
        Map<String, DeviceState> states = new LinkedHashMap<>();
        devices.forEach((name, id) -> {
            var device = netbox.devices().byId(id).orElseThrow();
            states.put(name, new DeviceState(device.status(), device.oobIpAddress(), netbox.journal().entries(id)));
        });
        return states;
    }

    private static Map<String, List<IpAddress>> ips(NetBoxClient netbox, String net) {
        Map<String, List<IpAddress>> ips = new LinkedHashMap<>();
        for (int host = 10; host < 10 + LEASES; host++) {
            ips.put(net + "." + host, netbox.ipam().addresses(net + "." + host));
        }
        ips.put(net + ".201", netbox.ipam().addresses(net + ".201"));
        return ips;
    }

    private static List<JournalEntry.Kind> kinds(DeviceState state) {
        return state.journal().stream().map(JournalEntry::kind).toList();
    }

    /** The subjects (serials) of the announcements of {@code type} in a stopped service's store. */
    private static TreeSet<String> announced(Path data, String topic, String type) {
        TreeSet<String> subjects = new TreeSet<>();
        H2EventBus.replayStopped(data.resolve("bus"), topic, type, e -> subjects.add(e.envelope().subject()));
        return subjects;
    }

    /**
     * Replays the capture through the packaged service on a new data directory (a fresh bus store and spool), waits
     * until its tap stored every lease and its discovery acknowledged them all, and stops it.
     */
    private static void replay(LiveNetBox live, Path pcap, Path data) throws Exception {
        Files.createDirectories(data);
        int management;
        try (ServerSocket free = new ServerSocket(0)) {
            management = free.getLocalPort();
        }
        Path log = data.resolve("service.log");
        Process service = io.bmpipeline.testbed.PackagedService.start(live, data, log, management, Map.of(
                "BM_DHCP_ENABLED", "true", "BM_DHCP_INTERFACE_NAME", "replay", "BM_DHCP_PCAP", pcap.toString()));
        try {
            URI ready = URI.create("http://127.0.0.1:" + management + "/q/health/ready");
            Eventually.await("every lease stored (log " + log + ")", Duration.ofMinutes(2),
                    () -> readiness(service, ready, log, "dhcp-tap", "replay"), s -> s.contains(LEASES + " stored"));
            String discovery = Eventually.await("every lease applied (log " + log + ")", Duration.ofMinutes(2),
                    () -> readiness(service, ready, log, "event-bus", Topics.DHCP_EVENTS + "/discovery"),
                    s -> s.startsWith("0 pending"));
            assertEquals("0 pending, 0 dead", discovery, "no lease failed");
        } finally {
            service.destroy();
            service.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** The text of the readiness check {@code check}'s {@code key}; empty while the service does not answer it. */
    private static String readiness(Process service, URI ready, Path log, String check, String key) {
        if (!service.isAlive()) {
            throw new AssertionError("the service exited " + service.exitValue() + "; log " + log);
        }
        try {
            HttpURLConnection connection = (HttpURLConnection) ready.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(5000);
            try (var in = connection.getResponseCode() < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                for (JsonNode c : JSON.readTree(in).path("checks")) {
                    if (c.path("name").asText().equals(check)) {
                        return c.path("data").path(key).asText("");
                    }
                }
                return "";
            }
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
