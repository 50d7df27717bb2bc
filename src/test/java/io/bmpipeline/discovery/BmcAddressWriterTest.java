package io.bmpipeline.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.netbox.IpAddress;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.LiveNetBox;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Recording BMC addresses in the live NetBox: idempotent, replacing only its own earlier leases. */
class BmcAddressWriterTest {

    private NetBoxClient netbox;
    private NetBoxFixture fixture;
    private BmcAddressWriter writer;
    private String net;

    @BeforeEach
    void seed() {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV2());
        fixture = new NetBoxFixture(netbox);
        writer = new BmcAddressWriter(netbox);
        net = fixture.netWithPrefix();
    }

    @AfterEach
    void clean() {
        for (IpAddress ip : netbox.ipam().addresses(net + ".10")) {
            netbox.ipam().deleteAddress(ip.id());
        }
        for (IpAddress ip : netbox.ipam().addresses(net + ".11")) {
            netbox.ipam().deleteAddress(ip.id());
        }
        // What the writer created in these tests (the fixture removes what it made itself).
        for (String host : List.of(".40", ".44")) {
            netbox.ipam().addresses(net + host).stream().filter(ip -> LeaseStamp.isOurs(ip.description()))
                    .forEach(ip -> netbox.ipam().deleteAddress(ip.id()));
        }
        fixture.close();
    }

    @Test
    void firstLeaseCreatesTheIpInItsPrefixAndPointsOobIpAtIt() {
        var device = fixture.device(fixture.serial("1"), "offline", "iLO", "eth0");
        var outcome = assertInstanceOf(BmcAddressWriter.Outcome.Recorded.class,
                writer.record(device.device(), device.iface("iLO"), net + ".10", OptionalInt.of(16), java.time.Instant.now()));
        assertTrue(outcome.created());
        assertEquals(net + ".10/24", outcome.ip().address());
        assertTrue(outcome.ip().isAssignedToInterface(device.iface("iLO").id()));
        assertEquals(net + ".10/24", netbox.devices().byId(device.id()).orElseThrow().oobIpAddress().orElseThrow());
    }

    @Test
    void sameLeaseAgainWritesNothing() {
        var device = fixture.device(fixture.serial("2"), "offline", "iDRAC");
        writer.record(device.device(), device.iface("iDRAC"), net + ".10", OptionalInt.empty(), java.time.Instant.now());
        var again = assertInstanceOf(BmcAddressWriter.Outcome.Recorded.class, writer.record(
                netbox.devices().byId(device.id()).orElseThrow(), device.iface("iDRAC"), net + ".10", OptionalInt.empty(), java.time.Instant.now()));
        assertFalse(again.changedAnything());
        assertEquals(1, netbox.ipam().addresses(net + ".10").size());
    }

    @Test
    void newLeaseReplacesThePipelinesEarlierLeaseButKeepsOperatorAddresses() {
        var device = fixture.device(fixture.serial("3"), "discovered", "BMC");
        long bmc = device.iface("BMC").id();
        IpAddress operatorMade = netbox.ipam().createAddress(net + ".99/24", bmc, "set by hand");
        fixture.ownsIp(operatorMade);
        writer.record(device.device(), device.iface("BMC"), net + ".10", OptionalInt.empty(), java.time.Instant.now());
        var moved = assertInstanceOf(BmcAddressWriter.Outcome.Recorded.class, writer.record(
                netbox.devices().byId(device.id()).orElseThrow(), device.iface("BMC"), net + ".11", OptionalInt.empty(), java.time.Instant.now()));
        assertTrue(moved.created());
        assertTrue(moved.oobChanged());
        assertEquals(List.of(net + ".10/24"), moved.replaced());
        assertEquals(List.of(), netbox.ipam().addresses(net + ".10"));
        assertEquals(net + ".11/24", netbox.devices().byId(device.id()).orElseThrow().oobIpAddress().orElseThrow());
        assertEquals(2, netbox.ipam().addressesOfInterface(bmc).size());
    }

    @Test
    void addressHeldByAnotherDeviceIsAConflictAndNothingIsWritten() {
        var holder = fixture.device(fixture.serial("4"), "active", "iLO");
        var newcomer = fixture.device(fixture.serial("5"), "offline", "iLO");
        writer.record(holder.device(), holder.iface("iLO"), net + ".10", OptionalInt.empty(), java.time.Instant.now());
        var conflict = assertInstanceOf(BmcAddressWriter.Outcome.HeldByOtherDevice.class,
                writer.record(newcomer.device(), newcomer.iface("iLO"), net + ".10", OptionalInt.empty(), java.time.Instant.now()));
        assertEquals(holder.id(), conflict.otherDeviceId());
        assertTrue(netbox.devices().byId(newcomer.id()).orElseThrow().oobIpId().isEmpty());
        assertEquals(List.of(), netbox.ipam().addressesOfInterface(newcomer.iface("iLO").id()));
    }

    // ---- NetBox as sites shape it: VRFs, reserved addresses, planned BMC IPs ------------------------------------

    @Test
    void theSameAddressInAnotherVrfIsAnotherAddressAndIsLeftAlone() {
        long tenant = fixture.vrf("tenant-a");
        var other = fixture.device(fixture.serial("6"), "active", "eth0");
        IpAddress tenants = fixture.ip(net + ".40/24", "active", Optional.of(tenant), Optional.of(other.iface("eth0").id()),
                "a tenant's host");
        var device = fixture.device(fixture.serial("7"), "offline", "iLO");
        var recorded = assertInstanceOf(BmcAddressWriter.Outcome.Recorded.class,
                writer.record(device.device(), device.iface("iLO"), net + ".40", OptionalInt.empty(), Instant.now()));
        assertTrue(recorded.created(), "a new IP in the BMC prefix's VRF (global), not the tenant's");
        assertEquals(Optional.empty(), recorded.ip().vrfId());
        assertEquals(net + ".40/24", netbox.devices().byId(device.id()).orElseThrow().oobIpAddress().orElseThrow());
        IpAddress after = netbox.ipam().addresses(net + ".40").stream().filter(ip -> ip.id() == tenants.id()).findFirst()
                .orElseThrow();
        assertEquals(Optional.of(tenant), after.vrfId());
        assertTrue(after.isAssignedToInterface(other.iface("eth0").id()), "the tenant's address is untouched");
    }

    @Test
    void aReservedOrDeprecatedAddressOrOneOnAHostNicIsNotTaken() {
        fixture.ip(net + ".41/24", "reserved", Optional.empty(), Optional.empty(), "kept for the new router");
        var device = fixture.device(fixture.serial("8"), "offline", "iLO", "eth0");
        var refused = assertInstanceOf(BmcAddressWriter.Outcome.NotFree.class,
                writer.record(device.device(), device.iface("iLO"), net + ".41", OptionalInt.empty(), Instant.now()));
        assertTrue(refused.why().contains("reserved"), refused.why());

        fixture.ip(net + ".42/24", "active", Optional.empty(), Optional.of(device.iface("eth0").id()), "host NIC");
        var onNic = assertInstanceOf(BmcAddressWriter.Outcome.NotFree.class,
                writer.record(device.device(), device.iface("iLO"), net + ".42", OptionalInt.empty(), Instant.now()));
        assertTrue(onNic.why().contains("/eth0, not the BMC"), onNic.why());

        assertTrue(netbox.devices().byId(device.id()).orElseThrow().oobIpId().isEmpty());
        assertEquals(List.of(), netbox.ipam().addressesOfInterface(device.iface("iLO").id()));
    }

    @Test
    void aPlannedBmcIpIsTakenOffTheInterfaceWhenTheLeaseReplacesIt() {
        var device = fixture.device(fixture.serial("9"), "offline", "iLO");
        IpAddress planned = fixture.ip(net + ".43/24", "active", Optional.empty(), Optional.of(device.iface("iLO").id()),
                "planned by the rack design");
        netbox.devices().setOobIp(device.id(), planned.id());
        var recorded = assertInstanceOf(BmcAddressWriter.Outcome.Recorded.class, writer.record(
                netbox.devices().byId(device.id()).orElseThrow(), device.iface("iLO"), net + ".44", OptionalInt.empty(),
                Instant.now()));
        assertEquals(List.of(net + ".43/24"), recorded.unassigned());
        assertEquals(net + ".44/24", netbox.devices().byId(device.id()).orElseThrow().oobIpAddress().orElseThrow());
        assertEquals(List.of(net + ".44/24"), netbox.ipam().addressesOfInterface(device.iface("iLO").id()).stream()
                .map(IpAddress::address).toList(), "one address on the BMC interface");
        IpAddress kept = netbox.ipam().addresses(net + ".43").getFirst();
        assertFalse(kept.isAssigned(), "the planned address stays in IPAM, unassigned");
        assertEquals("planned by the rack design", kept.description());
    }
}
