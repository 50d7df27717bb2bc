package io.bmpipeline.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds DHCP frames byte by byte for the parser's tests: readable at the call site, and able to
 * build the odd frames real networks carry (tags, IP options, overloaded and split options).
 */
final class DhcpFrameBuilder {

    private int op = 2;
    private int messageType = DhcpMessage.ACK;
    private long xid = 0x12345678L;
    private byte[] chaddr = mac("94:57:A5:00:00:01");
    private byte[] srcMac = mac("52:54:00:00:00:02");
    private byte[] dstMac = mac("94:57:A5:00:00:01");
    private int[] srcIp = {10, 66, 0, 2};
    private int[] dstIp = {10, 66, 0, 100};
    private int sport = 67;
    private int dport = 68;
    private int[] yiaddr = {10, 66, 0, 100};
    private int[] giaddr = {0, 0, 0, 0};
    private int hlen = 6;
    private int ipOptionsWords = 0;
    private int fragment = 0;
    private int cookie = 0x63825363;
    private final List<Integer> vlans = new ArrayList<>();
    private final ByteArrayOutputStream options = new ByteArrayOutputStream();
    private byte[] sname = new byte[64];
    private byte[] file = new byte[128];
    private int padding = 0;
    private boolean end = true;

    static DhcpFrameBuilder ack() {
        return new DhcpFrameBuilder().option(53, DhcpMessage.ACK).option(54, 10, 66, 0, 2).option(51, 0, 0, 0x0e, 0x10)
                .option(1, 255, 255, 255, 0);
    }

    static DhcpFrameBuilder request() {
        DhcpFrameBuilder b = new DhcpFrameBuilder();
        b.op = 1;
        b.messageType = DhcpMessage.REQUEST;
        b.srcMac = b.chaddr;
        b.dstMac = mac("FF:FF:FF:FF:FF:FF");
        b.srcIp = new int[] {0, 0, 0, 0};
        b.dstIp = new int[] {255, 255, 255, 255};
        b.sport = 68;
        b.dport = 67;
        b.yiaddr = new int[] {0, 0, 0, 0};
        return b.option(53, DhcpMessage.REQUEST);
    }

    DhcpFrameBuilder xid(long value) {
        xid = value;
        return this;
    }

    DhcpFrameBuilder chaddr(String mac) {
        chaddr = mac(mac);
        if (op == 1) {
            srcMac = chaddr;
        } else {
            dstMac = chaddr;
        }
        return this;
    }

    DhcpFrameBuilder yiaddr(int a, int b, int c, int d) {
        yiaddr = new int[] {a, b, c, d};
        return this;
    }

    DhcpFrameBuilder from(String mac, int a, int b, int c, int d) {
        srcMac = mac(mac);
        srcIp = new int[] {a, b, c, d};
        return this;
    }

    DhcpFrameBuilder relayed(int a, int b, int c, int d) {
        giaddr = new int[] {a, b, c, d};
        dport = 67;
        return this;
    }

    DhcpFrameBuilder ports(int source, int destination) {
        sport = source;
        dport = destination;
        return this;
    }

    DhcpFrameBuilder hlen(int value) {
        hlen = value;
        return this;
    }

    DhcpFrameBuilder vlan(int id) {
        vlans.add(id);
        return this;
    }

    DhcpFrameBuilder ipOptionsWords(int words) {
        ipOptionsWords = words;
        return this;
    }

    DhcpFrameBuilder fragment(int value) {
        fragment = value;
        return this;
    }

    DhcpFrameBuilder cookie(int value) {
        cookie = value;
        return this;
    }

    DhcpFrameBuilder padding(int bytes) {
        padding = bytes;
        return this;
    }

    DhcpFrameBuilder noEnd() {
        end = false;
        return this;
    }

    DhcpFrameBuilder option(int code, int... value) {
        options.write(code);
        options.write(value.length);
        for (int v : value) {
            options.write(v);
        }
        return this;
    }

    DhcpFrameBuilder option(int code, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int[] value = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            value[i] = bytes[i] & 0xff;
        }
        return option(code, value);
    }

    DhcpFrameBuilder raw(int... bytes) {
        for (int b : bytes) {
            options.write(b);
        }
        return this;
    }

    /** Option overload: these options go into {@code file} (1) and/or {@code sname} (2). */
    DhcpFrameBuilder inFile(int... bytes) {
        file = fieldWith(bytes, 128);
        return this;
    }

    DhcpFrameBuilder inSname(int... bytes) {
        sname = fieldWith(bytes, 64);
        return this;
    }

    private static byte[] fieldWith(int[] bytes, int size) {
        byte[] field = new byte[size];
        for (int i = 0; i < bytes.length; i++) {
            field[i] = (byte) bytes[i];
        }
        return field;
    }

    byte[] bytes() {
        ByteArrayOutputStream bootp = new ByteArrayOutputStream();
        bootp.write(op);
        bootp.write(1);
        bootp.write(hlen);
        bootp.write(0);
        int32(bootp, (int) xid);
        bootp.writeBytes(new byte[4]);
        bootp.writeBytes(new byte[4]); // ciaddr
        ip(bootp, yiaddr);
        bootp.writeBytes(new byte[4]); // siaddr
        ip(bootp, giaddr);
        bootp.writeBytes(chaddr);
        bootp.writeBytes(new byte[10]);
        bootp.writeBytes(sname);
        bootp.writeBytes(file);
        int32(bootp, cookie);
        bootp.writeBytes(options.toByteArray());
        if (end) {
            bootp.write(255);
        }
        byte[] payload = bootp.toByteArray();

        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.writeBytes(dstMac);
        frame.writeBytes(srcMac);
        for (int id : vlans) {
            int16(frame, 0x8100);
            int16(frame, id);
        }
        int16(frame, 0x0800);
        int ihl = 5 + ipOptionsWords;
        int total = ihl * 4 + 8 + payload.length;
        frame.write(0x40 | ihl);
        frame.write(0);
        int16(frame, total);
        int16(frame, 0);
        int16(frame, fragment);
        frame.write(64);
        frame.write(17);
        int16(frame, 0);
        ip(frame, srcIp);
        ip(frame, dstIp);
        for (int i = 0; i < ipOptionsWords; i++) {
            frame.writeBytes(new byte[] {1, 1, 1, 0}); // NOP NOP NOP EOL
        }
        int16(frame, sport);
        int16(frame, dport);
        int16(frame, 8 + payload.length);
        int16(frame, 0xBEEF); // garbage checksum, as offload leaves it
        frame.writeBytes(payload);
        frame.writeBytes(new byte[padding]);
        return frame.toByteArray();
    }

    CapturedFrame frame() {
        return frame(Instant.parse("2026-11-24T10:00:00Z"));
    }

    CapturedFrame frame(Instant at) {
        return new CapturedFrame(bytes(), at, "eth1", CapturedFrame.NO_VLAN, false);
    }

    static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }

    private static void ip(ByteArrayOutputStream out, int[] ip) {
        for (int b : ip) {
            out.write(b);
        }
    }

    private static void int16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void int32(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
