package io.bmpipeline.netbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.testbed.LiveNetBox;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every operation of {@link NetBoxClient} against the live NetBox. Subclasses run it with each
 * kind of API token, so both authentication schemes are exercised end to end.
 */
abstract class NetBoxClientContract {

    private static final BmcInterfacePattern BMC = new BmcInterfacePattern(Pattern.compile("(?i)bmc|ilo|idrac"));

    protected final LiveNetBox live = LiveNetBox.get();
    protected NetBoxClient client;
    protected NetBoxFixture fixture;

    protected abstract NetBoxToken token();

    /** The client under test; a subclass may configure it differently (request sharing). */
    protected NetBoxClient newClient() {
        return live.client(token());
    }

    @BeforeEach
    void seed() {
        client = newClient();
        fixture = new NetBoxFixture(client);
    }

    @AfterEach
    void clean() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void detectsTheRunningVersion() {
        assertEquals(live.version(), client.version().toString());
        assertEquals(NetBoxVersion.MacModel.OBJECTS, client.version().macModel());
    }

    @Test
    void statusChoicesIncludeTheLifecycle() {
        Set<String> choices = client.devices().statusChoices();
        assertTrue(choices.containsAll(List.of("offline", "discovered", "staged", "ready", "active")), choices.toString());
    }

    @Test
    void findsDevicesBySerialCaseInsensitively() {
        var device = fixture.device(fixture.serial("A"), "offline", "iLO");
        List<Device> found = client.devices().bySerial(fixture.serial("A").toLowerCase());
        assertEquals(List.of(device.id()), found.stream().map(Device::id).toList());
        assertEquals("offline", found.getFirst().status());
        assertEquals(fixture.serial("A"), found.getFirst().serial());
    }

