package io.bmpipeline.dhcp.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Phase 0 on a real network, nothing replayed: the service captures live on the test bed's tap
 * (testbed/dhcp/netns.sh: ISC dhcpd in a namespace, its interface mirrored to the root namespace),
 * real udhcpc clients with the seeded BMC MACs lease, and the devices turn up discovered in the
 * real NetBox with the addresses the clients were given.
 */
@QuarkusTest
@TestProfile(LiveTapDiscoveryTest.Live.class)
class LiveTapDiscoveryTest {

    static NetBoxFixture fixture;
    static final List<NetBoxFixture.SeededDevice> devices = new ArrayList<>();
    static final List<String> macs = new ArrayList<>();

    public static class Live implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            DhcpTestBed.netns("down");
            String tap = DhcpTestBed.netns("up", "--server", "isc").getLast();
            LiveNetBox live = LiveNetBox.get();
            NetBoxClient netbox = live.client(live.tokenV1());
            fixture = new NetBoxFixture(netbox);
            // The test bed's pool: earlier runs' records of it go, so no lease looks like a conflict.
            for (int host = 100; host < 200; host++) {
                netbox.ipam().addresses("10.66.0." + host).forEach(ip -> netbox.ipam().deleteAddress(ip.id()));
            }
            int h = fixture.tag().hashCode();
            String[] names = {"iLO", "iDRAC", "BMC"};
            String[] ouis = {"94:57:A5", "D0:94:66", "AC:1F:6B"};
            for (int i = 0; i < 3; i++) {
                var device = fixture.device(fixture.serial("L" + i), "offline", names[i]);
                String mac = String.format("%s:%02X:%02X:%02X", ouis[i], (h >>> 8) & 0xff, h & 0xff, i);
                netbox.interfaces().setMac(device.iface(names[i]), MacAddress.of(mac));
                devices.add(device);
                macs.add(mac);
            }
            return Map.of("bm.netbox.url", live.url().toString(),
                    "bm.netbox.token", live.tokenV2().secret(),
                    "bm.dhcp.enabled", "true",
                    "bm.dhcp.interface-name", tap,
                    "bm.dhcp.servers", "10.66.0.1",
                    "bm.bus.path", "target/test-bus-live/bus");
        }

        @Override
        public void stop() {
            try {
                for (int host = 100; host < 200; host++) {
                    fixture.client().ipam().addresses("10.66.0." + host).forEach(ip -> fixture.client().ipam().deleteAddress(ip.id()));
                }
                fixture.close();
            } finally {
                DhcpTestBed.netns("down");
            }
        }
    }

    @Test
    void realLeasesOnTheWireDiscoverTheSeededBmcs() {
        List<String> specs = new ArrayList<>();
        for (int i = 0; i < macs.size(); i++) {
            specs.add(macs.get(i) + ",bmc-live-" + i);
        }
        List<String> args = new ArrayList<>(List.of("--vendor", "iDRAC"));
        args.addAll(specs);
        List<DhcpTestBed.Lease> leases = DhcpTestBed.lease(args.toArray(String[]::new));
        assertEquals(3, leases.size());
        NetBoxClient netbox = fixture.client();
        for (DhcpTestBed.Lease lease : leases) {
            int i = macs.indexOf(lease.mac().toUpperCase());
            long id = devices.get(i).id();
            var device = Eventually.await("device " + id + " discovered", () -> netbox.devices().byId(id).orElseThrow(),
                    d -> d.status().equals("discovered") && d.oobIpAddress().isPresent());
            assertEquals(lease.address() + "/24", device.oobIpAddress().orElseThrow());
            assertEquals(1, netbox.journal().entries(id).size());
        }
    }
}
