package io.bmpipeline.dhcp;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Captures for tests in other packages: a burst of REQUEST/ACK pairs as ISC dhcpd sends them. */
public final class DhcpTestFrames {

    private DhcpTestFrames() {}

    /** One REQUEST + ACK per MAC; the i-th MAC leases {@code net.(firstHost + i)} ({@code net} is "a.b.c"). */
    public static void writeBurst(Path pcap, List<String> macs, String net, int firstHost) throws IOException {
        String[] parts = net.split("\\.");
        int a = Integer.parseInt(parts[0]);
        int b = Integer.parseInt(parts[1]);
        int c = Integer.parseInt(parts[2]);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < macs.size(); i++) {
            frames.add(DhcpFrameBuilder.request().xid(0x5000 + i).chaddr(macs.get(i)).option(12, "bmc-" + i).bytes());
            frames.add(DhcpFrameBuilder.ack().xid(0x5000 + i).chaddr(macs.get(i)).yiaddr(a, b, c, firstHost + i).bytes());
        }
        PcapWriter.classic(pcap, frames, Instant.now(), ByteOrder.LITTLE_ENDIAN, false);
    }
}
