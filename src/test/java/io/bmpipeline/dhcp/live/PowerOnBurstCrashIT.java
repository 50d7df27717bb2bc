package io.bmpipeline.dhcp.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.dhcp.LeaseSpool;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.H2EventBus;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rack of 500 powers on and the service dies at the worst moment: the packaged service taps the real ISC server's
 * interface with discovery writing NetBox (256 consumers), a packet-level emulator leases 500 BMCs at once, and the
 * service is killed with SIGKILL the moment the burst's first lease is stored — ACKs still arriving, some read and
 * only in the tap's spool, NetBox about to be written. Before it, 100 leases of machines nobody expects went through
 * the same service, as on a segment with other traffic. The test prints how many ACKs were on the wire by the kill,
 * how many were stored on the bus, how many more were in the spool, and how old the oldest ACK that was in neither was
 * (the loss window: frames the kernel held, or read and not yet synced). Restarted on the same data directory, every
 * stored and every spooled lease is applied and announced before any renewal; the BMCs then renew (the burst again)
 * and every device ends discovered with its acknowledged IP, one journal entry and one IP object, its promotion
 * announced once.
 */
class PowerOnBurstCrashIT {

    private static final int BMCS = 500;
    private static final String TAG = "kc500";

    @BeforeAll
    static void testBed() {
        DhcpTestBed.assumeNamespaces();
        DhcpTestBed.netns("down");
    }

    @AfterAll
    static void tearDown() {
        DhcpTestBed.netns("down");
    }

