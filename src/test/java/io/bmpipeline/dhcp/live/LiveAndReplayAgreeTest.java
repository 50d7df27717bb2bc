package io.bmpipeline.dhcp.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.dhcp.CapturedFrame;
import io.bmpipeline.dhcp.DhcpLeaseEvent;
import io.bmpipeline.dhcp.LeaseTap;
import io.bmpipeline.dhcp.PcapReader;
import io.bmpipeline.dhcp.TapOutcome;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same real traffic, captured live by the tap and written to a pcap by tcpdump on the same
 * interface, gives the same lease events when the pcap is replayed.
 */
class LiveAndReplayAgreeTest {

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

    /** What must agree: everything but where and exactly when the frame was read. */
    private record Essence(String mac, String ip, String hostname, String vendorClass, String serverId, long xid,
                           int vlan, long leaseSeconds, int maskBits) {
        static Essence of(DhcpLeaseEvent e) {
            return new Essence(e.mac().value(), e.ip(), e.hostname().orElse(""), e.vendorClass().orElse(""),
                    e.serverId().orElse(""), e.xid(), e.vlan(), e.leaseSeconds().orElse(-1), e.maskBits().orElse(-1));
        }
    }

    private static LeaseTap newTap() {
        return new LeaseTap(new LeaseTap.Allowlist(Set.of("10.66.0.1"), Set.of()), Duration.ofSeconds(10),
                Duration.ofSeconds(60));
    }

    @Test
    void replayingTheCaptureGivesTheEventsTheLiveTapGave() throws Exception {
        Path pcap = Files.createTempDirectory("bm-live-replay").resolve("wire.pcap");
        Process tcpdump = new ProcessBuilder("tcpdump", "-i", tap, "--immediate-mode", "-U", "-w", pcap.toString(),
                "udp and (port 67 or port 68)").redirectErrorStream(true).start();
        List<DhcpLeaseEvent> live = new ArrayList<>();
        LeaseTap liveTap = newTap();
        try (AfPacketCapture capture = AfPacketCapture.open(tap)) {
            Thread.sleep(1000);   // tcpdump's socket must be open before the first frame
            List<DhcpTestBed.Lease> leases = DhcpTestBed.lease("--vendor", "iDRAC",
                    "94:57:a5:77:00:01,ilo-agree-1", "d0:94:66:77:00:02,idrac-agree-2", "ac:1f:6b:77:00:03,bmc-agree-3");
            assertEquals(3, leases.size());
            List<CapturedFrame> frames = AfPacketCaptureLiveTest.collect(capture, got -> countLeases(got) >= 3);
            for (CapturedFrame frame : frames) {
                if (liveTap.accept(frame) instanceof TapOutcome.Lease lease) {
                    live.add(lease.event());
                }
            }
        } finally {
            Thread.sleep(1000);
            tcpdump.destroy();   // SIGTERM: tcpdump flushes and closes the file
            tcpdump.waitFor(10, TimeUnit.SECONDS);
        }
        List<DhcpLeaseEvent> replayed = new ArrayList<>();
        LeaseTap replayTap = newTap();
        try (PcapReader reader = PcapReader.open(pcap)) {
            while (true) {
                try {
                    reader.next(Duration.ZERO).map(replayTap::accept).ifPresent(outcome -> {
                        if (outcome instanceof TapOutcome.Lease lease) {
                            replayed.add(lease.event());
                        }
                    });
                } catch (EOFException end) {
                    break;
                }
            }
        }
        assertEquals(3, live.size(), live.toString());
        assertEquals(live.stream().map(Essence::of).toList(), replayed.stream().map(Essence::of).toList());
        assertTrue(live.stream().allMatch(e -> e.hostname().isPresent() && e.vendorClass().isPresent()), live.toString());
    }

    private static int countLeases(List<CapturedFrame> frames) {
        LeaseTap probe = newTap();
        int leases = 0;
        for (CapturedFrame frame : frames) {
            if (probe.accept(frame) instanceof TapOutcome.Lease) {
                leases++;
            }
        }
        return leases;
    }
}
