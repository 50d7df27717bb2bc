package io.bmpipeline.netbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The whole client contract with request sharing on (as the service runs it), and many threads at
 * once against the real NetBox: each caller gets its own object back from the shared bulk
 * requests, and a bad object fails only its own caller.
 */
class NetBoxClientBatchedTest extends NetBoxClientContract {

    private static final NetBoxClient.Batching SHARED = new NetBoxClient.Batching(50, 1, Duration.ZERO);

    @Override
    protected NetBoxToken token() {
        return live.tokenV2();
    }

    @Override
    protected NetBoxClient newClient() {
        return new NetBoxClient(NetBoxClient.Settings.of(live.url(), token()), SHARED);
    }

    @Test
    void concurrentCallersEachGetTheirOwnAnswer() throws Exception {
        int n = 24;
        List<NetBoxFixture.SeededDevice> devices = IntStream.range(0, n)
                .mapToObj(i -> fixture.device(fixture.serial("C" + i), "offline", "iLO")).toList();
        Map<Long, MacAddress> macs = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            MacAddress mac = uniqueMac(0x40 + i);
            client.interfaces().setMac(devices.get(i).iface("iLO"), mac);
            macs.put(devices.get(i).id(), mac);
        }
        String net = uniqueHost().substring(0, uniqueHost().lastIndexOf('.'));
        List<String> hosts = IntStream.range(0, n).mapToObj(i -> net + "." + (100 + i)).toList();
        hosts.forEach(h -> client.ipam().addresses(h).forEach(ip -> client.ipam().deleteAddress(ip.id())));

        // Every thread walks the per-lease path for its own device, all at once.
        List<String> answers = inParallel(n, i -> {
            NetBoxFixture.SeededDevice d = devices.get(i);
            DeviceInterface bmc = client.interfaces().byMac(macs.get(d.id())).getFirst();
            Device device = client.devices().byId(bmc.deviceId()).orElseThrow();
            IpAddress ip = client.ipam().createAddress(hosts.get(i) + "/24", bmc.id(), "batched test");
            client.journal().write(device.id(), JournalEntry.Kind.SUCCESS, "thread " + i);
            Device updated = client.devices().setOobIpAndStatus(device.id(), ip.id(), java.util.Optional.of("discovered"));
            return device.serial() + " " + bmc.name() + " " + ip.address() + " " + updated.status()
                    + " " + client.journal().entries(device.id()).getFirst().comments()
                    + " " + client.ipam().addressesOfInterface(bmc.id()).size() + " " + client.ipam().addresses(hosts.get(i)).size();
        });
        for (int i = 0; i < n; i++) {
            assertEquals(fixture.serial("C" + i) + " iLO " + hosts.get(i) + "/24 discovered thread " + i + " 1 1", answers.get(i));
            Device inNetBox = new NetBoxClient(NetBoxClient.Settings.of(live.url(), token()))
                    .devices().byId(devices.get(i).id()).orElseThrow();
            assertEquals("discovered", inNetBox.status());
            assertEquals(hosts.get(i) + "/24", inNetBox.oobIpAddress().orElseThrow());
        }
        hosts.forEach(h -> client.ipam().addresses(h).forEach(ip -> client.ipam().deleteAddress(ip.id())));
    }

    @Test
    void aRejectedObjectFailsOnlyItsOwnCaller() throws Exception {
        var device = fixture.device(fixture.serial("RJ"), "offline", "iLO");
        long iface = device.iface("iLO").id();
        String net = uniqueHost().substring(0, uniqueHost().lastIndexOf('.'));
        List<String> addresses = List.of(net + ".201/24", "not-an-ip", net + ".202/24", net + ".203/24");
        List<String> outcomes = inParallel(addresses.size(), i -> {
            try {
                return client.ipam().createAddress(addresses.get(i), iface, "batched test").address();
            } catch (NetBoxException.Rejected e) {
                return "rejected: " + e.errors().messages("address");
            }
        });
        assertEquals(net + ".201/24", outcomes.get(0));
        assertTrue(outcomes.get(1).startsWith("rejected: ["), outcomes.get(1));
        assertEquals(net + ".202/24", outcomes.get(2));
        assertEquals(net + ".203/24", outcomes.get(3));
        assertEquals(3, client.ipam().addressesOfInterface(iface).size());
        client.ipam().addressesOfInterface(iface).forEach(ip -> client.ipam().deleteAddress(ip.id()));
    }

    private static List<String> inParallel(int n, Function<Integer, String> task) throws Exception {
        try (ExecutorService threads = Executors.newFixedThreadPool(n)) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(threads.submit((Callable<String>) () -> task.apply(index)));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }
}
