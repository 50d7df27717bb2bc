package io.bmpipeline.dhcp.live;

import io.bmpipeline.dhcp.CapturedFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live capture against real DHCP servers in network namespaces (testbed/dhcp/netns.sh): the
 * server's interface is mirrored to a tap in the root namespace, where AfPacketCapture listens as
 * it would on a rack controller, and real clients (udhcpc, BMC-like MACs and hostnames) lease.
 */
class AfPacketCaptureLiveTest {

    private static String tap;

    @BeforeAll
    static void testBed() {
        DhcpTestBed.assumeNamespaces();
        DhcpTestBed.netns("down");
        tap = DhcpTestBed.netns("up", "--server", "isc").getLast();
    }

    @AfterAll
    static void tearDown() {
        if (tap != null) {
            DhcpTestBed.netns("down");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"isc", "dnsmasq", "kea"})
    void seesTheAckTheServerSendsForEveryClient(String server) throws Exception {
        DhcpTestBed.netns("up", "--server", server);
        int serverOctet = switch (server) { case "isc" -> 0x11; case "dnsmasq" -> 0x22; default -> 0x33; };
        // HPE iLO, Dell iDRAC and Supermicro OUIs, one lease each from a fresh client namespace.
        List<String> clients = List.of(
                String.format("94:57:a5:%02x:00:01,ilo-%s-1", serverOctet, server),
                String.format("94:57:a5:%02x:00:02,ilo-%s-2", serverOctet, server),
                String.format("d0:94:66:%02x:00:03,idrac-%s-3", serverOctet, server),
                String.format("d0:94:66:%02x:00:04,idrac-%s-4", serverOctet, server),
                String.format("ac:1f:6b:%02x:00:05,ipmi-%s-5", serverOctet, server));
        Instant before = Instant.now();
        try (AfPacketCapture capture = AfPacketCapture.open(tap)) {
            List<DhcpTestBed.Lease> leases = DhcpTestBed.lease(clients.toArray(String[]::new));
            Map<String, String> leased = leases.stream()
                    .collect(Collectors.toMap(DhcpTestBed.Lease::mac, DhcpTestBed.Lease::address, (a, b) -> a, TreeMap::new));
            assertEquals(5, leased.size(), "every client leased: " + leases);

            List<CapturedFrame> frames = collect(capture, got -> acks(got).keySet().containsAll(leased.keySet()));
            Instant after = Instant.now();

            // The ACK for each client's MAC, carrying the address the client says it got.
            assertEquals(leased, acks(frames), "ACKs seen on " + tap + " (chaddr -> yiaddr)");
            for (CapturedFrame frame : frames) {
                assertEquals(tap, frame.interfaceName());
                assertEquals(CapturedFrame.NO_VLAN, frame.vlan(), "untagged segment");
                assertFalse(frame.capturedAt().isBefore(before.minusSeconds(1)), "kernel timestamp " + frame.capturedAt());
                assertFalse(frame.capturedAt().isAfter(after.plusSeconds(1)), "kernel timestamp " + frame.capturedAt());
                assertTrue(DhcpFrameCheck.of(frame.data()).isPresent(), "the BPF filter lets only DHCP through");
            }
            CaptureStatistics stats = capture.statistics();
            assertTrue(stats.passedFilter() >= frames.size(), "kernel counted " + stats + " for " + frames.size() + " frames");
            assertEquals(0, capture.dropped());
        }
    }

