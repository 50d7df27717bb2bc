package io.bmpipeline.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.config.PipelineConfig;
import io.bmpipeline.discovery.BmcLease;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * While the service runs it holds its lease sightings, so {@code manifest reconcile} asks it: a lease of a MAC nobody
 * expected goes through the real tap topic and discovery route, and the service's management endpoint answers with
 * it and what discovery decided; once NetBox has the MAC on a BMC interface, reconciliation no longer lists it and
 * counts its device as seen (it leased before its manifest row).
 */
@QuarkusTest
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class LeaseSightingEndpointTest {

    @Inject
    EventBus bus;

    @Inject
    PipelineConfig config;

    @Inject
    BmcInterfacePattern bmcPattern;

    /** The management interface (its health root); the endpoint sits at its root, beside {@code /q}. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void theRunningServiceAnswersWithTheLeasesItsDiscoveryHandledAndWhatItDecided() throws Exception {
        NetBoxClient netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            int h = fixture.tag().hashCode();
            MacAddress unknown = MacAddress.of(String.format("94:57:A5:%02X:%02X:%02X", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff));
            Instant seenAt = Instant.parse("2026-11-30T10:15:30Z");
            bus.publish(Topics.DHCP_EVENTS, new BmcLease("lease-" + fixture.tag(), unknown, "10.99.1.7", OptionalInt.of(24),
                    Optional.of("idrac-" + fixture.tag()), Optional.of("iDRAC"), "test-tap", seenAt).toEnvelope());

            LeaseSightingSource source = new LeaseSightingSource(new io.bmpipeline.management.ServiceClient(
                    URI.create(management.toString()).resolve("/"), Optional.empty(), Duration.ofSeconds(5),
                    Duration.ofSeconds(30)), config.leaseSightings().path());
            LeaseSightingSource.Answer answer = Eventually.await("the service reports " + unknown, () -> {
                try {
                    return source.read();
                } catch (LeaseSightingSource.Unavailable e) {
                    throw new AssertionError(e);
                }
            }, a -> a.sightings().stream().anyMatch(l -> l.mac().equals(unknown)));
            assertTrue(answer.from().startsWith("the service at "), answer.from());
            LeaseSighting lease = answer.sightings().stream().filter(l -> l.mac().equals(unknown)).findFirst().orElseThrow();
            assertEquals("10.99.1.7", lease.ip());
            assertEquals(Optional.of("idrac-" + fixture.tag()), lease.hostname());
            assertEquals(Optional.of("iDRAC"), lease.vendorClass());
            assertEquals(seenAt, lease.firstSeen());
            assertEquals(seenAt, lease.lastSeen());
            assertEquals(1, lease.count());
            assertEquals(LeaseSighting.SEEN_NOT_EXPECTED, lease.decision());
            assertEquals(Optional.empty(), lease.device());

            Reconciler reconciler = new Reconciler(netbox, bmcPattern, Clock.systemUTC());
            String site = "site-" + fixture.tag();
            Reconciliation before = reconciler.reconcile(List.of(site), answer);
            assertTrue(before.seenNotExpected().stream().anyMatch(l -> l.mac().equals(unknown)));

            // The manifest naming this MAC arrives: NetBox expects it now.
            var device = fixture.device(fixture.serial("LATE"), "offline", "iDRAC");
            netbox.interfaces().setMac(device.iface("iDRAC"), unknown);
            Reconciliation after = reconciler.reconcile(List.of(site), source.read());
            assertTrue(after.seenNotExpected().stream().noneMatch(l -> l.mac().equals(unknown)), after.toString());
            assertTrue(after.nowKnown() >= 1);
            assertEquals(1, after.expected());
            assertEquals(1, after.seen(), "its BMC leased before the manifest named it: seen");
            assertEquals(List.of(), after.expectedNotSeen());
            assertEquals(List.of(), after.seenHeldBack());
            assertEquals(0, after.seenWithoutLease(), "offline, no BMC IP: seen by its lease, not by NetBox");
        }
    }
}
