package io.bmpipeline.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.discovery.BmcFilter;
import io.bmpipeline.discovery.BmcLease;
import io.bmpipeline.discovery.DiscoveryCase;
import io.bmpipeline.discovery.DiscoveryDecider;
import io.bmpipeline.discovery.DiscoveryWriter;
import io.bmpipeline.lifecycle.FlapLimiter;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code bm-pipeline manifest reconcile} with the service stopped: NetBox holds devices in every state a manifest
 * and discovery leave them in, the stopped service's lease sightings hold the leases its discovery handled and what
 * it decided (written by the real decider and writer, recorded as the route records them), and the command reads the
 * file itself.
 */
@QuarkusMainTest
@TestProfile(ReconcileCliTest.StoppedService.class)
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class ReconcileCliTest {

    /** Lease sightings of this test's own, and a service address where nothing listens: the service is stopped. */
    public static class StoppedService implements QuarkusTestProfile {
        static final Path STORE = Path.of("target", "reconcile-cli", UUID.randomUUID().toString(), "lease-sightings")
                .toAbsolutePath();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bm.lease-sightings.path", STORE.toString(), "bm.management.url", "http://127.0.0.1:1/");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final BmcInterfacePattern BMC = new BmcInterfacePattern(Pattern.compile("(?i)bmc|ilo|idrac"));

    private NetBoxClient netbox;
    private NetBoxFixture fixture;
    private int macs;

    private MacAddress mac() {
        int h = fixture.tag().hashCode();
        return MacAddress.of(String.format("D0:94:66:%02X:%02X:%02X", (h >>> 8) & 0xff, h & 0xff, ++macs));
    }

    private NetBoxFixture.SeededDevice device(String suffix, String status, String iface, Optional<MacAddress> mac) {
        var device = fixture.device(fixture.serial(suffix), status, iface, "eth1");
        mac.ifPresent(m -> netbox.interfaces().setMac(device.iface(iface), m));
        return device;
    }

    /** What the service does with a lease: the decider's case, the writer's NetBox writes, the route's sighting. */
    private void discover(BmcLease lease) {
        DiscoveryDecider decider = new DiscoveryDecider(netbox, BMC, BmcFilter.acceptAll());
        DiscoveryWriter writer = new DiscoveryWriter(netbox, new FlapLimiter(Duration.ofHours(1), 1000), Clock.systemUTC());
        DiscoveryCase decided = decider.decide(lease);
        switch (decided) {
            case DiscoveryCase.SeenNotExpected c -> writer.seenNotExpected(c);
            case DiscoveryCase.Decided c when c.branch().equals("PROMOTE") -> writer.promote(c);
            case DiscoveryCase.Decided c when c.branch().equals("WARN") -> writer.warn(c);
            case DiscoveryCase c -> throw new AssertionError("unplanned case " + c.branch() + " for " + lease);
        }
        try (LeaseSightings sightings = LeaseSightings.open(StoppedService.STORE, Duration.ofDays(90), Clock.systemUTC())) {
            sightings.decided(decided);
        }
    }

    private BmcLease lease(String id, MacAddress mac, String ip, Instant at) {
        return new BmcLease("lease-" + fixture.tag() + "-" + id, mac, ip, OptionalInt.of(24), Optional.of("host-" + id),
                Optional.of("iDRAC"), "test-tap", at);
    }

    private Path csv(Path dir, String name, String serial, MacAddress mac) throws Exception {
        return Files.writeString(dir.resolve(name), "server_serial,server_bmc_mac\n" + serial + "," + mac.value() + "\n");
    }

    @Test
    void listsExpectedNotSeenAndSeenNotExpectedUntilManifestsAndLeasesMeet(QuarkusMainLauncher launcher) throws Exception {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        NetBoxFixture seeded = new NetBoxFixture(netbox);
        fixture = seeded;
        String net = fixture.net();
        List<String> ips = new ArrayList<>();
        try (seeded) {
            fixture.prefix(net + ".0/24");
            String site = "site-" + fixture.tag();
            Path dir = Files.createTempDirectory("bm-reconcile");

            MacAddress macA = mac();
            MacAddress macB = mac();
            MacAddress macC = mac();
            MacAddress unknownX = mac();
            MacAddress unknownY = mac();
            var waiting = device("A", "offline", "iDRAC", Optional.of(macA));      // expected, never leased
            var leased = device("B", "offline", "iLO", Optional.of(macB));         // expected, leases: discovered
            device("C", "active", "BMC", Optional.of(macC));                       // expected, in service already
            device("D", "offline", "iDRAC", Optional.empty());                     // no manifest yet: not expected
            device("E", "offline", "eth0", Optional.of(mac()));                    // a host NIC's MAC: not a BMC
            var lateY = device("F", "active", "iDRAC", Optional.empty());          // Y's manifest comes later
            var lateX = device("G", "active", "iDRAC", Optional.empty());          // X's manifest comes last
            MacAddress macH = mac();
            var planned = device("H", "planned", "iDRAC", Optional.of(macH));      // expected, leases: held back
            MacAddress macJ = mac();
            var secondary = device("J", "offline", "iDRAC", Optional.empty());     // a BMC MAC that is not primary
            fixture.secondaryMac(secondary.iface("iDRAC"), macJ);

            Instant t0 = Instant.parse("2026-11-30T08:00:00Z");
            discover(lease("b", macB, net + ".10", t0));
            ips.add(net + ".10");
            discover(lease("x1", unknownX, net + ".20", t0.plusSeconds(60)));
            discover(lease("x2", unknownX, net + ".21", t0.plusSeconds(3600)));
            discover(lease("x2", unknownX, net + ".21", t0.plusSeconds(3600)));  // the same lease event, replayed
            discover(lease("y1", unknownY, net + ".22", t0.plusSeconds(120)));
            discover(lease("h", macH, net + ".12", t0.plusSeconds(30)));
            assertEquals("discovered", netbox.devices().byId(leased.id()).orElseThrow().status());
            assertEquals("planned", netbox.devices().byId(planned.id()).orElseThrow().status());

            Path report = dir.resolve("report.json");
            LaunchResult first = launcher.launch("manifest", "reconcile", "--site", site, "--json", report.toString());
            assertEquals(1, first.exitCode(), first.getOutput() + first.getErrorOutput());
            String table = first.getOutput();
            assertTrue(table.matches("(?s).*expected\\s+5\\n.*seen\\s+3\\n.*expected, not seen\\s+2\\n"
                    + ".*seen, held back\\s+1\\n.*seen, not expected\\s+2\\n.*"), table);
            assertTrue(table.contains("the lease sightings " + StoppedService.STORE + ".mv.db"), table);
            assertTrue(table.contains("1 device counted seen without a kept lease"), table);
            String rowH = line(table, macH.value());
            assertTrue(rowH.contains(fixture.serial("H")) && rowH.contains(net + ".12") && rowH.contains("planned")
                    && rowH.contains("WARN (untouchable-lease-warns)"), rowH);
            String rowJ = line(table, macJ.value());
            assertTrue(rowJ.contains(fixture.serial("J")) && rowJ.contains("offline"), rowJ);
            assertTrue(table.indexOf("seen, not expected") < table.indexOf("SERIAL"), "counts come before the lists");
            String rowA = line(table, fixture.serial("A"));
            assertTrue(rowA.contains(site) && rowA.contains(macA.value()) && rowA.contains("offline"), rowA);
            String rowX = line(table, unknownX.value());
            assertTrue(rowX.contains(net + ".21") && rowX.contains("host-x2") && rowX.contains("iDRAC")
                    && rowX.contains("2026-11-30T08:01:00Z") && rowX.contains("2026-11-30T09:00:00Z")
                    && rowX.strip().endsWith(" 2"), rowX);
            assertTrue(table.contains("result: OUTSTANDING"), table);

            JsonNode json = JSON.readTree(Files.readString(report));
            assertEquals(ReconcileReport.SCHEMA, json.path("schema").asText());
            assertEquals(1, json.path("exitCode").asInt());
            assertEquals(List.of(site), JSON.convertValue(json.path("sites"), List.class));
            assertEquals(5, json.path("counts").path("expected").asInt());
            assertEquals(3, json.path("counts").path("seen").asInt());
            assertEquals(0, json.path("counts").path("unexpectedNowKnown").asInt());
            assertEquals(1, json.path("counts").path("seenWithoutLease").asInt(), "C: active, never leased here");
            JsonNode held = json.path("seenHeldBack");
            assertEquals(1, held.size(), held.toString());
            assertEquals(planned.id(), held.get(0).path("deviceId").asLong());
            assertEquals("planned", held.get(0).path("status").asText());
            assertEquals(macH.value(), held.get(0).path("lease").path("mac").asText());
            assertEquals("WARN", held.get(0).path("lease").path("decision").asText());
            assertEquals("untouchable-lease-warns", held.get(0).path("lease").path("rule").asText());
            JsonNode notSeen = json.path("expectedNotSeen");
            assertEquals(2, notSeen.size(), notSeen.toString());
            assertEquals(macJ.value(), notSeen.get(1).path("bmcMac").asText(), "a BMC MAC that is not primary is expected");
            assertEquals(fixture.serial("A"), notSeen.get(0).path("serial").asText());
            assertEquals(waiting.id(), notSeen.get(0).path("deviceId").asLong());
            assertEquals(waiting.device().name().orElseThrow(), notSeen.get(0).path("device").asText());
            assertEquals(site, notSeen.get(0).path("site").asText());
            assertEquals("iDRAC", notSeen.get(0).path("bmcInterface").asText());
            assertEquals(macA.value(), notSeen.get(0).path("bmcMac").asText());
            assertEquals("offline", notSeen.get(0).path("status").asText());
            JsonNode unexpected = json.path("seenNotExpected");
            assertEquals(List.of(unknownX.value(), unknownY.value()), unexpected.findValuesAsText("mac"),
                    "most recently seen first");
            JsonNode x = unexpected.get(0);
            assertEquals(net + ".21", x.path("ip").asText());
            assertEquals("host-x2", x.path("hostname").asText());
            assertEquals("iDRAC", x.path("vendorClass").asText());
            assertEquals("2026-11-30T08:01:00Z", x.path("firstSeen").asText());
            assertEquals("2026-11-30T09:00:00Z", x.path("lastSeen").asText());
            assertEquals(2, x.path("count").asInt(), "a replayed lease event is one lease");

            // Y's manifest arrives: NetBox expects Y now, so it is no longer "seen, not expected".
            LaunchResult loadY = launcher.launch("manifest", "load", csv(dir, "y.csv", fixture.serial("F"), unknownY).toString());
            assertEquals(0, loadY.exitCode(), loadY.getOutput());
            LaunchResult second = launcher.launch("manifest", "reconcile", "--site", site, "--json", report.toString());
            assertEquals(1, second.exitCode(), second.getOutput());
            json = JSON.readTree(Files.readString(report));
            assertEquals(List.of(unknownX.value()), json.path("seenNotExpected").findValuesAsText("mac"));
            assertEquals(1, json.path("counts").path("unexpectedNowKnown").asInt());
            assertEquals(6, json.path("counts").path("expected").asInt(), "F is expected, and seen: Y leased");
            assertEquals(4, json.path("counts").path("seen").asInt());
            assertEquals(1, json.path("counts").path("seenWithoutLease").asInt(), "F counts by Y's lease, not by status");
            assertFalse(second.getOutput().contains(unknownY.value()), second.getOutput());
            assertTrue(second.getOutput().contains("1 MAC leased before a manifest named it"), second.getOutput());

            // X's manifest arrives; A's and J's BMCs finally lease; H is put back on the lifecycle and its BMC
            // renews: nothing outstanding.
            assertEquals(0, launcher.launch("manifest", "load", csv(dir, "x.csv", fixture.serial("G"), unknownX).toString())
                    .exitCode());
            discover(lease("a", macA, net + ".11", t0.plusSeconds(7200)));
            ips.add(net + ".11");
            discover(lease("j", macJ, net + ".13", t0.plusSeconds(7200)));
            ips.add(net + ".13");
            assertEquals("discovered", netbox.devices().byId(secondary.id()).orElseThrow().status(), "J leased from its second MAC");
            netbox.devices().setStatus(planned.id(), "offline");
            discover(lease("h2", macH, net + ".12", t0.plusSeconds(7300)));
            ips.add(net + ".12");
            LaunchResult clean = launcher.launch("manifest", "reconcile", "--site", site, "--json", report.toString());
            assertEquals(0, clean.exitCode(), clean.getOutput());
            assertTrue(clean.getOutput().contains("result: RECONCILED"), clean.getOutput());
            json = JSON.readTree(Files.readString(report));
            assertEquals(0, json.path("expectedNotSeen").size());
            assertEquals(0, json.path("seenNotExpected").size());
            assertEquals(2, json.path("counts").path("unexpectedNowKnown").asInt());
            assertEquals(0, json.path("exitCode").asInt());
            assertTrue(lateX.id() > 0 && lateY.id() > 0);

            // NetBox says no to a site it does not have: the command cannot tell, and says why.
            LaunchResult noSite = launcher.launch("manifest", "reconcile", "--site", "no-such-site-" + fixture.tag());
            assertEquals(2, noSite.exitCode(), noSite.getOutput());
            assertTrue(noSite.getErrorOutput().contains("NetBox"), noSite.getErrorOutput());

            // No store where bm.lease-sightings.path points, and no service: no guessing "nothing unexpected".
            Files.delete(Path.of(StoppedService.STORE + ".mv.db"));
            LaunchResult noStore = launcher.launch("manifest", "reconcile", "--site", site);
            assertEquals(2, noStore.exitCode(), noStore.getOutput());
            assertTrue(noStore.getErrorOutput().contains("no such store"), noStore.getErrorOutput());
            assertFalse(Files.exists(Path.of(StoppedService.STORE + ".mv.db")), "the command creates no store");
        } finally {
            for (String ip : ips) {
                netbox.ipam().addresses(ip).forEach(a -> netbox.ipam().deleteAddress(a.id()));
            }
        }
    }

    private static String line(String text, String containing) {
        return text.lines().filter(l -> l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + containing + " in\n" + text));
    }
}
