package io.bmpipeline.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.IpAddress;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The discovery route end to end inside the service: a lease published on bm.dhcp.events, the
 * lifecycle table's decision, and the resulting NetBox objects and journal — one test per row of
 * the spec's Phase 0 table and per rule of DESIGN §2.
 */
@QuarkusTest
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class DiscoveryRouteTest {

    @Inject
    EventBus bus;

    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    private NetBoxClient netbox;
    private NetBoxFixture fixture;
    private String net;
    private int macs;

    @BeforeEach
    void seed() {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        fixture = new NetBoxFixture(netbox);
        net = fixture.netWithPrefix();
    }

    @AfterEach
    void clean() {
        for (int i = 1; i < 40; i++) {
            netbox.ipam().addresses(net + "." + i).forEach(ip -> netbox.ipam().deleteAddress(ip.id()));
        }
        fixture.close();
    }

    private MacAddress mac() {
        int h = fixture.tag().hashCode();
        return MacAddress.of(String.format("94:57:A5:%02X:%02X:%02X", (h >>> 8) & 0xff, h & 0xff, ++macs));
    }

    private NetBoxFixture.SeededDevice bmcDevice(String status, String bmcName, MacAddress mac) {
        var device = fixture.device(fixture.serial(UUID.randomUUID().toString().substring(0, 6)), status, bmcName, "eth0");
        netbox.interfaces().setMac(device.iface(bmcName), mac);
        return device;
    }

    private void lease(String leaseId, MacAddress mac, String ip) {
        bus.publish(Topics.DHCP_EVENTS, new BmcLease(leaseId, mac, ip, OptionalInt.of(24), Optional.of("bmc-host"),
                Optional.of("iDRAC"), "test-tap", Instant.now()).toEnvelope());
    }

    private List<JournalEntry> journalWhen(long deviceId, int count) {
        return Eventually.await("journal entries on device " + deviceId, () -> netbox.journal().entries(deviceId),
                entries -> entries.size() >= count);
    }

    @Test
    void offlineDeviceIsPromotedToDiscoveredWithItsBmcIpAndOneJournalEntryWhateverTheReplays() {
        MacAddress mac = mac();
        var device = bmcDevice("offline", "iLO", mac);
        for (int i = 0; i < 10; i++) {
            lease("lease-" + fixture.tag() + "-a", mac, net + ".10");   // the same lease event, replayed
            lease("lease-" + fixture.tag() + "-renew" + i, mac, net + ".10");  // renewals of it
        }
        Eventually.await("device discovered", () -> netbox.devices().byId(device.id()).orElseThrow(),
                d -> d.status().equals("discovered") && d.oobIpAddress().isPresent());
        // A marker lease after the burst: when it is applied, every earlier event of this device was too.
        var other = bmcDevice("offline", "iDRAC", mac());
        lease("lease-" + fixture.tag() + "-marker", netbox.interfaces().ofDevice(other.id()).stream()
                .filter(i -> i.name().equals("iDRAC")).findFirst().orElseThrow().mac().orElseThrow(), net + ".11");
        Eventually.await("marker applied", () -> netbox.devices().byId(other.id()).orElseThrow(), d -> d.status().equals("discovered"));

        var after = netbox.devices().byId(device.id()).orElseThrow();
        assertEquals(net + ".10/24", after.oobIpAddress().orElseThrow());
        List<IpAddress> ips = netbox.ipam().addresses(net + ".10");
        assertEquals(1, ips.size());
        assertTrue(ips.getFirst().isAssignedToInterface(device.iface("iLO").id()));
        List<JournalEntry> journal = netbox.journal().entries(device.id());
        assertEquals(1, journal.size(), journal.toString());
        assertEquals(JournalEntry.Kind.SUCCESS, journal.getFirst().kind());
        assertTrue(journal.getFirst().comments().contains("offline → discovered"), journal.getFirst().comments());
    }

    @Test
    void discoveredDeviceWithANewLeaseGetsItsBmcIpRefreshed() {
        MacAddress mac = mac();
        var device = bmcDevice("offline", "BMC", mac);
        lease("lease-" + fixture.tag() + "-1", mac, net + ".12");
        Eventually.await("discovered", () -> netbox.devices().byId(device.id()).orElseThrow(), d -> d.status().equals("discovered"));
        lease("lease-" + fixture.tag() + "-2", mac, net + ".13");
        var refreshed = Eventually.await("refreshed", () -> netbox.devices().byId(device.id()).orElseThrow(),
                d -> d.oobIpAddress().filter((net + ".13/24")::equals).isPresent());
        assertEquals("discovered", refreshed.status());
        assertEquals(2, journalWhen(device.id(), 2).size());
        awaitQuiet(device.id());
        assertEquals(List.of(), netbox.ipam().addresses(net + ".12"), "the earlier lease's IP is replaced");
        assertEquals(List.of(net + ".13/24"), netbox.ipam().addressesOfInterface(device.iface("BMC").id()).stream()
                .map(IpAddress::address).toList());
    }

    @Test
    void activeDeviceWithoutIpGetsTheLeasedIpAndStaysActive() {
        MacAddress mac = mac();
        var device = bmcDevice("active", "iDRAC", mac);
        lease("lease-" + fixture.tag() + "-1", mac, net + ".14");
        var after = Eventually.await("IP assigned", () -> netbox.devices().byId(device.id()).orElseThrow(),
                d -> d.oobIpAddress().isPresent());
        assertEquals("active", after.status());
        assertEquals(net + ".14/24", after.oobIpAddress().orElseThrow());
        assertEquals(JournalEntry.Kind.INFO, journalWhen(device.id(), 1).getFirst().kind());
    }

    @Test
    void activeDeviceWithTheSameIpIsLeftAlone() {
        MacAddress mac = mac();
        var device = bmcDevice("active", "iLO", mac);
        lease("lease-" + fixture.tag() + "-1", mac, net + ".15");
        journalWhen(device.id(), 1);
        lease("lease-" + fixture.tag() + "-2", mac, net + ".15");
        awaitQuiet(device.id());
        assertEquals(1, netbox.journal().entries(device.id()).size());
        assertEquals("active", netbox.devices().byId(device.id()).orElseThrow().status());
    }

    @Test
    void activeDeviceWithDifferentIpGetsWarningNotWrite() {
        MacAddress mac = mac();
        var device = bmcDevice("active", "iLO", mac);
        lease("lease-" + fixture.tag() + "-1", mac, net + ".16");
        journalWhen(device.id(), 1);
        lease("lease-" + fixture.tag() + "-2", mac, net + ".17");
        List<JournalEntry> journal = journalWhen(device.id(), 2);
        assertEquals(JournalEntry.Kind.WARNING, journal.stream().filter(e -> e.kind() == JournalEntry.Kind.WARNING)
                .findFirst().orElseThrow().kind());
        assertEquals(net + ".16/24", netbox.devices().byId(device.id()).orElseThrow().oobIpAddress().orElseThrow());
        assertEquals(List.of(), netbox.ipam().addresses(net + ".17"));
        // A flapping BMC: more different leases journal no more warnings inside the window, but each is an event.
        lease("lease-" + fixture.tag() + "-3", mac, net + ".18");
        lease("lease-" + fixture.tag() + "-4", mac, net + ".19");
        awaitQuiet(device.id());
        assertEquals(2, netbox.journal().entries(device.id()).size());
        List<String> warned = new java.util.ArrayList<>();
        bus.replay(Topics.DEVICE_STATE, io.bmpipeline.events.EventTypes.DEVICE_WARNING, e -> {
            if (e.envelope().data().path("deviceId").asLong() == device.id()) {
                warned.add(e.envelope().data().path("bmcIp").asText());
            }
        });
        assertEquals(List.of(net + ".17", net + ".18", net + ".19"), warned);
    }

    @Test
    void deviceInAStatusThePipelineDoesNotManageGetsAWarningAndNoAction() {
        MacAddress mac = mac();
        var device = bmcDevice("planned", "iLO", mac);
        lease("lease-" + fixture.tag() + "-1", mac, net + ".20");
        JournalEntry entry = journalWhen(device.id(), 1).getFirst();
        assertEquals(JournalEntry.Kind.WARNING, entry.kind());
        var after = netbox.devices().byId(device.id()).orElseThrow();
        assertEquals("planned", after.status());
        assertTrue(after.oobIpAddress().isEmpty());
        assertEquals(List.of(), netbox.ipam().addresses(net + ".20"));
    }

    @Test
    void bmcMacOnTwoDevicesIsQuarantinedAndNothingIsWritten() {
        MacAddress mac = mac();
        var first = bmcDevice("offline", "iLO", mac);
        var second = bmcDevice("offline", "iDRAC", mac);
        lease("lease-" + fixture.tag() + "-1", mac, net + ".21");
        for (var device : List.of(first, second)) {
            // Each device in the conflict gets the entry, naming both devices by name.
            JournalEntry entry = journalWhen(device.id(), 1).getFirst();
            assertEquals(JournalEntry.Kind.DANGER, entry.kind());
            assertTrue(entry.comments().contains("quarantined"), entry.comments());
            assertTrue(entry.comments().contains(first.device().label()) && entry.comments().contains(second.device().label()),
                    entry.comments());
            assertEquals("offline", netbox.devices().byId(device.id()).orElseThrow().status());
        }
        assertEquals(List.of(), netbox.ipam().addresses(net + ".21"));
    }

    @Test
    void leasedIpHeldByAnotherDevicesBmcIsQuarantined() {
        MacAddress holderMac = mac();
        var holder = bmcDevice("offline", "iLO", holderMac);
        lease("lease-" + fixture.tag() + "-1", holderMac, net + ".22");
        Eventually.await("holder discovered", () -> netbox.devices().byId(holder.id()).orElseThrow(),
                d -> d.status().equals("discovered"));
        MacAddress newcomerMac = mac();
        var newcomer = bmcDevice("offline", "iLO", newcomerMac);
        lease("lease-" + fixture.tag() + "-2", newcomerMac, net + ".22");
        assertEquals(JournalEntry.Kind.DANGER, journalWhen(newcomer.id(), 1).getFirst().kind());
        assertEquals("offline", netbox.devices().byId(newcomer.id()).orElseThrow().status());
        assertTrue(netbox.ipam().addresses(net + ".22").getFirst().isAssignedToInterface(holder.iface("iLO").id()));
    }

    @Test
    void decisionsNetBoxCallsAndLatencyAreOnTheMetricsPage() {
        MacAddress mac = mac();
        var device = bmcDevice("offline", "iLO", mac);
        lease("lease-" + fixture.tag() + "-metered", mac, net + ".32");
        Eventually.await("discovered", () -> netbox.devices().byId(device.id()).orElseThrow(), d -> d.status().equals("discovered"));
        String page = Eventually.await("meters", () -> io.restassured.RestAssured.get(metrics).asString(),
                p -> p.contains("bm_discovery_latency_seconds_count"));
        assertTrue(meter(page, "bm_discovery_decisions_total{", "branch=\"PROMOTE\"",
                "rule=\"offline-lease-promotes-and-assigns-ip\""), "decisions by branch and rule");
        assertTrue(meter(page, "bm_netbox_requests_seconds_count{", "call=\"PATCH /api/dcim/devices/", "outcome=\"ok\""),
                "NetBox calls by kind and outcome");
        assertTrue(page.contains("bm_discovery_latency_seconds_bucket"), "a latency histogram");
    }

    @Test
    void aLeaseOfAnAddressNetBoxReservesIsQuarantinedNamingWhy() {
        MacAddress mac = mac();
        var device = bmcDevice("offline", "iDRAC", mac);
        fixture.ip(net + ".45/24", "reserved", Optional.empty(), Optional.empty(), "kept for the new router");
        lease("lease-" + fixture.tag() + "-reserved", mac, net + ".45");
        JournalEntry entry = journalWhen(device.id(), 1).getFirst();
        assertEquals(JournalEntry.Kind.DANGER, entry.kind());
        assertTrue(entry.comments().contains(net + ".45/24 is reserved in NetBox"), entry.comments());
        assertTrue(entry.comments().contains("lease-ip-not-free"), entry.comments());
        var after = netbox.devices().byId(device.id()).orElseThrow();
        assertEquals("offline", after.status());
        assertTrue(after.oobIpAddress().isEmpty());
        assertEquals(1, netbox.ipam().addresses(net + ".45").size());
    }

    @Test
    void vendorBmcsFlaggedManagementOnlyAreDiscoveredWhateverTheirName() {
        List<String> names = List.of("XCC", "IPMI", "CIMC", "mgmt0", "OOB");
        List<NetBoxFixture.SeededDevice> devices = new java.util.ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            MacAddress mac = mac();
            var device = fixture.device(fixture.serial(UUID.randomUUID().toString().substring(0, 6)), "offline",
                    names.get(i), "eth0");
            fixture.mgmtOnly(device.iface(names.get(i)));
            netbox.interfaces().setMac(device.iface(names.get(i)), mac);
            devices.add(device);
            lease("lease-" + fixture.tag() + "-v" + i, mac, net + "." + (24 + i));
        }
        for (int i = 0; i < names.size(); i++) {
            long id = devices.get(i).id();
            var after = Eventually.await(names.get(i) + " discovered", () -> netbox.devices().byId(id).orElseThrow(),
                    d -> d.status().equals("discovered"));
            assertEquals(net + "." + (24 + i) + "/24", after.oobIpAddress().orElseThrow(), names.get(i));
        }
    }

    @Test
    void aLeaseOfAMacNetBoxHasOnAHostNicIsReportedNamingTheDeviceAndInterface() {
        MacAddress nic = mac();
        var host = fixture.device(fixture.serial(UUID.randomUUID().toString().substring(0, 6)), "offline", "iLO", "eth0");
        netbox.interfaces().setMac(host.iface("eth0"), nic);
        var watcher = bus.subscribe(Topics.DEVICE_STATE, "test-nic-" + fixture.tag(), new io.bmpipeline.events.RetryPolicy(0,
                java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(10)));
        lease("lease-" + fixture.tag() + "-nic", nic, net + ".29");
        var seen = Eventually.await("seen-not-expected event", () -> {
            var next = watcher.poll(Instant.now());
            next.ifPresent(watcher::ack);
            return next.filter(d -> d.envelope().subject().equals(nic.value()));
        }, Optional::isPresent).orElseThrow();
        assertEquals(host.device().label() + "/eth0", seen.envelope().data().path("knownOn").path(0).asText());
        assertEquals("offline", netbox.devices().byId(host.id()).orElseThrow().status());
        assertEquals(List.of(), netbox.ipam().addresses(net + ".29"));
    }

    @Test
    void leaseOfAnUnknownMacIsReportedAsSeenNotExpectedAndWritesNothing() {
        MacAddress stranger = mac();
        var watcher = bus.subscribe(Topics.DEVICE_STATE, "test-" + fixture.tag(), new io.bmpipeline.events.RetryPolicy(0,
                java.time.Duration.ofMillis(10), java.time.Duration.ofMillis(10)));
        lease("lease-" + fixture.tag() + "-1", stranger, net + ".23");
        var seen = Eventually.await("seen-not-expected event", () -> {
            var next = watcher.poll(Instant.now());
            next.ifPresent(watcher::ack);
            return next.filter(d -> d.envelope().subject().equals(stranger.value()));
        }, Optional::isPresent).orElseThrow();
        assertEquals(io.bmpipeline.events.EventTypes.DHCP_LEASE_UNEXPECTED, seen.envelope().type());
        assertEquals(List.of(), netbox.ipam().addresses(net + ".23"));
    }

    /** Lets a later marker lease on a fresh device pass the route, so earlier events are done. */
    @Test
    void aDeviceLeasingFromTwoMacsEndsWithItsNewestLeaseWhateverOrderTheyAreAppliedIn() {
        MacAddress first = mac();
        MacAddress second = mac();
        var device = fixture.device(fixture.serial(UUID.randomUUID().toString().substring(0, 6)), "offline",
                "iDRAC", "BMC", "eth0");
        netbox.interfaces().setMac(device.iface("iDRAC"), first);
        netbox.interfaces().setMac(device.iface("BMC"), second);
        Instant older = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant newer = older.plusSeconds(30);
        // Two keys: the bus may hand them to two workers at once, in any order. Newest published first.
        bus.publishAll(Topics.DHCP_EVENTS, List.of(
                new BmcLease("lease-" + fixture.tag() + "-port2", second, net + ".21", OptionalInt.of(24),
                        Optional.empty(), Optional.empty(), "test-tap", newer).toEnvelope(),
                new BmcLease("lease-" + fixture.tag() + "-port1", first, net + ".20", OptionalInt.of(24),
                        Optional.empty(), Optional.empty(), "test-tap", older).toEnvelope()));
        Eventually.await("both leases applied", () -> bus.subscriptions().stream()
                .filter(s -> s.topic().equals(Topics.DHCP_EVENTS) && s.group().equals("discovery"))
                .findFirst().orElseThrow().status(), status -> status.pending() == 0);

        var after = netbox.devices().byId(device.id()).orElseThrow();
        assertEquals("discovered", after.status());
        assertEquals(net + ".21/24", after.oobIpAddress().orElseThrow(), "the older lease never replaces the newer");
        assertEquals(Optional.of(newer), after.oobIpDescription().flatMap(LeaseStamp::seenAt));
    }

    @Test
    void devicesPerLifecycleStatusAreOnTheMetricsPage() {
        fixture.device(fixture.serial("counted"), "staged", "iLO");
        // The service counts every few seconds (2 s in tests); it agrees with NetBox once a count has run since.
        Eventually.await("bm_devices counted", () -> io.restassured.RestAssured.get(metrics).asString(),
                page -> {
                    long staged = netbox.devices().countWithStatus("staged");
                    return staged > 0 && sample(page, "bm_devices{status=\"staged\"}") == staged;
                });
        String page = io.restassured.RestAssured.get(metrics).asString();
        for (String status : List.of("offline", "discovered", "staged", "ready", "active")) {
            assertTrue(sample(page, "bm_devices{status=\"" + status + "\"}") >= 0, status + ": " + page);
        }
        assertTrue(sample(page, "bm_devices_counted_seconds") > Instant.now().minusSeconds(60).getEpochSecond(),
                "when the counts were taken");
    }

    /** The value of the sample line {@code name} (with its labels), NaN when the page has none. */
    private static double sample(String page, String name) {
        return page.lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(Double.NaN);
    }

    /** A sample line of {@code name} with all of {@code tags} and a value above zero. */
    private static boolean meter(String page, String name, String... tags) {
        return page.lines().anyMatch(l -> l.startsWith(name) && java.util.Arrays.stream(tags).allMatch(l::contains)
                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0);
    }

    private void awaitQuiet(long deviceId) {
        var marker = bmcDevice("offline", "BMC", mac());
        MacAddress markerMac = netbox.interfaces().ofDevice(marker.id()).stream().filter(i -> i.name().equals("BMC"))
                .findFirst().orElseThrow().mac().orElseThrow();
        lease("lease-" + fixture.tag() + "-quiet-" + deviceId, markerMac, net + ".30");
        Eventually.await("marker applied", () -> netbox.devices().byId(marker.id()).orElseThrow(),
                d -> d.status().equals("discovered"));
        netbox.ipam().addresses(net + ".30").forEach(ip -> netbox.ipam().deleteAddress(ip.id()));
    }
}
