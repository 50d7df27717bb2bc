package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole Phase 0 path in the service: a capture replayed through the dhcp: component, the tap
 * route, the durable bus, the discovery route, and the real NetBox. The capture holds REQUEST/ACK
 * pairs of three seeded BMCs (ISC style: no hostname in the ACK), an ACK for a MAC nobody expects,
 * and an ACK from a rogue server for a seeded BMC.
 */
@QuarkusTest
@TestProfile(PcapReplayDiscoveryTest.Replay.class)
class PcapReplayDiscoveryTest {

    @jakarta.inject.Inject
    io.bmpipeline.events.EventBus bus;

    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    static NetBoxFixture fixture;
    static Instant started;
    static final List<NetBoxFixture.SeededDevice> devices = new ArrayList<>();
    static NetBoxFixture.SeededDevice victim;
    static String net;

    public static class Replay implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Seeded.class));
        }
    }

    public static class Seeded implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            LiveNetBox live = LiveNetBox.get();
            NetBoxClient netbox = live.client(live.tokenV1());
            fixture = new NetBoxFixture(netbox);
            started = Instant.now().minusSeconds(1);
            int h = fixture.tag().hashCode();
            net = fixture.netWithPrefix();
            String[] names = {"iLO", "iDRAC", "BMC"};
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                var device = fixture.device(fixture.serial("R" + i), "offline", names[i], "eth0");
                String mac = String.format("AC:1F:6B:%02X:%02X:%02X", (h >>> 8) & 0xff, h & 0xff, i + 1);
                netbox.interfaces().setMac(device.iface(names[i]), MacAddress.of(mac));
                devices.add(device);
                frames.add(DhcpFrameBuilder.request().xid(1000 + i).chaddr(mac).option(12, "bmc-" + i)
                        .option(60, "iDRAC").bytes());
                frames.add(DhcpFrameBuilder.ack().xid(1000 + i).chaddr(mac).yiaddr(10, 66, 0, 10 + i)
                        .from("52:54:00:00:00:02", 10, 66, 0, 2).bytes());
            }
            victim = fixture.device(fixture.serial("V"), "offline", "iLO");
            String victimMac = String.format("94:57:A5:%02X:%02X:99", (h >>> 8) & 0xff, h & 0xff);
            netbox.interfaces().setMac(victim.iface("iLO"), MacAddress.of(victimMac));
            frames.add(DhcpFrameBuilder.ack().xid(2000).chaddr(victimMac).from("66:66:66:66:66:66", 10, 66, 0, 66).bytes());
            frames.add(DhcpFrameBuilder.ack().xid(2001).chaddr("00:11:22:33:44:55").bytes());
            // The rogue answers a whole segment; a second rogue once: one alert each, not one per ACK.
            for (int i = 0; i < 30; i++) {
                frames.add(DhcpFrameBuilder.ack().xid(3000 + i).chaddr(String.format("02:%02X:%02X:00:01:%02X",
                                (h >>> 8) & 0xff, h & 0xff, i))
                        .from("66:66:66:66:66:66", 10, 66, 0, 66).bytes());
            }
            frames.add(DhcpFrameBuilder.ack().xid(4000).chaddr(String.format("02:%02X:%02X:00:02:01", (h >>> 8) & 0xff,
                    h & 0xff)).from("77:77:77:77:77:77", 10, 66, 0, 77).bytes());
            // A frame cut short on the wire: counted on the metrics page as dropped, reason truncated.
            frames.add(java.util.Arrays.copyOf(DhcpFrameBuilder.ack().xid(5000).chaddr("00:11:22:33:44:66").bytes(), 100));
            // The capture's addresses are rewritten into the fixture's own prefix so no two runs collide.
            List<byte[]> rewritten = frames.stream().map(f -> rewriteYiaddr(f, net)).toList();
            try {
                Path dir = Files.createDirectories(Path.of("target/replay-" + fixture.tag()));
                PcapWriter.classic(dir.resolve("leases.pcap"), rewritten, Instant.now(), ByteOrder.LITTLE_ENDIAN, false);
                return Map.of("bm.netbox.url", live.url().toString(),
                        "bm.netbox.token", live.tokenV2().secret(),
                        "bm.dhcp.enabled", "true",
                        "bm.dhcp.interface-name", "replay",
                        "bm.dhcp.pcap", dir.toString(),
                        "bm.dhcp.servers", "10.66.0.2");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {
            for (String suffix : List.of(".10", ".11", ".12")) {
                fixture.client().ipam().addresses(net + suffix).forEach(ip -> fixture.client().ipam().deleteAddress(ip.id()));
            }
            fixture.close();
        }
    }

    /** yiaddr sits at Ethernet 14 + IP 20 + UDP 8 + 16. */
    static byte[] rewriteYiaddr(byte[] frame, String net) {
        byte[] copy = frame.clone();
        int at = 14 + 20 + 8 + 16;
        if ((copy[at] & 0xff) == 10 && (copy[at + 1] & 0xff) == 66) {
            String[] parts = net.split("\\.");
            copy[at + 1] = (byte) Integer.parseInt(parts[1]);
            copy[at + 2] = (byte) Integer.parseInt(parts[2]);
        }
        return copy;
    }

    @Test
    void replayedLeasesDiscoverTheExpectedBmcsAndNothingElse() {
        NetBoxClient netbox = fixture.client();
        for (int i = 0; i < devices.size(); i++) {
            long id = devices.get(i).id();
            var device = Eventually.await("device " + id + " discovered", () -> netbox.devices().byId(id).orElseThrow(),
                    d -> d.status().equals("discovered") && d.oobIpAddress().isPresent());
            assertEquals(net + "." + (10 + i) + "/24", device.oobIpAddress().orElseThrow());
            List<JournalEntry> journal = netbox.journal().entries(id);
            assertEquals(1, journal.size());
            assertTrue(journal.getFirst().comments().contains("hostname bmc-" + i), journal.getFirst().comments());
            assertTrue(journal.getFirst().comments().contains("vendor class iDRAC"), journal.getFirst().comments());
        }
        var untouched = netbox.devices().byId(victim.id()).orElseThrow();
        assertEquals("offline", untouched.status(), "the rogue server's ACK must not be processed");
        assertTrue(untouched.oobIpAddress().isEmpty());
        assertEquals(List.of(), netbox.journal().entries(victim.id()));

        int h = fixture.tag().hashCode();
        List<String> alerted = new ArrayList<>();
        Eventually.await("the spoofed-ACK alerts", () -> {
            alerted.clear();
            // This run's alerts: the store under target/ keeps earlier runs' (their client MACs carry their tag).
            String tagged = String.format(":%02x:%02x:", (h >>> 8) & 0xff, h & 0xff);
            bus.replay(io.bmpipeline.events.Topics.HW_ALERTS, DhcpAlerts.SPOOFED_ACK, e -> {
                String client = e.envelope().data().path("clientMac").asText().toLowerCase(java.util.Locale.ROOT);
                if (client.contains(tagged) && e.envelope().time().isAfter(started)) {
                    alerted.add(e.envelope().data().path("sourceMac").asText());
                }
            });
            return List.copyOf(alerted);
        }, a -> a.size() >= 2);
        assertEquals(List.of("66:66:66:66:66:66", "77:77:77:77:77:77"), alerted,
                "31 ACKs from one rogue and 1 from another: one alert each");
    }

    @Test
    void everyFrameOfTheReplayIsOnTheMetricsPageByWhatBecameOfIt() {
        String page = Eventually.await("the tap's meters", () -> io.restassured.RestAssured.get(metrics).asString(),
                p -> value(p, "bm_dhcp_frames_total", "outcome=\"spoofed\"") >= 32);
        assertEquals(4, value(page, "bm_dhcp_frames_total", "outcome=\"lease\""), "3 BMCs and the unknown MAC");
        assertEquals(32, value(page, "bm_dhcp_frames_total", "outcome=\"spoofed\""));
        assertEquals(3, value(page, "bm_dhcp_frames_total", "reason=\"not_an_ack\""), "the 3 REQUESTs");
        assertEquals(1, value(page, "bm_dhcp_frames_total", "reason=\"truncated\""), "the frame cut short");
        assertTrue(value(page, "bm_dhcp_batch_leases_count", "interface=\"replay\"") >= 1, "batches are measured");
        assertEquals(value(page, "bm_dhcp_leases_stored_total", "interface=\"replay\""),
                value(page, "bm_dhcp_batch_leases_sum", "interface=\"replay\""), "every stored lease in a batch");
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}; 0 when none. */
    private static double value(String page, String name, String label) {
        return page.lines().filter(l -> l.startsWith(name + "{") && l.contains(label) && l.contains("interface=\"replay\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }
}
