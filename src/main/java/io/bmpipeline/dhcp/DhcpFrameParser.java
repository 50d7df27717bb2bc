package io.bmpipeline.dhcp;

import io.bmpipeline.address.Ipv4Address;
import io.bmpipeline.address.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Ethernet → (802.1Q) → IPv4 → UDP → BOOTP/DHCP, per RFC 2131/2132, with the cases real traffic
 * has: in-frame VLAN tags (one or two), IHL > 5, Ethernet padding past the IP length, fragments,
 * option overload into {@code file}/{@code sname} (option 52), long options split over several
 * instances (RFC 3396: concatenated), pad and end, truncation anywhere. UDP checksums are not
 * checked: with transmit offload the sender's copy carries garbage there.
 *
 * <p>Whatever the bytes, the result is a {@link ParsedFrame} — a message, or a drop naming the
 * reason and the byte offset that decided it; no input makes it throw. One instance reuses its
 * scratch arrays between frames and is not thread-safe: a consumer thread owns one.
 */
public final class DhcpFrameParser {

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int MAGIC_COOKIE = 0x63825363;
    private static final int BOOTP_FIXED = 236;
    private static final int OPTION_OVERLOAD = 52;
    private static final HexFormat COLON_HEX = HexFormat.ofDelimiter(":");
    private static final HexFormat HEX = HexFormat.of();

    /** Per option code: -1 when absent this frame, else the (summed) length. */
    private final int[] length = new int[256];
    private final int[] start = new int[256];
    /** RFC 3396: the joined value when a code occurred more than once. */
    private final byte[][] joined = new byte[256][];
    private final int[] seenCodes = new int[256];
    private int seenCount;
    private byte[] data;
    /** The last frame's Ethernet source that was not the client itself: a server answers many clients. */
    private final byte[] lastSourceBytes = new byte[6];
    private MacAddress lastSource;

    public DhcpFrameParser() {
        Arrays.fill(length, -1);
    }

    public ParsedFrame parse(CapturedFrame frame) {
        try {
            data = frame.data();
            return parseFrame(frame);
        } finally {
            for (int i = 0; i < seenCount; i++) {
                int code = seenCodes[i];
                length[code] = -1;
                joined[code] = null;
            }
            seenCount = 0;
            data = null;
        }
    }

