package io.bmpipeline.dhcp.live;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * A hand-built DHCPACK frame (optionally 802.1Q-tagged) and a classic pcap writer, for injecting
 * frames with tcpreplay where the kernel cannot make them itself (no 8021q module here).
 */
final class SyntheticAck {

    private SyntheticAck() {}

    /** Ethernet [802.1Q tci] IPv4 UDP 67→68 BOOTP reply, option 53 = ACK, for {@code clientMac}. */
    static byte[] frame(String clientMac, String serverMac, int vlanTci, boolean tagged) {
        byte[] mac = HexFormat.ofDelimiter(":").parseHex(clientMac);
        byte[] smac = HexFormat.ofDelimiter(":").parseHex(serverMac);
        byte[] bootp = new byte[240 + 4];
        bootp[0] = 2; // op BOOTREPLY
        bootp[1] = 1; // htype Ethernet
        bootp[2] = 6; // hlen
        bootp[4] = 0x12; bootp[5] = 0x34; bootp[6] = 0x56; bootp[7] = 0x78; // xid
        byte[] yiaddr = {10, 66, 0, (byte) 150};
        System.arraycopy(yiaddr, 0, bootp, 16, 4);
        System.arraycopy(new byte[] {10, 66, 0, 1}, 0, bootp, 20, 4);
        System.arraycopy(mac, 0, bootp, 28, 6);
        bootp[236] = 99; bootp[237] = (byte) 130; bootp[238] = 83; bootp[239] = 99; // magic cookie
        bootp[240] = 53; bootp[241] = 1; bootp[242] = 5; bootp[243] = (byte) 255;
        int udpLength = 8 + bootp.length;
        int ipLength = 20 + udpLength;
        ByteBuffer b = ByteBuffer.allocate(14 + (tagged ? 4 : 0) + ipLength).order(ByteOrder.BIG_ENDIAN);
        b.put(mac).put(smac);
        if (tagged) {
            b.putShort((short) 0x8100).putShort((short) vlanTci);
        }
        b.putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 66, 0, 1}).put(yiaddr);
        byte[] all = b.array();
        int sum = 0;
        for (int i = ipStart; i < ipStart + 20; i += 2) {
            sum += ((all[i] & 0xff) << 8) | (all[i + 1] & 0xff);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        b.putShort(ipStart + 10, (short) ~sum);
        b.putShort((short) 67).putShort((short) 68).putShort((short) udpLength).putShort((short) 0); // no UDP checksum
        b.put(bootp);
        return b.array();
    }

    /** Writes a classic pcap (microsecond, Ethernet) with the frames. */
    static void writePcap(Path file, List<byte[]> frames) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(65535).putInt(1);
            out.write(header.array());
            long now = System.currentTimeMillis();
            for (byte[] frame : frames) {
                ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                record.putInt((int) (now / 1000)).putInt((int) (now % 1000) * 1000)
                        .putInt(frame.length).putInt(frame.length);
                out.write(record.array());
                out.write(frame);
            }
        }
    }
}
