package io.bmpipeline.dhcp.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.dhcp.DhcpLeaseEvent;
import io.bmpipeline.dhcp.LeaseTap;
import io.bmpipeline.dhcp.TapOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rack powering on: 500 BMCs lease at once through a real server (testbed/dhcp/burst.py, a
 * packet-level client emulator, drives them in about a second), and the live tap turns the burst
 * into exactly 500 lease events — one per BMC, with the address the server acknowledged and the
 * hostname and vendor class the client sent — with no frame dropped by the kernel.
 */
class PowerOnBurstTest {

    private static final int BMCS = 500;
    /** The server's two addresses on segment a; dnsmasq answers from the one in the leased subnet. */
    private static final Set<String> SERVER_ADDRESSES = Set.of("10.66.0.1", "10.66.16.1");

    @BeforeAll
    static void testBed() {
        DhcpTestBed.assumeNamespaces();
        DhcpTestBed.netns("down");
    }

    @AfterAll
    static void tearDown() {
        DhcpTestBed.netns("down");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"isc", "dnsmasq", "kea"})
    void everyBmcOfTheBurstBecomesExactlyOneLeaseEvent(String server) throws Exception {
        String tap = DhcpTestBed.netns("up", "--server", server, "--burst").getLast();
        int serverOctet = switch (server) { case "isc" -> 0x11; case "dnsmasq" -> 0x22; default -> 0x33; };
        Path clients = Files.createTempFile("bm-burst-" + server, ".txt");
        Files.write(clients, IntStream.range(0, BMCS)
                .mapToObj(i -> String.format("d0:94:66:%02x:%02x:%02x,idrac-%s-%03d", serverOctet, i >> 8, i & 255, server, i))
                .toList());

        LeaseTap leaseTap = new LeaseTap(new LeaseTap.Allowlist(SERVER_ADDRESSES, Set.of()),
                Duration.ofSeconds(30), Duration.ofSeconds(60));
        List<DhcpLeaseEvent> events = new ArrayList<>();
        try (AfPacketCapture capture = AfPacketCapture.open(tap)) {
            List<String> acked = DhcpTestBed.netns("burst", "--vendor", "iDRAC", clients.toString());
            assertEquals(BMCS, acked.size(), "every emulated BMC got an ACK from " + server);
            Map<String, String> expected = new HashMap<>();
            for (String line : acked) {
                String[] f = line.split("\\s+");
                expected.put(f[0], f[2]);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (events.size() < BMCS && System.nanoTime() < deadline) {
                capture.next(Duration.ofMillis(200)).map(leaseTap::accept).ifPresent(outcome -> {
                    if (outcome instanceof TapOutcome.Lease lease) {
                        events.add(lease.event());
                    }
                });
            }
            // Anything after the 500th would be a duplicate: drain what is left for a moment.
            long drainUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < drainUntil) {
                capture.next(Duration.ofMillis(100)).map(leaseTap::accept).ifPresent(outcome -> {
                    if (outcome instanceof TapOutcome.Lease lease) {
                        events.add(lease.event());
                    }
                });
            }
            assertEquals(0, capture.dropped(), "kernel drops on " + tap);
            assertEquals(BMCS, events.size(), "lease events for " + BMCS + " ACKs");
            Map<String, String> seen = new HashMap<>();
            for (DhcpLeaseEvent event : events) {
                String mac = event.mac().toString().toLowerCase();
                seen.put(mac, event.ip());
                int i = Integer.parseInt(event.mac().toString().replace(":", "").substring(8), 16);
                assertEquals(Optional.of(String.format("idrac-%s-%03d", server, i)).map(String::toLowerCase),
                        event.hostname().map(String::toLowerCase), mac);
                assertEquals(Optional.of("iDRAC"), event.vendorClass(), mac);
                assertTrue(event.serverId().filter(SERVER_ADDRESSES::contains).isPresent(), mac + " " + event.serverId());
            }
            assertEquals(expected, seen, "MAC -> acknowledged address, per BMC");
        }
    }
}