    private ParsedFrame parseFrame(CapturedFrame frame) {
        byte[] d = data;
        int n = d.length;
        if (n < 14) {
            return drop(DropReason.TRUNCATED, n, "an Ethernet header needs 14 bytes, the frame has " + n);
        }
        int type = u16(d, 12);
        int off = 14;
        int vlan = frame.vlan();
        int innerVlan = -1;
        for (int tags = 0; (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && tags < 2; tags++) {
            if (n < off + 4) {
                return drop(DropReason.TRUNCATED, n, "frame ends inside an 802.1Q tag");
            }
            // The outer tag (the kernel's, when it took it off the frame) and the customer tag inside it.
            if (vlan < 0) {
                vlan = u16(d, off) & 0x0FFF;
            } else if (innerVlan < 0) {
                innerVlan = u16(d, off) & 0x0FFF;
            }
            type = u16(d, off + 2);
            off += 4;
        }
        if (type == ETHERTYPE_IPV6) {
            boolean dhcpv6 = n >= off + 44 && (d[off + 6] & 0xff) == 17
                    && (isV6Port(u16(d, off + 40)) || isV6Port(u16(d, off + 42)));
            return dhcpv6 ? drop(DropReason.DHCPV6, off, "DHCPv6 is not handled")
                    : drop(DropReason.NOT_IPV4, off - 2, "IPv6");
        }
        if (type != ETHERTYPE_IPV4) {
            return drop(DropReason.NOT_IPV4, off - 2, "ethertype 0x" + Integer.toHexString(type));
        }
        if (n < off + 20) {
            return drop(DropReason.TRUNCATED, n, "frame ends inside the IPv4 header");
        }
        int versionIhl = d[off] & 0xff;
        int ihl = (versionIhl & 0x0F) * 4;
        if (versionIhl >> 4 != 4 || ihl < 20) {
            return drop(DropReason.IP_HEADER_INVALID, off, "version/IHL byte 0x" + Integer.toHexString(versionIhl));
        }
        int totalLength = u16(d, off + 2);
        if (totalLength < ihl + 8) {
            return drop(DropReason.IP_HEADER_INVALID, off + 2, "IPv4 total length " + totalLength);
        }
        int ipEnd = off + totalLength;
        if (ipEnd > n) {
            return drop(DropReason.TRUNCATED, n, "IPv4 says " + totalLength + " bytes, the frame has " + (n - off));
        }
        int fragment = u16(d, off + 6);
        if ((fragment & 0x3FFF) != 0) {
            return drop(DropReason.IP_FRAGMENT, off + 6, "fragment offset " + (fragment & 0x1FFF) * 8
                    + ((fragment & 0x2000) != 0 ? ", more fragments" : ""));
        }
        if ((d[off + 9] & 0xff) != 17) {
            return drop(DropReason.NOT_UDP, off + 9, "IP protocol " + (d[off + 9] & 0xff));
        }
        int srcIp = off + 12;
        int dstIp = off + 16;
        int udp = off + ihl;
        if (ipEnd < udp + 8) {
            return drop(DropReason.TRUNCATED, ipEnd, "packet ends inside the UDP header");
        }
        int sport = u16(d, udp);
        int dport = u16(d, udp + 2);
        if (isV6Port(sport) || isV6Port(dport)) {
            return drop(DropReason.DHCPV6, udp, "DHCPv6 ports");
        }
        if (!isV4Port(sport) || !isV4Port(dport)) {
            return drop(DropReason.NOT_DHCP_PORT, udp, "UDP " + sport + " → " + dport);
        }
        int udpLength = u16(d, udp + 4);
        if (udpLength < 8 || udp + udpLength > ipEnd) {
            return drop(DropReason.TRUNCATED, udp + 4, "UDP length " + udpLength + " does not fit the IP packet");
        }
        int end = udp + udpLength;
        int bootp = udp + 8;
        if (end - bootp < BOOTP_FIXED + 4) {
            return drop(DropReason.BOOTP_TOO_SHORT, bootp, (end - bootp) + " bytes of BOOTP, 240 needed");
        }
        int htype = d[bootp + 1] & 0xff;
        int hlen = d[bootp + 2] & 0xff;
        if (htype != 1 || hlen != 6) {
            return drop(DropReason.NOT_ETHERNET_HARDWARE, bootp + 1, "htype " + htype + ", hlen " + hlen);
        }
        if (i32(d, bootp + BOOTP_FIXED) != MAGIC_COOKIE) {
            return drop(DropReason.BAD_MAGIC_COOKIE, bootp + BOOTP_FIXED,
                    "0x" + Integer.toHexString(i32(d, bootp + BOOTP_FIXED)));
        }
        int overrun = options(bootp + BOOTP_FIXED + 4, end);
        if (overrun >= 0) {
            return drop(DropReason.OPTION_OVERRUN, overrun, "option " + (d[overrun] & 0xff) + " runs past its field");
        }
        if (length[OPTION_OVERLOAD] >= 1) {
            int overload = value(OPTION_OVERLOAD, 0);
            // RFC 2131 §4.1: options, then file, then sname.
            if ((overload & 1) != 0 && (overrun = options(bootp + 108, bootp + 236)) >= 0) {
                return drop(DropReason.OPTION_OVERRUN, overrun, "overloaded option in 'file' runs past it");
            }
            if ((overload & 2) != 0 && (overrun = options(bootp + 44, bootp + 108)) >= 0) {
                return drop(DropReason.OPTION_OVERRUN, overrun, "overloaded option in 'sname' runs past it");
            }
        }
        if (length[53] < 1) {
            return drop(DropReason.NO_MESSAGE_TYPE, bootp + BOOTP_FIXED + 4, "no DHCP message type (option 53)");
        }
        MacAddress chaddr = MacAddress.ofBytes(d, bootp + 28);
        // A client's own frames come from its chaddr; a server's from one MAC for every client.
        MacAddress source = Arrays.equals(d, 6, 12, d, bootp + 28, bootp + 34) ? chaddr : sourceMac(d);
        return new ParsedFrame.Message(new DhcpMessage(
                d[bootp] & 0xff,
                i32(d, bootp + 4) & 0xFFFFFFFFL,
                chaddr,
                value(53, 0),
                Ipv4Address.ofBytes(d, bootp + 12), Ipv4Address.ofBytes(d, bootp + 16),
                Ipv4Address.ofBytes(d, bootp + 20), Ipv4Address.ofBytes(d, bootp + 24),
                addressOption(54), addressOption(50),
                length[51] == 4 ? OptionalLong.of(u32(51)) : OptionalLong.empty(),
                maskBits(),
                textOption(12), textOption(60),
                length[61] > 0 ? Optional.of(COLON_HEX.formatHex(bytes(61))) : Optional.empty(),
                relayAgent(false), relayAgent(true),
                source, Ipv4Address.ofBytes(d, srcIp), Ipv4Address.ofBytes(d, dstIp), sport, dport,
                vlan, innerVlan, frame.interfaceName(), frame.capturedAt()));
    }

    private MacAddress sourceMac(byte[] d) {
        if (lastSource == null || !Arrays.equals(d, 6, 12, lastSourceBytes, 0, 6)) {
            lastSource = MacAddress.ofBytes(d, 6);
            System.arraycopy(d, 6, lastSourceBytes, 0, 6);
        }
        return lastSource;
    }

    /** Records the options in [from, to); returns -1, or the offset of an option that overruns. */
    private int options(int from, int to) {
        byte[] d = data;
        int p = from;
        while (p < to) {
            int code = d[p] & 0xff;
            if (code == 0) {
                p++;
                continue;
            }
            if (code == 255) {
                return -1;
            }
            if (p + 1 >= to) {
                return p;
            }
            int len = d[p + 1] & 0xff;
            if (p + 2 + len > to) {
                return p;
            }
            record(code, p + 2, len);
            p += 2 + len;
        }
        return -1;
    }

    private void record(int code, int at, int len) {
        if (length[code] < 0) {
            length[code] = len;
            start[code] = at;
            seenCodes[seenCount++] = code;
        } else {
            byte[] before = bytes(code);
            byte[] both = Arrays.copyOf(before, before.length + len);
            System.arraycopy(data, at, both, before.length, len);
            joined[code] = both;
            length[code] = both.length;
        }
    }

    private byte[] bytes(int code) {
        return joined[code] != null ? joined[code] : Arrays.copyOfRange(data, start[code], start[code] + length[code]);
    }

    private int value(int code, int index) {
        return joined[code] != null ? joined[code][index] & 0xff : data[start[code] + index] & 0xff;
    }

    private long u32(int code) {
        return ((long) value(code, 0) << 24) | (value(code, 1) << 16) | (value(code, 2) << 8) | value(code, 3);
    }

    private Optional<Ipv4Address> addressOption(int code) {
        if (length[code] != 4) {
            return Optional.empty();
        }
        return Optional.of(new Ipv4Address((int) u32(code)));
    }

    private OptionalInt maskBits() {
        if (length[1] != 4) {
            return OptionalInt.empty();
        }
        int mask = (int) u32(1);
        int bits = Integer.bitCount(mask);
        // A mask must be contiguous ones from the top: anything else is not a subnet mask.
        return mask == (bits == 0 ? 0 : -1 << (32 - bits)) ? OptionalInt.of(bits) : OptionalInt.empty();
    }

    /** Hostnames and vendor classes are ASCII by RFC; anything else is kept readable, never trusted. */
    private Optional<String> textOption(int code) {
        if (length[code] <= 0) {
            return Optional.empty();
        }
        String text = printable(bytes(code));
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    /** Option 82's sub-options: every one as hex, or only the printable ones as text. */
    private Map<Integer, String> relayAgent(boolean hex) {
        if (length[82] <= 0) {
            return Map.of();
        }
        byte[] info = bytes(82);
        Map<Integer, String> subOptions = new LinkedHashMap<>();
        int p = 0;
        while (p + 1 < info.length) {
            int sub = info[p] & 0xff;
            int len = info[p + 1] & 0xff;
            if (p + 2 + len > info.length) {
                break;
            }
            byte[] value = Arrays.copyOfRange(info, p + 2, p + 2 + len);
            if (hex) {
                subOptions.put(sub, HEX.formatHex(value));
            } else if (isPrintable(value)) {
                subOptions.put(sub, new String(value, StandardCharsets.US_ASCII));
            }
            p += 2 + len;
        }
        return Map.copyOf(subOptions);
    }

    /**
     * UTF-8 when the bytes are UTF-8 ("Jean’s-iPhone"), else Latin-1 (every byte a character); control characters,
     * line separators and bidirectional overrides become '?', so nothing from the wire can break or reorder a log line
     * or a journal entry.
     */
    private static String printable(byte[] raw) {
        int len = raw.length;
        while (len > 0 && raw[len - 1] == 0) {
            len--;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw, 0, len)).toString();
        } catch (java.nio.charset.CharacterCodingException notUtf8) {
            text = new String(raw, 0, len, StandardCharsets.ISO_8859_1);
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) || isLayoutControl(c) ? '?' : c));
        return out.toString();
    }

    /** Line and paragraph separators and bidirectional overrides: they can reorder or break a line as it is read. */
    private static boolean isLayoutControl(int c) {
        return c == 0x2028 || c == 0x2029 || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069);
    }

    private static boolean isPrintable(byte[] raw) {
        for (byte b : raw) {
            if (b < 0x20 || b >= 0x7f) {
                return false;
            }
        }
        return raw.length > 0;
    }

    private static boolean isV4Port(int port) {
        return port == 67 || port == 68;
    }

    private static boolean isV6Port(int port) {
        return port == 546 || port == 547;
    }

    private static int u16(byte[] d, int at) {
        return ((d[at] & 0xff) << 8) | (d[at + 1] & 0xff);
    }

    private static int i32(byte[] d, int at) {
        return ((d[at] & 0xff) << 24) | ((d[at + 1] & 0xff) << 16) | ((d[at + 2] & 0xff) << 8) | (d[at + 3] & 0xff);
    }

    private static ParsedFrame drop(DropReason reason, int offset, String detail) {
        return new ParsedFrame.Dropped(reason, offset, detail);
    }
}
