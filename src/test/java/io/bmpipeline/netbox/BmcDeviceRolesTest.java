package io.bmpipeline.netbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.discovery.BmcFilter;
import io.bmpipeline.discovery.BmcLease;
import io.bmpipeline.discovery.DiscoveryCase;
import io.bmpipeline.discovery.DiscoveryDecider;
import io.bmpipeline.manifest.ManifestLoader;
import io.bmpipeline.manifest.ManifestOutcome;
import io.bmpipeline.manifest.ManifestResult;
import io.bmpipeline.reconcile.LeaseSightingSource;
import io.bmpipeline.reconcile.Reconciler;
import io.bmpipeline.reconcile.Reconciliation;
import io.bmpipeline.testbed.LiveNetBox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real site's out-of-band network also holds switches, PDUs and console servers, whose management ports NetBox flags
 * {@code mgmt_only} like a BMC. With {@code bm.bmc.device-roles} set, discovery, manifests and reconcile leave those
 * devices alone, by the same rule; unset, every role's management port is a BMC — in the live NetBox.
 */
class BmcDeviceRolesTest {

    private static final Pattern NAMES = Pattern.compile("(?i)bmc|ilo|idrac");

    @TempDir
    Path dir;

    private NetBoxClient netbox;
    private NetBoxFixture fixture;
    private BmcInterfacePattern servers;
    private int macs;

    @BeforeEach
    void seed() {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV2());
        fixture = new NetBoxFixture(netbox);
        servers = new BmcInterfacePattern(NAMES, Set.of(fixture.role()));
    }

    @AfterEach
    void clean() {
        fixture.close();
    }

    private MacAddress mac() {
        int h = fixture.tag().hashCode();
        return MacAddress.of(String.format("3C:EC:%02X:%02X:%02X:%02X", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, ++macs));
    }

    private BmcLease lease(MacAddress mac) {
        return new BmcLease("lease-" + fixture.tag() + "-" + mac.value(), mac, "10.251.0." + (10 + macs),
                OptionalInt.of(24), Optional.empty(), Optional.empty(), "test-tap", Instant.now());
    }

    /** A switch of another role, its mgmt0 flagged management-only as sites flag BMC ports. */
    private NetBoxFixture.SeededDevice aSwitch(String serial) {
        var device = fixture.deviceOfRole("switch", fixture.serial(serial), "offline", "mgmt0", "Ethernet1");
        fixture.mgmtOnly(device.iface("mgmt0"));
        return device;
    }

    @Test
    void discoveryLeavesTheManagementPortOfADeviceOfAnotherRoleAlone() {
        var server = fixture.device(fixture.serial("S"), "offline", "iLO", "eth0");
        MacAddress serverMac = mac();
        netbox.interfaces().setMac(server.iface("iLO"), serverMac);
        var sw = aSwitch("W");
        MacAddress switchMac = mac();
        netbox.interfaces().setMac(sw.iface("mgmt0"), switchMac);

        DiscoveryDecider scoped = new DiscoveryDecider(netbox, servers, BmcFilter.acceptAll());
        var notABmc = assertInstanceOf(DiscoveryCase.NotABmc.class, scoped.decide(lease(switchMac)));
        assertEquals("NOT_A_BMC", notABmc.branch());
        String why = notABmc.outOfRole().orElseThrow();
        assertTrue(why.contains(sw.device().label() + " has role " + fixture.role() + "-switch, not one of "
                + "bm.bmc.device-roles [" + fixture.role() + "]"), why);
        assertEquals(List.of("mgmt0"), notABmc.knownOn().stream().map(DeviceInterface::name).toList());
        assertEquals("PROMOTE", scoped.decide(lease(serverMac)).branch(), "the server's BMC is one");

        DiscoveryDecider everyRole = new DiscoveryDecider(netbox, new BmcInterfacePattern(NAMES), BmcFilter.acceptAll());
        assertEquals("PROMOTE", everyRole.decide(lease(switchMac)).branch(),
                "unset, every role's management-only port is a BMC");
    }

    @Test
    void aManifestRowForADeviceOfAnotherRoleFailsNamingTheRole() throws Exception {
        var server = fixture.device(fixture.serial("S"), "offline", "iLO", "eth0");
        var sw = aSwitch("W");
        MacAddress serverMac = mac();
        MacAddress switchMac = mac();
        Path file = dir.resolve("manifest.csv");
        Files.writeString(file, "server_serial,server_bmc_mac\n" + fixture.serial("S") + "," + serverMac + "\n"
                + fixture.serial("W") + "," + switchMac + "\n");

        ManifestResult result = new ManifestLoader(netbox, servers, 2).load(file, false);

        assertEquals(ManifestOutcome.SET, result.rows().get(0).outcome());
        assertEquals(ManifestOutcome.FAILED, result.rows().get(1).outcome());
        assertTrue(result.rows().get(1).reason().contains("has role " + fixture.role() + "-switch"),
                result.rows().get(1).reason());
        assertEquals(Optional.of(serverMac), netbox.interfaces().ofDevice(server.id()).stream()
                .filter(i -> i.name().equals("iLO")).findFirst().orElseThrow().mac());
        assertTrue(netbox.interfaces().ofDevice(sw.id()).stream().allMatch(i -> i.mac().isEmpty()), "the switch untouched");
        assertEquals(List.of(), netbox.journal().entries(sw.id()));
    }

    @Test
    void reconcileExpectsOnlyDevicesOfTheRolesThatHaveBmcs() {
        var server = fixture.device(fixture.serial("S"), "offline", "iLO", "eth0");
        netbox.interfaces().setMac(server.iface("iLO"), mac());
        var sw = aSwitch("W");
        netbox.interfaces().setMac(sw.iface("mgmt0"), mac());
        String site = "site-" + fixture.tag();
        var none = new LeaseSightingSource.Answer(List.of(), "test");

        Reconciliation scoped = new Reconciler(netbox, servers, Clock.systemUTC()).reconcile(List.of(site), none);
        assertEquals(1, scoped.expected());
        assertEquals(List.of(server.id()), scoped.expectedNotSeen().stream().map(e -> e.deviceId()).toList());

        Reconciliation everyRole = new Reconciler(netbox, new BmcInterfacePattern(NAMES), Clock.systemUTC())
                .reconcile(List.of(site), none);
        assertEquals(2, everyRole.expected(), "unset, the switch's mgmt0 is expected to lease too");
    }
}
