package io.bmpipeline.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.dhcp.DhcpTestFrames;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.H2EventBus;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service is killed with SIGKILL in the middle of applying a replayed burst, then
 * started again on the same data directory: every lease ends up applied exactly once.
 */
class DiscoveryCrashIT {

    private static final int DEVICES = 24;

    @Test
    void sigkillMidBurstThenRestartAppliesEveryLeaseOnce() throws Exception {
        LiveNetBox live = LiveNetBox.get();
        NetBoxClient netbox = live.client(live.tokenV1());
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            int h = fixture.tag().hashCode();
            String net = fixture.netWithPrefix();
            List<Long> ids = new ArrayList<>();
            List<String> macs = new ArrayList<>();
            for (int i = 0; i < DEVICES; i++) {
                var device = fixture.device(fixture.serial("K" + i), "offline", "iDRAC");
                String mac = String.format("D0:94:66:%02X:%02X:%02X", (h >>> 8) & 0xff, h & 0xff, i);
                netbox.interfaces().setMac(device.iface("iDRAC"), MacAddress.of(mac));
                ids.add(device.id());
                macs.add(mac);
            }
            Path work = Files.createTempDirectory("bm-crash");
            Path pcap = work.resolve("burst.pcap");
            DhcpTestFrames.writeBurst(pcap, macs, net, 10);
            Path data = work.resolve("data");
            try {
                Process first = start(live, pcap, data, work.resolve("first.log"));
                Eventually.await("a few leases applied", () -> discovered(netbox, ids), n -> n >= 3);
                first.destroyForcibly();   // SIGKILL: no shutdown hook, no flush
                first.waitFor(30, TimeUnit.SECONDS);
                int beforeRestart = discovered(netbox, ids);
                Process second = start(live, pcap, data, work.resolve("second.log"));
                try {
                    // A long limit: on a loaded 2-core machine NetBox applies about one lease a second.
                    Eventually.await("every lease applied", java.time.Duration.ofMinutes(6),
                            () -> discovered(netbox, ids), n -> n == DEVICES);
                } finally {
                    second.destroy();
                    second.waitFor(30, TimeUnit.SECONDS);
                }
                for (int i = 0; i < DEVICES; i++) {
                    Device device = netbox.devices().byId(ids.get(i)).orElseThrow();
                    assertEquals(net + "." + (10 + i) + "/24", device.oobIpAddress().orElseThrow(), "device " + i);
                    assertEquals(1, netbox.journal().entries(ids.get(i)).size(), "device " + i + " journal");
                    assertEquals(1, netbox.ipam().addresses(net + "." + (10 + i)).size(), "device " + i + " IPs");
                }
                // Every promotion announced once, also those applied in NetBox just before the SIGKILL.
                List<String> announced = new ArrayList<>();
                H2EventBus.replayStopped(data.resolve("bus"), Topics.DEVICE_STATE, EventTypes.DEVICE_STATE_CHANGED,
                        e -> announced.add(e.envelope().subject()));
                List<String> serials = ids.stream().map(id -> netbox.devices().byId(id).orElseThrow().serial()).sorted().toList();
                assertEquals(serials, announced.stream().sorted().toList(), "one announcement per promotion");
                System.out.printf("crash test: %d of %d applied before SIGKILL, all %d after restart%n",
                        beforeRestart, DEVICES, DEVICES);
            } finally {
                for (int i = 0; i < DEVICES; i++) {
                    netbox.ipam().addresses(net + "." + (10 + i)).forEach(ip -> netbox.ipam().deleteAddress(ip.id()));
                }
            }
        }
    }

    private static int discovered(NetBoxClient netbox, List<Long> ids) {
        return (int) netbox.devices().bySerials(ids.stream().map(id -> netbox.devices().byId(id).orElseThrow().serial()).toList())
                .stream().filter(d -> d.status().equals("discovered")).count();
    }

    private static Process start(LiveNetBox live, Path pcap, Path data, Path log) throws Exception {
        return io.bmpipeline.testbed.PackagedService.start(live, data, log, 0, java.util.Map.of(
                "BM_DHCP_ENABLED", "true", "BM_DHCP_INTERFACE_NAME", "replay", "BM_DHCP_PCAP", pcap.toString(),
                "BM_DISCOVERY_CONSUMERS", "2"));
    }
}
