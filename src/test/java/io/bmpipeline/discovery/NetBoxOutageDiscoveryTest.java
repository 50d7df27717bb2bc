package io.bmpipeline.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.callback.CredentialEnrolment;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.ForwardedNetBox;
import io.bmpipeline.testbed.LogCount;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * NetBox goes away in the middle of a burst of leases and comes back: every lease is applied,
 * none twice, and the outage costs a handful of log lines, none with a stack trace. The service
 * reaches the real NetBox through a forwarder the test cuts.
 */
@QuarkusTest
@TestProfile(ForwardedNetBox.QuickRetries.class)
class NetBoxOutageDiscoveryTest {

    @Inject
    EventBus bus;

    @Test
    void leasesPublishedWhileNetBoxIsDownAreAllAppliedOnceWhenItReturns() throws Exception {
        NetBoxClient netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            int h = fixture.tag().hashCode();
            String net = fixture.netWithPrefix();
            List<NetBoxFixture.SeededDevice> devices = new ArrayList<>();
            List<MacAddress> macs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                var device = fixture.device(fixture.serial("O" + i), "offline", "iLO");
                MacAddress mac = MacAddress.of(String.format("94:57:A5:%02X:%02X:%02X", (h >>> 8) & 0xff, h & 0xff, i));
                netbox.interfaces().setMac(device.iface("iLO"), mac);
                devices.add(device);
                macs.add(mac);
            }
            try {
                for (int i = 0; i < 4; i++) {
                    publish(fixture, macs.get(i), net + "." + (10 + i));
                }
                // All four applied and acknowledged (their promotion lines logged) before the outage; the 8 below
                // come after it.
                for (int i = 0; i < 4; i++) {
                    long id = devices.get(i).id();
                    Eventually.await("lease " + i + " applied", () -> netbox.devices().byId(id).orElseThrow(),
                            d -> d.status().equals("discovered"));
                }
                Eventually.await("the first leases acknowledged", () -> pending(Topics.DHCP_EVENTS, "discovery"),
                        pending -> pending == 0);
                Eventually.await("their credentials minted", () -> pending(Topics.DEVICE_STATE, "pxe-credentials"),
                        pending -> pending == 0);
                LogCount logged = LogCount.start();
                ForwardedNetBox.forwarder().down();
                for (int i = 4; i < 12; i++) {
                    publish(fixture, macs.get(i), net + "." + (10 + i));
                    publish(fixture, macs.get(i), net + "." + (10 + i));   // a retransmitted copy
                }
                Thread.sleep(3000);
                assertEquals("offline", netbox.devices().byId(devices.get(11).id()).orElseThrow().status(),
                        "nothing can be applied while NetBox is unreachable");
                ForwardedNetBox.forwarder().up();
                for (int i = 0; i < 12; i++) {
                    long id = devices.get(i).id();
                    var device = Eventually.await("device " + i + " discovered", () -> netbox.devices().byId(id).orElseThrow(),
                            d -> d.status().equals("discovered") && d.oobIpAddress().isPresent());
                    assertEquals(net + "." + (10 + i) + "/24", device.oobIpAddress().orElseThrow());
                }
                // A device shows its new status a moment before its line is logged: wait for the 8 lines, and half a
                // second for any surplus one, before counting them.
                Eventually.await("the promotion lines", () -> logged.lines(DiscoveryWriter.class, "offline → discovered"),
                        n -> n >= 8);
                Thread.sleep(500);
                logged.stop();
                // 16 lease events failed, several attempts each: one line when failures started, one when they
                // ended (and one a minute between, none in so short an outage), the breaker's if it opened.
                // Besides those, one line per lease decision: the 8 promotions once NetBox is back, and for a lease of
                // the first 4 whose attempt the outage cut after its NetBox writes, the line saying so on its retry.
                assertEquals(8, logged.lines(DiscoveryWriter.class, "offline → discovered"), "promotions: " + logged);
                assertTrue(logged.lines(DiscoveryWriter.class) <= 12, "decision lines: " + logged);
                // Each promotion gives the device its PXE callback credential, which is said once (CredentialEnrolment).
                assertEquals(8, logged.lines(CredentialEnrolment.class, "credential minted"), "credentials: " + logged);
                assertTrue(logged.lines() - logged.lines(DiscoveryWriter.class) - logged.lines(CredentialEnrolment.class) <= 6,
                        "log lines during the outage: " + logged);
                assertTrue(logged.toString().contains("events failing"), "the outage was said: " + logged);
                assertEquals(0, logged.withStackTrace(), "stack traces during the outage: " + logged);
                for (int i = 0; i < 12; i++) {
                    assertEquals(1, netbox.journal().entries(devices.get(i).id()).size(), "device " + i);
                    assertEquals(1, netbox.ipam().addresses(net + "." + (10 + i)).size(), "device " + i);
                }
            } finally {
                ForwardedNetBox.forwarder().up();
                for (int i = 0; i < 12; i++) {
                    netbox.ipam().addresses(net + "." + (10 + i)).forEach(ip -> netbox.ipam().deleteAddress(ip.id()));
                }
            }
        }
    }

    private long pending(String topic, String group) {
        return bus.subscriptions().stream().filter(s -> s.topic().equals(topic) && s.group().equals(group))
                .findFirst().orElseThrow().status().pending();
    }

    private void publish(NetBoxFixture fixture, MacAddress mac, String ip) {
        bus.publish(Topics.DHCP_EVENTS, new BmcLease("outage-" + fixture.tag() + "-" + mac, mac, ip, OptionalInt.of(24),
                Optional.empty(), Optional.empty(), "test-tap", Instant.now()).toEnvelope());
    }
}