    @Test
    void seesTheRelayedAckTheServerSendsToTheRelay() throws Exception {
        DhcpTestBed.netns("up", "--server", "isc", "--relay");
        try (AfPacketCapture capture = AfPacketCapture.open(tap)) {
            DhcpTestBed.Lease lease = DhcpTestBed.lease("--segment", "b", "ac:1f:6b:44:00:01,ipmi-relayed").getFirst();
            assertTrue(lease.address().startsWith("10.66.1."), "leased on the relayed segment: " + lease);
            List<CapturedFrame> frames = collect(capture, got -> got.stream()
                    .map(f -> DhcpFrameCheck.of(f.data())).flatMap(Optional::stream)
                    .anyMatch(c -> c.isReply(DhcpFrameCheck.ACK)));
            DhcpFrameCheck ack = frames.stream().map(f -> DhcpFrameCheck.of(f.data())).flatMap(Optional::stream)
                    .filter(c -> c.isReply(DhcpFrameCheck.ACK)).findFirst().orElseThrow();
            assertEquals("ac:1f:6b:44:00:01", ack.clientMac());
            assertEquals(67, ack.udpDestinationPort(), "server:67 -> relay:67");
            assertEquals("10.66.1.1", ack.relayAddress(), "giaddr is the relay's downstream address");
            assertEquals(lease.address(), ack.yourAddress());
            // The lease event the tap makes of the relayed exchange carries giaddr and option 82.
            var tap = new io.bmpipeline.dhcp.LeaseTap(io.bmpipeline.dhcp.LeaseTap.Allowlist.anyServer(),
                    Duration.ofSeconds(10), Duration.ofSeconds(60));
            List<io.bmpipeline.dhcp.DhcpLeaseEvent> events = frames.stream().map(tap::accept)
                    .filter(io.bmpipeline.dhcp.TapOutcome.Lease.class::isInstance)
                    .map(o -> ((io.bmpipeline.dhcp.TapOutcome.Lease) o).event()).toList();
            assertEquals(1, events.size(), "one lease event for the relayed lease: " + events);
            var event = events.getFirst();
            assertEquals(Optional.of("10.66.1.1"), event.relayAddress());
            assertEquals("eth1", event.relayAgent().get(io.bmpipeline.dhcp.DhcpMessage.RELAY_CIRCUIT_ID),
                    "option 82 circuit id: the relay's downstream interface (dhcrelay -a)");
            assertEquals(lease.address(), event.ip());
            assertEquals(Optional.of("ipmi-relayed"), event.hostname(), "from the client's REQUEST");
        }
    }

    @Test
    void aRogueServersOfferShowsOnItsOwnTap() throws Exception {
        String rogueTap = DhcpTestBed.netns("rogue").getLast();
        try (AfPacketCapture capture = AfPacketCapture.open(rogueTap)) {
            DhcpTestBed.lease("ac:1f:6b:55:00:01,ipmi-rogue-target");
            List<CapturedFrame> frames = collect(capture, got -> got.stream()
                    .map(f -> DhcpFrameCheck.of(f.data())).flatMap(Optional::stream)
                    .anyMatch(c -> c.isReply(DhcpFrameCheck.OFFER) && c.clientMac().equals("ac:1f:6b:55:00:01")));
            DhcpFrameCheck offer = frames.stream().map(f -> DhcpFrameCheck.of(f.data())).flatMap(Optional::stream)
                    .filter(c -> c.isReply(DhcpFrameCheck.OFFER)).findFirst().orElseThrow();
            assertEquals("10.66.0.250", offer.serverAddress(), "the rogue answered from its own address");
            assertTrue(offer.yourAddress().startsWith("10.66.0.2"), "from the rogue's pool: " + offer);
        }
    }

    /** Chaddr → yiaddr of every DHCPACK among the frames. */
    private static Map<String, String> acks(List<CapturedFrame> frames) {
        Map<String, String> acks = new TreeMap<>();
        for (CapturedFrame frame : frames) {
            DhcpFrameCheck.of(frame.data()).filter(c -> c.isReply(DhcpFrameCheck.ACK) && c.udpDestinationPort() == 68)
                    .ifPresent(c -> acks.put(c.clientMac(), c.yourAddress()));
        }
        return acks;
    }

    /**
     * Frames until {@code done} holds for what came so far. The 60 s limit only ends a broken run
     * (leases here take well under a second); nothing about speed is asserted.
     */
    static List<CapturedFrame> collect(AfPacketCapture capture, Predicate<List<CapturedFrame>> done) throws Exception {
        List<CapturedFrame> frames = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.test(frames)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting on " + capture + "; captured " + frames.size() + " frames: "
                        + frames.stream().map(f -> DhcpFrameCheck.of(f.data()).map(Object::toString).orElse("non-DHCP"))
                        .toList());
            }
            capture.next(Duration.ofMillis(200)).ifPresent(frames::add);
        }
        return frames;
    }

}
