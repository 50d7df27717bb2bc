package io.bmpipeline.dhcp;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes demo/leases.pcap, the capture bin/demo replays: the six demo BMCs of
 * demo/manifest.csv leasing (REQUEST + ACK, ISC style), a MAC nobody expects, and an ACK from a
 * rogue server. Regenerate: {@code java -cp target/test-classes:target/classes io.bmpipeline.dhcp.DemoCapture}.
 */
public final class DemoCapture {

    static final String[][] BMCS = {
            {"94:57:A5:DE:00:01", "ilo-demo-srv-01", "CPQRIB3"},
            {"D0:94:66:DE:00:02", "idrac-demo-srv-02", "iDRAC"},
            {"AC:1F:6B:DE:00:03", "bmc-demo-srv-03", "Supermicro"},
            {"94:57:A5:DE:00:04", "ilo-demo-srv-04", "CPQRIB3"},
            {"D0:94:66:DE:00:05", "idrac-demo-srv-05", "iDRAC"},
            {"AC:1F:6B:DE:00:06", "bmc-demo-srv-06", "Supermicro"}};

    public static void main(String[] args) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < BMCS.length; i++) {
            frames.add(DhcpFrameBuilder.request().xid(0xDE0000 + i).chaddr(BMCS[i][0]).option(12, BMCS[i][1])
                    .option(60, BMCS[i][2]).bytes());
            frames.add(DhcpFrameBuilder.ack().xid(0xDE0000 + i).chaddr(BMCS[i][0]).yiaddr(10, 66, 10, 101 + i).bytes());
        }
        frames.add(DhcpFrameBuilder.ack().xid(0xDE0100).chaddr("00:16:3E:00:00:77").yiaddr(10, 66, 10, 150).bytes());
        frames.add(DhcpFrameBuilder.ack().xid(0xDE0101).chaddr("94:57:A5:DE:00:01").yiaddr(10, 66, 10, 199)
                .from("66:66:66:66:66:66", 10, 66, 0, 66).bytes());
        Path out = Path.of(args.length > 0 ? args[0] : "demo/leases.pcap");
        Files.createDirectories(out.toAbsolutePath().getParent());
        PcapWriter.classic(out, frames, Instant.parse("2026-11-24T08:00:00Z"), ByteOrder.LITTLE_ENDIAN, false);
    }
}
