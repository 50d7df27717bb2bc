package io.bmpipeline.dhcp.live;

import io.bmpipeline.dhcp.CapturedFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the capture learns from the kernel rather than from the frame: the VLAN id the receive path
 * strips into PACKET_AUXDATA, the outgoing direction, and why opening failed. Frames are injected with
 * tcpreplay through a veth pair whose far end sits in a namespace this test makes ({@value #NS}).
 */
class AfPacketCaptureKernelTest {

    private static final String NS = DhcpTestBed.PREFIX + "vlan";
    private static final String ROOT_END = "bmt-t-vl0";
    private static final String CLIENT = "d0:94:66:77:00:01";
    private static final String SERVER = "02:00:00:66:00:01";

    @BeforeAll
    static void vethIntoANamespace() {
        DhcpTestBed.assumeNamespaces();
        tearDown();
        sh("ip netns add " + NS);
        sh("ip link add " + ROOT_END + " type veth peer name inj0 netns " + NS);
        sh("sysctl -qw net.ipv6.conf." + ROOT_END + ".disable_ipv6=1");
        sh("ip link set " + ROOT_END + " up");
        sh("ip netns exec " + NS + " ip link set inj0 up");
    }

    @AfterAll
    static void tearDown() {
        DhcpTestBed.run(List.of("ip", "link", "del", ROOT_END));
        DhcpTestBed.run(List.of("ip", "netns", "del", NS));
    }

    @Test
    void reportsTheVlanIdTheKernelStripped(@TempDir Path dir) throws Exception {
        // Priority 5 in the TCI's top bits must not leak into the VLAN id.
        int tci = (5 << 13) | 100;
        Path pcap = dir.resolve("tagged-ack.pcap");
        SyntheticAck.writePcap(pcap, List.of(SyntheticAck.frame(CLIENT, SERVER, tci, true)));
        try (AfPacketCapture capture = AfPacketCapture.open(ROOT_END)) {
            sh("ip netns exec " + NS + " tcpreplay -q -i inj0 " + pcap);
            CapturedFrame frame = firstAck(capture);
            assertEquals(100, frame.vlan(), "VLAN id from tpacket_auxdata.tp_vlan_tci");
            assertFalse(frame.outgoing());
            DhcpFrameCheck check = DhcpFrameCheck.of(frame.data()).orElseThrow();
            assertEquals(CLIENT, check.clientMac());
            assertEquals(0x0800, ((frame.data()[12] & 0xff) << 8) | (frame.data()[13] & 0xff),
                    "the tag is no longer in the frame: the kernel moved it to the metadata");
            // And the lease event the tap makes of it carries that VLAN.
            var outcome = new io.bmpipeline.dhcp.LeaseTap(io.bmpipeline.dhcp.LeaseTap.Allowlist.anyServer(),
                    java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60)).accept(frame);
            var lease = org.junit.jupiter.api.Assertions.assertInstanceOf(io.bmpipeline.dhcp.TapOutcome.Lease.class, outcome);
            assertEquals(100, lease.event().vlan(), "the lease event's VLAN");
        }
    }

    @Test
    void marksFramesThisHostSentAsOutgoing(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("ack.pcap");
        SyntheticAck.writePcap(pcap, List.of(SyntheticAck.frame(CLIENT, SERVER, 0, false)));
        try (AfPacketCapture capture = AfPacketCapture.open(ROOT_END)) {
            // Sent out of the root end (towards the test's namespace): the tap sees its own host's frame.
            sh("tcpreplay -q -i " + ROOT_END + " " + pcap);
            CapturedFrame frame = firstAck(capture);
            assertTrue(frame.outgoing(), "sll_pkttype PACKET_OUTGOING");
            assertEquals(CapturedFrame.NO_VLAN, frame.vlan());
        }
    }

    @Test
    void theKernelFilterPassesOnlyDhcp(@TempDir Path dir) throws Exception {
        byte[] dns = SyntheticAck.frame("d0:94:66:77:00:02", SERVER, 0, false);
        dns[34] = 0; dns[35] = 53; dns[36] = 0; dns[37] = 53; // UDP 53 -> 53, same frame otherwise
        byte[] ack = SyntheticAck.frame(CLIENT, SERVER, 0, false);
        Path pcap = dir.resolve("dns-then-ack.pcap");
        SyntheticAck.writePcap(pcap, List.of(dns, dns, ack));
        try (AfPacketCapture capture = AfPacketCapture.open(ROOT_END)) {
            sh("ip netns exec " + NS + " tcpreplay -q -i inj0 " + pcap);
            // Frames come in order: had the filter let the DNS frames through, they would be first.
            CapturedFrame first = AfPacketCaptureLiveTest.collect(capture, got -> !got.isEmpty()).getFirst();
            assertEquals(CLIENT, DhcpFrameCheck.of(first.data()).orElseThrow().clientMac());
            assertEquals(1, capture.statistics().passedFilter(), "only the ACK passed the socket filter");
        }
    }

    @Test
    void anUnknownInterfaceIsNamed() {
        CaptureOpenException e = assertThrows(CaptureOpenException.class, () -> AfPacketCapture.open("bmt-nosuch0"));
        assertEquals(CaptureOpenException.Reason.NO_SUCH_INTERFACE, e.reason());
        assertTrue(e.getMessage().startsWith("no network interface named bmt-nosuch0"), e.getMessage());
    }

    @Test
    void withoutCapNetRawTheErrorSaysSo() throws Exception {
        Path classes = Path.of(AfPacketCapture.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        DhcpTestBed.Result result = DhcpTestBed.run(List.of(
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                java, "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED", "-cp", classes.toString(),
                CaptureCounter.class.getName(), ROOT_END));
        assertEquals(2, result.exitCode(), "exit code; stdout " + result.stdout() + " stderr " + result.stderr());
        assertTrue(result.stderr().contains("capturing on " + ROOT_END + " needs CAP_NET_RAW"), result.stderr());
    }

    private static CapturedFrame firstAck(AfPacketCapture capture) throws Exception {
        List<CapturedFrame> frames = AfPacketCaptureLiveTest.collect(capture, got -> got.stream()
                .anyMatch(f -> DhcpFrameCheck.of(f.data()).filter(c -> c.isReply(DhcpFrameCheck.ACK)).isPresent()));
        return frames.stream()
                .filter(f -> DhcpFrameCheck.of(f.data()).filter(c -> c.isReply(DhcpFrameCheck.ACK)).isPresent())
                .findFirst().orElseThrow();
    }

    private static void sh(String command) {
        DhcpTestBed.Result result = DhcpTestBed.run(List.of("bash", "-c", command));
        if (result.exitCode() != 0) {
            throw new AssertionError(command + " exited " + result.exitCode() + ": " + result.stderr());
        }
    }

}
