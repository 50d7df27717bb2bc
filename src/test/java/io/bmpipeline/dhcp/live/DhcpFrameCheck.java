package io.bmpipeline.dhcp.live;

import java.util.HexFormat;
import java.util.Optional;

/**
 * Just enough of a frame for the capture tests to recognise what they sent: Ethernet (an 802.1Q tag
 * still in the frame is skipped), IPv4, UDP, BOOTP. Not the product's parser (that is io.bmpipeline.dhcp);
 * this only answers "is this a DHCP reply of type T for chaddr C, to UDP port P".
 */
record DhcpFrameCheck(int udpDestinationPort, int op, int messageType, String clientMac,
                      String yourAddress, String relayAddress, String serverAddress) {

    static final int ACK = 5;
    static final int OFFER = 2;

    static Optional<DhcpFrameCheck> of(byte[] f) {
        int at = 12;
        if (f.length < 14) {
            return Optional.empty();
        }
        int type = u16(f, at);
        if (type == 0x8100) {
            at += 4;
            type = u16(f, at);
        }
        at += 2;
        if (type != 0x0800 || f.length < at + 20) {
            return Optional.empty();
        }
        int ihl = (f[at] & 0x0f) * 4;
        if (f[at + 9] != 17) {
            return Optional.empty();
        }
        String source = ip(f, at + 12);
        int udp = at + ihl;
        int bootp = udp + 8;
        if (f.length < bootp + 240) {
            return Optional.empty();
        }
        int dport = u16(f, udp + 2);
        int op = f[bootp] & 0xff;
        String chaddr = HexFormat.ofDelimiter(":").formatHex(f, bootp + 28, bootp + 34);
        int messageType = -1;
        int opt = bootp + 240; // after the magic cookie
        while (opt < f.length) {
            int code = f[opt] & 0xff;
            if (code == 0) {
                opt++;
                continue;
            }
            if (code == 255 || opt + 1 >= f.length) {
                break;
            }
            int len = f[opt + 1] & 0xff;
            if (code == 53 && len >= 1 && opt + 2 < f.length) {
                messageType = f[opt + 2] & 0xff;
            }
            opt += 2 + len;
        }
        return Optional.of(new DhcpFrameCheck(dport, op, messageType, chaddr,
                ip(f, bootp + 16), ip(f, bootp + 24), source));
    }

    boolean isReply(int type) {
        return op == 2 && messageType == type;
    }

    private static int u16(byte[] f, int at) {
        return ((f[at] & 0xff) << 8) | (f[at + 1] & 0xff);
    }

    private static String ip(byte[] f, int at) {
        return (f[at] & 0xff) + "." + (f[at + 1] & 0xff) + "." + (f[at + 2] & 0xff) + "." + (f[at + 3] & 0xff);
    }
}