    @Test
    void batchedSerialLookupFindsEveryKnownDeviceAcrossBatches() {
        var a = fixture.device(fixture.serial("B1"), "offline", "iLO");
        var b = fixture.device(fixture.serial("B2"), "offline", "iDRAC");
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < NetBoxApi.BATCH * 2 + 17; i++) {
            serials.add(fixture.serial("MISSING" + i));
        }
        serials.add(17, fixture.serial("B1"));
        serials.add(fixture.serial("B2"));
        Set<Long> found = client.devices().bySerials(serials).stream().map(Device::id).collect(Collectors.toSet());
        assertEquals(Set.of(a.id(), b.id()), found);
    }

    @Test
    void lookupsOfLongKeysStayUnderNetBoxsRequestLineLimit() {
        // 100 serials of NetBox's maximum length (50) would make a 5.8 kB request line; gunicorn refuses > 4094.
        var device = fixture.device(fixture.serial("LONG"), "offline", "iLO");
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < NetBoxApi.BATCH * 2; i++) {
            String missing = fixture.serial("MISSING-" + i + "-");
            serials.add(missing + "x".repeat(50 - missing.length()));
        }
        serials.add(150, fixture.serial("LONG"));
        assertEquals(List.of(device.id()), client.devices().bySerials(serials).stream().map(Device::id).toList());
        List<MacAddress> macs = new ArrayList<>();
        for (int i = 0; i < NetBoxApi.BATCH * 2; i++) {
            macs.add(uniqueMac(i));
        }
        assertEquals(List.of(), client.interfaces().byMacs(macs));
        assertEquals(List.of(), client.interfaces().macObjects(macs));
    }

    @Test
    void emptyFilterValueIsRefusedBeforeAnyRequest() {
        // Nothing listens on port 1: had a request gone out, the error would be Unavailable.
        NetBoxClient offline = new NetBoxClient(NetBoxClient.Settings.of(URI.create("http://127.0.0.1:1/"), token())
                .withRetries(0));
        var error = assertThrows(NetBoxQuery.EmptyFilterException.class, () -> offline.devices().bySerial(""));
        assertTrue(error.getMessage().contains("serial"), error.getMessage());
        assertThrows(NetBoxQuery.EmptyFilterException.class, () -> offline.devices().bySerials(List.of("A", " ")));
        assertEquals(List.of(), offline.devices().bySerials(List.of()));
    }

    @Test
    void findsTheBmcInterfaceByVendorName() {
        var ilo = fixture.device(fixture.serial("C1"), "offline", "eth0", "iLO");
        var idrac = fixture.device(fixture.serial("C2"), "offline", "iDRAC", "eth0");
        var bmc = fixture.device(fixture.serial("C3"), "offline", "BMC");
        var mgmt = fixture.device(fixture.serial("C4"), "offline", "mgmt0", "eth0");
        var two = fixture.device(fixture.serial("C5"), "offline", "iLO", "bmc1");

        assertEquals("iLO", found(client.interfaces().bmc(ilo.id(), BMC)).name());
        assertEquals("iDRAC", found(client.interfaces().bmc(idrac.id(), BMC)).name());
        assertEquals("BMC", found(client.interfaces().bmc(bmc.id(), BMC)).name());
        var missing = assertInstanceOf(BmcInterfaceMatch.Missing.class, client.interfaces().bmc(mgmt.id(), BMC));
        assertEquals(Set.of("mgmt0", "eth0"), Set.copyOf(missing.interfaceNames()));
        var ambiguous = assertInstanceOf(BmcInterfaceMatch.Ambiguous.class, client.interfaces().bmc(two.id(), BMC));
        assertEquals(2, ambiguous.candidates().size());
        var custom = new BmcInterfacePattern(Pattern.compile("^mgmt\\d$"));
        assertEquals("mgmt0", found(client.interfaces().bmc(mgmt.id(), custom)).name());
    }

    @Test
    void settingTheSameMacTwiceLeavesOneMacObjectAsPrimary() {
        var device = fixture.device(fixture.serial("D"), "offline", "iLO", "eth0");
        MacAddress mac = uniqueMac(0x10);
        var ilo = device.iface("iLO");

        DeviceInterface once = client.interfaces().setMac(ilo, mac);
        DeviceInterface twice = client.interfaces().setMac(ilo, mac);

        assertEquals(mac, once.mac().orElseThrow());
        assertEquals(once.primaryMacId(), twice.primaryMacId());
        assertEquals(1, fixture.macObjectCount(mac.value()));
        assertEquals(List.of(ilo.id()), client.interfaces().byMac(mac).stream().map(DeviceInterface::id).toList());
        assertEquals(device.id(), client.interfaces().byMac(mac).getFirst().deviceId());
        assertEquals(List.of(device.id()), client.devices().byMac(mac).stream().map(Device::id).toList());
        var readBack = client.interfaces().ofDevice(device.id()).stream().filter(i -> i.id() == ilo.id()).findFirst().orElseThrow();
        assertEquals(mac, readBack.mac().orElseThrow());
    }

    @Test
    void batchedMacLookupFindsInterfacesAcrossBatches() {
        var a = fixture.device(fixture.serial("E1"), "offline", "iLO");
        var b = fixture.device(fixture.serial("E2"), "offline", "iDRAC");
        MacAddress macA = uniqueMac(0x21);
        MacAddress macB = uniqueMac(0x22);
        client.interfaces().setMac(a.iface("iLO"), macA);
        client.interfaces().setMac(b.iface("iDRAC"), macB);
        List<MacAddress> macs = new ArrayList<>();
        for (int i = 0; i < NetBoxApi.BATCH + 30; i++) {
            macs.add(uniqueMac(0x80 + (i % 100)));
        }
        macs.add(macA);
        macs.add(macB);
        Set<Long> devices = client.interfaces().byMacs(macs).stream().map(DeviceInterface::deviceId).collect(Collectors.toSet());
        assertEquals(Set.of(a.id(), b.id()), devices);
    }

    @Test
    void createsAssignsAndFindsAnIpAndPointsOobIpAtIt() {
        var device = fixture.device(fixture.serial("F"), "offline", "iDRAC", "eth0");
        String host = uniqueHost();
        IpAddress ip = client.ipam().createAddress(host + "/24", device.iface("eth0").id(), "test");
        fixture.ownsIp(ip);
        assertTrue(ip.isAssignedToInterface(device.iface("eth0").id()));

        IpAddress moved = client.ipam().assignAddress(ip.id(), device.iface("iDRAC").id());
        assertTrue(moved.isAssignedToInterface(device.iface("iDRAC").id()));

        List<IpAddress> found = client.ipam().addresses(host);
        assertEquals(List.of(ip.id()), found.stream().map(IpAddress::id).toList());
        assertEquals(host, found.getFirst().host());
        assertEquals(host + "/24", found.getFirst().address());

        Device withOob = client.devices().setOobIp(device.id(), ip.id());
        assertEquals(ip.id(), withOob.oobIpId().orElseThrow());
        assertEquals(host + "/24", client.devices().byId(device.id()).orElseThrow().oobIpAddress().orElseThrow());
    }

    @Test
    void findsTheMostSpecificPrefixContainingAnAddress() {
        String host = uniqueHost();
        String net16 = host.substring(0, host.indexOf('.', 3)) + ".0.0/16";
        String net24 = host.substring(0, host.lastIndexOf('.')) + ".0/24";
        assertTrue(client.ipam().prefixContaining(host).map(p -> p.length() < 16).orElse(true));
        fixture.prefix(net16);
        fixture.prefix(net24);
        assertEquals(24, client.ipam().prefixContaining(host).orElseThrow().length());
    }

    @Test
    void patchesStatusOneByOneAndInBulk() {
        var a = fixture.device(fixture.serial("G1"), "offline", "iLO");
        var b = fixture.device(fixture.serial("G2"), "offline", "iLO");
        assertEquals("discovered", client.devices().setStatus(a.id(), "discovered").status());
        client.devices().setStatuses(Map.of(a.id(), "staged", b.id(), "discovered"));
        assertEquals("staged", client.devices().byId(a.id()).orElseThrow().status());
        assertEquals("discovered", client.devices().byId(b.id()).orElseThrow().status());
    }

    @Test
    void writesAndReadsJournalEntries() {
        var device = fixture.device(fixture.serial("H"), "offline", "iLO");
        JournalEntry written = client.journal().write(device.id(), JournalEntry.Kind.WARNING, "BMC IP changed: 10.0.0.1 -> 10.0.0.2");
        client.journal().write(device.id(), JournalEntry.Kind.SUCCESS, "discovered");
        List<JournalEntry> entries = client.journal().entries(device.id());
        assertEquals(2, entries.size());
        JournalEntry read = entries.stream().filter(e -> e.id() == written.id()).findFirst().orElseThrow();
        assertEquals(JournalEntry.Kind.WARNING, read.kind());
        assertEquals(device.id(), read.deviceId());
        assertEquals("BMC IP changed: 10.0.0.1 -> 10.0.0.2", read.comments());
    }

    @Test
    void journalEntriesAreReadSinceAnInstantOnTheServerSide() {
        var device = fixture.device(fixture.serial("J"), "offline", "iLO");
        client.journal().write(device.id(), JournalEntry.Kind.INFO, "written now");
        java.time.Instant now = java.time.Instant.now();
        assertEquals(1, client.journal().entries(device.id(), java.util.Optional.of(now.minusSeconds(3600))).size());
        assertEquals(0, client.journal().entries(device.id(), java.util.Optional.of(now.plusSeconds(3600))).size(),
                "NetBox leaves out entries created before the instant");
    }

    @Test
    void paginationFollowsNextToTheLastPage() {
        var device = fixture.device(fixture.serial("P"), "offline", "iLO", "eth0", "eth1", "eth2", "eth3");
        NetBoxClient smallPages = new NetBoxClient(NetBoxClient.Settings.of(live.url(), token()).withPageSize(2));
        assertEquals(Set.of("iLO", "eth0", "eth1", "eth2", "eth3"),
                smallPages.interfaces().ofDevice(device.id()).stream().map(DeviceInterface::name).collect(Collectors.toSet()));
    }

    @Test
    void rejectedWriteCarriesNetBoxFieldMessagesAndTheAttemptedObject() {
        var device = fixture.device(fixture.serial("R"), "offline", "iLO");
        var error = assertThrows(NetBoxException.Rejected.class,
                () -> client.ipam().createAddress("not-an-ip", device.iface("iLO").id(), "bad"));
        assertEquals(400, error.status());
        assertFalse(error.errors().messages("address").isEmpty(), error.errors().toString());
        assertTrue(error.attempted().contains("not-an-ip"), error.attempted());
        assertTrue(error.getMessage().contains("POST /api/ipam/ip-addresses/"), error.getMessage());

        var status = assertThrows(NetBoxException.Rejected.class, () -> client.devices().setStatus(device.id(), "no-such-status"));
        assertFalse(status.errors().messages("status").isEmpty(), status.errors().toString());
    }

    @Test
    void unknownDeviceIsEmptyNotAnError() {
        assertTrue(client.devices().byId(Long.MAX_VALUE / 2).isEmpty());
        assertEquals(List.of(), client.devices().bySerial(fixture.serial("NOBODY")));
    }

    @Test
    void refusedTokenIsAuthRefused() {
        String fake = token().kind() == NetBoxToken.Kind.V2
                ? "nbt_aaaaaaaaaaaa.0123456789abcdef0123456789abcdef01234567"
                : "0123456789abcdef0123456789abcdef01234567";
        NetBoxClient wrong = new NetBoxClient(NetBoxClient.Settings.of(live.url(), new NetBoxToken(fake)));
        var error = assertThrows(NetBoxException.AuthRefused.class, wrong.devices()::statusChoices);
        assertTrue(error.status() == 401 || error.status() == 403, "status " + error.status());
    }

    private static DeviceInterface found(BmcInterfaceMatch match) {
        return assertInstanceOf(BmcInterfaceMatch.Found.class, match).bmc();
    }

    @Test
    void recordsReadWithTheFieldSelectionEqualTheRecordsReadWhole() {
        var device = fixture.device(fixture.serial("S"), "offline", "iLO", "eth0");
        MacAddress mac = uniqueMac(0x5e);
        client.interfaces().setMac(device.iface("iLO"), mac);
        String host = uniqueHost();
        IpAddress ip = client.ipam().createAddress(host + "/24", device.iface("iLO").id(), "test");
        fixture.ownsIp(ip);
        client.devices().setOobIp(device.id(), ip.id());
        client.journal().write(device.id(), JournalEntry.Kind.INFO, "selection check");

        NetBoxClient whole = newClient();      // the version unknown: NetBox renders every field
        NetBoxClient selecting = newClient();
        assertTrue(selecting.version().atLeast(4, 0));
        assertEquals(whole.devices().byId(device.id()), selecting.devices().byId(device.id()));
        assertEquals(whole.interfaces().ofDevice(device.id()), selecting.interfaces().ofDevice(device.id()));
        assertEquals(whole.interfaces().byMac(mac), selecting.interfaces().byMac(mac));
        assertEquals(whole.ipam().addresses(host), selecting.ipam().addresses(host));
        assertEquals(whole.ipam().addressesOfInterface(device.iface("iLO").id()),
                selecting.ipam().addressesOfInterface(device.iface("iLO").id()));
        assertEquals(whole.journal().entries(device.id()), selecting.journal().entries(device.id()));
        // The answer to a write is read the same way.
        Device patched = selecting.devices().setStatus(device.id(), "discovered");
        assertEquals(whole.devices().byId(device.id()).orElseThrow(), patched);
        assertEquals(host + "/24", patched.oobIpAddress().orElseThrow());
    }

    /** Locally administered MACs (02:…) with the fixture's randomness, never a real vendor's. */
    protected MacAddress uniqueMac(int last) {
        int h = fixture.tag().hashCode();
        return MacAddress.of(String.format("02:%02X:%02X:%02X:%02X:%02X", (h >>> 24) & 0xff, (h >>> 16) & 0xff,
                (h >>> 8) & 0xff, h & 0xff, last & 0xff));
    }

    /** An address in 10/8 that exists only as a NetBox record: no packet is ever sent to it. */
    protected String uniqueHost() {
        int h = fixture.tag().hashCode();
        return "10." + ((h >>> 16) & 0xff) + "." + ((h >>> 8) & 0xff) + "." + (1 + (h & 0x7f));
    }
}