    @Test
    void sigkillRightAfterA500LeaseBurstLosesNoLeaseAndAnnouncesEveryPromotion() throws Exception {
        LiveNetBox live = LiveNetBox.get();
        NetBoxClient netbox = live.client(live.tokenV2());
        Path work = Files.createTempDirectory("bm-burst-crash");
        Path manifest = work.resolve("manifest.csv");
        // Bulk-seeded through NetBox's API by the benchmarks' helper; kept between runs and reset here.
        bench("seed", String.valueOf(BMCS), TAG, manifest.toString());
        bench("macs", manifest.toString(), TAG);
        bench("reset", TAG);
        Map<String, String> serialByMac = new HashMap<>();
        for (String row : Files.readAllLines(manifest).subList(1, BMCS + 1)) {
            String[] f = row.split(",");
            serialByMac.put(f[1].toLowerCase(), f[0]);
        }
        Path clients = work.resolve("clients.txt");
        Files.write(clients, serialByMac.entrySet().stream().map(e -> e.getKey() + ",bmc-" + e.getValue()).toList());
        Path strangers = work.resolve("strangers.txt");
        Files.write(strangers, java.util.stream.IntStream.range(0, 100)
                .mapToObj(i -> String.format("02:c1:00:00:%02x:%02x,stranger-%03d", i >> 8, i & 255, i)).toList());
        String tap = DhcpTestBed.netns("up", "--server", "isc", "--burst").getLast();
        Path data = work.resolve("data");
        try {
            Service first = start(live, tap, data, work.resolve("first.log"));
            DhcpTestBed.netns("burst", "--vendor", "iDRAC", strangers.toString());
            Eventually.await("the 100 strangers' leases stored", Duration.ofMinutes(2),
                    () -> first.readiness(), text -> text.contains("100 stored"));
            // The burst runs on its own; the service dies as soon as the burst's first lease is stored (it reads
            // "101 stored"), while ACKs are still arriving: the worst moment for what the tap has read but not stored.
            long started = System.nanoTime();
            var burst = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> DhcpTestBed.netns("burst", "--vendor", "iDRAC", clients.toString()));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (storedCount(first.readiness()) <= 100) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the burst's first lease was not stored within a minute");
                }
                Thread.sleep(10);
            }
            long killedAt = System.currentTimeMillis();
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed
            long killMillis = (System.nanoTime() - started) / 1_000_000;
            first.process().waitFor(30, TimeUnit.SECONDS);
            List<String> acked = burst.get(2, TimeUnit.MINUTES);
            assertEquals(BMCS, acked.size(), "every emulated BMC got an ACK");
            Map<String, String> ipBySerial = new HashMap<>();
            Map<String, Long> ackedAtByMac = new HashMap<>();
            for (String line : acked) {
                String[] f = line.trim().split("\\s+");
                ipBySerial.put(serialByMac.get(f[0].toLowerCase()), f[2]);
                ackedAtByMac.put(f[0].toLowerCase(), Math.round(Double.parseDouble(f[3]) * 1000));
            }

            // What the killed tap stored on the bus (and how long each took from the wire), and what it had synced
            // to its spool and not yet stored: together, what it read and keeps.
            Map<String, Long> lagByMac = new HashMap<>();
            H2EventBus.replayStopped(data.resolve("bus"), Topics.DHCP_EVENTS, EventTypes.DHCP_LEASE_OBSERVED,
                    e -> lagByMac.put(e.envelope().subject().toLowerCase(),
                            e.publishedAt().toEpochMilli() - e.envelope().time().toEpochMilli()));
            Path spoolFile = data.resolve("tap-spool").resolve("leases-" + tap + ".spool");
            Set<String> spooled = LeaseSpool.readStopped(spoolFile).stream().map(e -> e.subject().toLowerCase())
                    .collect(Collectors.toCollection(HashSet::new));
            spooled.removeAll(lagByMac.keySet());
            List<String> beforeKill = ackedAtByMac.entrySet().stream().filter(e -> e.getValue() < killedAt)
                    .map(Map.Entry::getKey).toList();
            List<String> storedOfBurst = beforeKill.stream().filter(lagByMac::containsKey).toList();
            Set<String> kept = ackedAtByMac.keySet().stream()
                    .filter(m -> lagByMac.containsKey(m) || spooled.contains(m)).collect(Collectors.toSet());
            long oldestLost = beforeKill.stream().filter(m -> !kept.contains(m))
                    .mapToLong(m -> killedAt - ackedAtByMac.get(m)).max().orElse(0);
            long lost = beforeKill.stream().filter(m -> !kept.contains(m)).count();
            long maxLag = storedOfBurst.stream().mapToLong(lagByMac::get).max().orElse(0);
            System.out.printf("burst crash: SIGKILL %d ms after the burst began; %d of %d ACKs were on the wire by then: "
                    + "%d stored on the bus (wire to bus: max %d ms), %d more in the tap's spool, %d neither; the oldest "
                    + "ACK neither stored nor spooled was %d ms old at the kill%n", killMillis, beforeKill.size(), BMCS,
                    storedOfBurst.size(), maxLag, spooled.size(), lost, oldestLost);
            assertEquals(lagByMac.keySet().stream().filter(ackedAtByMac::containsKey).count(), storedOfBurst.size(),
                    "nothing is stored that was not on the wire before the kill");
            // The tap's promise: what it read is synced to its spool within milliseconds, so a kill loses only the
            // leases of its last moments (still in the kernel's buffer, or read and not yet synced). Measured: 0-60 ms;
            // before the spool 147-676 ms, before the tap's batches seconds (the tail of the burst).
            assertTrue(oldestLost < 250, "an ACK " + oldestLost + " ms old at the kill was lost: the tap fell behind");

            // Restarted on the same data: every stored lease is applied and announced, once.
            Service second = start(live, tap, data, work.resolve("second.log"));
            try {
                // Without any renewal: the spooled leases are published at the start, and applied with the stored.
                Eventually.await("the " + kept.size() + " stored and spooled leases applied after the restart",
                        Duration.ofMinutes(10), () -> netbox.devices().bySerials(kept.stream()
                                .map(serialByMac::get).toList()).stream()
                                .filter(d -> d.status().equals("discovered")).count(),
                        n -> n == kept.size());
                // The leases the dead service never read come back as the BMCs renew (here: the burst again, with
                // the same clients and addresses), and then every device is discovered.
                DhcpTestBed.netns("burst", "--vendor", "iDRAC", clients.toString());
                Eventually.await("all " + BMCS + " devices discovered after the renewals", Duration.ofMinutes(10),
                        () -> netbox.devices().bySerials(ipBySerial.keySet()).stream()
                                .filter(d -> d.status().equals("discovered")).count(), n -> n == BMCS);
            } finally {
                second.process().destroy();
                second.process().waitFor(60, TimeUnit.SECONDS);
            }

            List<Device> after = netbox.devices().bySerials(ipBySerial.keySet());
            for (Device device : after) {
                assertEquals(ipBySerial.get(device.serial()), device.oobIpAddress().orElseThrow().split("/")[0],
                        device.serial());
            }
            Map<Long, List<JournalEntry>> journals = netbox.journal().entriesOfDevices(
                    after.stream().map(Device::id).toList()).stream().collect(Collectors.groupingBy(JournalEntry::deviceId));
            for (Device device : after) {
                assertEquals(1, journals.getOrDefault(device.id(), List.of()).size(), device.serial() + " journal");
            }
            for (String ip : List.of(ipBySerial.get(after.getFirst().serial()), ipBySerial.get(after.getLast().serial()))) {
                assertEquals(1, netbox.ipam().addresses(ip).size(), "IP objects of " + ip);
            }
            Set<String> leased = new HashSet<>();
            H2EventBus.replayStopped(data.resolve("bus"), Topics.DHCP_EVENTS, EventTypes.DHCP_LEASE_OBSERVED,
                    e -> leased.add(e.envelope().subject()));
            assertEquals(BMCS + 100, leased.size(), "lease events stored, by the killed tap and after the renewals");
            List<String> announced = new ArrayList<>();
            H2EventBus.replayStopped(data.resolve("bus"), Topics.DEVICE_STATE, EventTypes.DEVICE_STATE_CHANGED,
                    e -> announced.add(e.envelope().subject()));
            assertEquals(ipBySerial.keySet(), new HashSet<>(announced), "every promotion announced");
            assertEquals(BMCS, announced.size(), "and announced once");
            System.out.printf("burst crash: all %d discovered after the restart, %d announcements%n", BMCS,
                    announced.size());
        } finally {
            bench("reset", TAG);
        }
    }

    /** "N stored" of the tap's readiness text; 0 when the service does not answer. */
    private static long storedCount(String readiness) {
        var m = java.util.regex.Pattern.compile("(\\d+) stored").matcher(readiness);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static void bench(String... args) {
        List<String> command = new ArrayList<>(List.of("python3",
                LiveNetBox.repoRoot().resolve("bench/netbox_bench.py").toString()));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            LiveNetBox live = LiveNetBox.get();
            builder.environment().put("NETBOX_URL", live.url().toString());
            builder.environment().put("NETBOX_TOKEN_V1", live.tokenV1().secret());
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new AssertionError("netbox_bench.py " + String.join(" ", args) + " failed:\n" + out);
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("netbox_bench.py: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** A running service and its management port. */
    private record Service(Process process, int management) {
        /** The readiness document, as text; empty when the service does not answer. */
        String readiness() {
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + management
                        + "/q/health/ready").toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                try (var in = connection.getResponseCode() < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                    return new String(in.readAllBytes());
                }
            } catch (java.io.IOException e) {
                return "";
            }
        }
    }

    /** Starts the packaged service tapping {@code tap} and returns once it is ready. */
    private static Service start(LiveNetBox live, String tap, Path data, Path log) throws Exception {
        int management;
        try (ServerSocket free = new ServerSocket(0)) {
            management = free.getLocalPort();
        }
        Process process = io.bmpipeline.testbed.PackagedService.start(live, data, log, management, Map.of(
                "BM_DHCP_ENABLED", "true", "BM_DHCP_INTERFACE_NAME", tap, "BM_DHCP_SERVERS", "10.66.0.1,10.66.16.1"));
        URI ready = URI.create("http://127.0.0.1:" + management + "/q/health/ready");
        Eventually.await("the service ready (log " + log + ")", Duration.ofMinutes(2), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("the service exited " + process.exitValue() + "; log " + log);
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) ready.toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                return connection.getResponseCode();
            } catch (java.io.IOException e) {
                return -1;
            }
        }, code -> code == 200);
        return new Service(process, management);
    }
}
