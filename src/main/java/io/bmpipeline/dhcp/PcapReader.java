package io.bmpipeline.dhcp;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads capture files as a {@link FrameSource}: classic pcap (either byte order, micro- or
 * nanosecond) and pcapng (SHB/IDB/EPB/SPB, other blocks skipped), link types Ethernet and Linux
 * cooked capture v1/v2 (what {@code tcpdump -i any} writes, turned back into Ethernet frames).
 * Streams: memory does not grow with the file. A damaged file yields the frames before the damage,
 * then an error naming the file and byte offset.
 */
public final class PcapReader implements FrameSource {

    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_LINUX_SLL = 113;
    private static final int LINKTYPE_LINUX_SLL2 = 276;
    private static final int MAX_RECORD = 256 * 1024;

    private final List<Path> files;
    private int fileIndex = -1;
    private InputStream in;
    private Path current;
    private long offset;
    private long frames;
    private boolean pcapng;
    private ByteOrder order;
    private boolean nanos;
    private int linkType;
    /** Where the block or record being read starts: what an error about its content names. */
    private long blockStart;
    /** pcapng interfaces of the current section: link type and timestamp units per second. */
    private final List<long[]> interfaces = new ArrayList<>();
    private final List<String> interfaceNames = new ArrayList<>();

    private PcapReader(List<Path> files) {
        this.files = files;
    }

    /** A file, or a folder whose {@code *.pcap}/{@code *.pcapng} files are read in name order. */
    public static PcapReader open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (var listing = Files.list(path)) {
                return new PcapReader(listing
                        .filter(p -> p.getFileName().toString().matches(".*\\.(pcap|pcapng|cap)$"))
                        .sorted().toList());
            }
        }
        if (!Files.isReadable(path)) {
            throw new IOException("capture file " + path + " does not exist or is not readable");
        }
        return new PcapReader(List.of(path));
    }

    @Override
    public Optional<CapturedFrame> next(Duration timeout) throws IOException {
        while (true) {
            if (in == null && !openNext()) {
                throw new EOFException("no more capture files");
            }
            Optional<CapturedFrame> frame;
            try {
                frame = pcapng ? nextBlock() : nextRecord();
            } catch (RuntimeException e) {
                // A field the checks below did not foresee (an index out of its block, a time out of range): still
                // the promised error naming the file and the block, never an unchecked exception.
                throw damagedBlock("unreadable block (" + e + ")");
            }
            if (frame == null) {
                in.close();
                in = null;
                continue;
            }
            if (frame.isPresent()) {
                frames++;
                return frame;
            }
        }
    }

    /** Frames read so far, over all files. */
    public long frames() {
        return frames;
    }

    private boolean openNext() throws IOException {
        if (++fileIndex >= files.size()) {
            return false;
        }
        current = files.get(fileIndex);
        in = new BufferedInputStream(Files.newInputStream(current), 1 << 16);
        offset = 0;
        byte[] magic = readFully(4, "file header");
        int be = ByteBuffer.wrap(magic).order(ByteOrder.BIG_ENDIAN).getInt();
        interfaces.clear();
        interfaceNames.clear();
        if (be == 0x0A0D0D0A) {
            pcapng = true;
            readSectionHeader();
            return true;
        }
        pcapng = false;
        switch (be) {
            case 0xA1B2C3D4 -> { order = ByteOrder.BIG_ENDIAN; nanos = false; }
            case 0xD4C3B2A1 -> { order = ByteOrder.LITTLE_ENDIAN; nanos = false; }
            case 0xA1B23C4D -> { order = ByteOrder.BIG_ENDIAN; nanos = true; }
            case 0x4D3CB2A1 -> { order = ByteOrder.LITTLE_ENDIAN; nanos = true; }
            default -> throw damaged("not a pcap or pcapng file (magic 0x" + Integer.toHexString(be) + ")");
        }
        ByteBuffer header = ByteBuffer.wrap(readFully(20, "file header")).order(order);
        // libpcap's LT_LINKTYPE: the low 16 bits; above them sit the FCS length and flags (e.g. 0x04000001).
        linkType = header.getInt(16) & 0xFFFF;
        return true;
    }

    /** Classic pcap: one record, null at a clean end of file. */
    private Optional<CapturedFrame> nextRecord() throws IOException {
        blockStart = offset;
        byte[] head = readUpTo(16);
        if (head == null) {
            return null;
        }
        ByteBuffer h = ByteBuffer.wrap(head).order(order);
        long seconds = h.getInt(0) & 0xFFFFFFFFL;
        long fraction = h.getInt(4) & 0xFFFFFFFFL;
        int captured = h.getInt(8);
        if (captured < 0 || captured > MAX_RECORD) {
            throw damaged("packet record of " + captured + " bytes");
        }
        byte[] data = readFully(captured, "packet record");
        Instant time = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
        return toEthernet(linkType, data, time, current.getFileName().toString());
    }

    private void readSectionHeader() throws IOException {
        byte[] rest = readFully(8, "section header");
        int magic = ByteBuffer.wrap(rest, 4, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        order = switch (magic) {
            case 0x1A2B3C4D -> ByteOrder.BIG_ENDIAN;
            case 0x4D3C2B1A -> ByteOrder.LITTLE_ENDIAN;
            default -> throw damaged("bad pcapng byte-order magic 0x" + Integer.toHexString(magic));
        };
        int total = ByteBuffer.wrap(rest, 0, 4).order(order).getInt();
        if (total < 28 || total > MAX_RECORD || total % 4 != 0) {
            throw damaged("section header block of " + total + " bytes");
        }
        readFully(total - 12, "section header");
        interfaces.clear();
        interfaceNames.clear();
    }

    /** pcapng: one block; empty for a block that holds no frame, null at a clean end of file. */
    private Optional<CapturedFrame> nextBlock() throws IOException {
        blockStart = offset;
        byte[] head = readUpTo(8);
        if (head == null) {
            return null;
        }
        int rawType = ByteBuffer.wrap(head, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        if (rawType == 0x0A0D0D0A) {
            // Re-read the section header: its length field comes before the byte-order magic.
            int magic = ByteBuffer.wrap(readFully(4, "section header")).order(ByteOrder.BIG_ENDIAN).getInt();
            order = magic == 0x1A2B3C4D ? ByteOrder.BIG_ENDIAN : magic == 0x4D3C2B1A ? ByteOrder.LITTLE_ENDIAN : null;
            if (order == null) {
                throw damaged("bad pcapng byte-order magic 0x" + Integer.toHexString(magic));
            }
            int total = ByteBuffer.wrap(head, 4, 4).order(order).getInt();
            if (total < 28 || total > MAX_RECORD) {
                throw damaged("section header block of " + total + " bytes");
            }
            readFully(total - 12, "section header");
            interfaces.clear();
            interfaceNames.clear();
            return Optional.empty();
        }
        ByteBuffer h = ByteBuffer.wrap(head).order(order);
        int type = h.getInt(0);
        int total = h.getInt(4);
        if (total < 12 || total > MAX_RECORD || total % 4 != 0) {
            throw damaged("block of type " + type + " claims " + total + " bytes");
        }
        ByteBuffer body = ByteBuffer.wrap(readFully(total - 8, "block")).order(order);
        int bodyLength = total - 12;
        return switch (type) {
            case 1 -> {
                if (bodyLength < 8) {
                    throw damagedBlock("interface description block of " + total + " bytes, shorter than its fixed fields");
                }
                interfaceBlock(body, bodyLength);
                yield Optional.empty();
            }
            case 6 -> enhancedPacket(body, bodyLength);
            case 3 -> {
                if (interfaces.isEmpty()) {
                    throw damagedBlock("simple packet block before any interface description");
                }
                if (bodyLength < 4) {
                    throw damagedBlock("simple packet block of " + total + " bytes, shorter than its fixed fields");
                }
                int original = body.getInt(0);
                int captured = Math.min(original, bodyLength - 4);
                byte[] data = new byte[Math.max(0, captured)];
                body.get(4, data);
                yield toEthernet((int) interfaces.getFirst()[0], data, Instant.EPOCH, interfaceNames.getFirst());
            }
            default -> Optional.empty();
        };
    }

    private void interfaceBlock(ByteBuffer body, int bodyLength) {
        int link = body.getShort(0) & 0xFFFF;
        long unitsPerSecond = 1_000_000;
        String name = current.getFileName() + "#" + interfaces.size();
        int p = 8;
        while (p + 4 <= bodyLength) {
            int code = body.getShort(p) & 0xFFFF;
            int len = body.getShort(p + 2) & 0xFFFF;
            if (code == 0 || p + 4 + len > bodyLength) {
                break;
            }
            if (code == 9 && len >= 1) {
                int res = body.get(p + 4) & 0xFF;
                unitsPerSecond = (res & 0x80) != 0 ? 1L << Math.min(62, res & 0x7F) : pow10(res & 0x7F);
            } else if (code == 2) {
                byte[] text = new byte[len];
                body.get(p + 4, text);
                name = new String(text, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "");
            }
            p += 4 + ((len + 3) & ~3);
        }
        interfaces.add(new long[] {link, unitsPerSecond});
        interfaceNames.add(name);
    }

    private Optional<CapturedFrame> enhancedPacket(ByteBuffer body, int bodyLength) throws IOException {
        if (bodyLength < 20) {
            throw damagedBlock("enhanced packet block of " + (bodyLength + 12) + " bytes, shorter than its 32 fixed bytes");
        }
        int id = body.getInt(0);
        if (id < 0 || id >= interfaces.size()) {
            throw damagedBlock("packet of unknown interface " + id);
        }
        long units = ((body.getInt(4) & 0xFFFFFFFFL) << 32) | (body.getInt(8) & 0xFFFFFFFFL);
        int captured = body.getInt(12);
        if (captured < 0 || captured > bodyLength - 20) {
            throw damagedBlock("packet of " + captured + " bytes in a block of " + bodyLength);
        }
        byte[] data = new byte[captured];
        body.get(20, data);
        long perSecond = interfaces.get(id)[1];
        // Unsigned: the 64-bit count of units is unsigned, and at 1 unit a second it can exceed any Instant.
        long seconds = Long.divideUnsigned(units, perSecond);
        long rest = Long.remainderUnsigned(units, perSecond);
        if (Long.compareUnsigned(seconds, Instant.MAX.getEpochSecond()) > 0) {
            throw damagedBlock("packet timestamp of " + Long.toUnsignedString(units) + " units at " + perSecond
                    + " a second is out of range");
        }
        long nanos = perSecond <= 1_000_000_000L ? rest * 1_000_000_000L / perSecond
                : java.math.BigInteger.valueOf(rest).multiply(java.math.BigInteger.valueOf(1_000_000_000L))
                        .divide(java.math.BigInteger.valueOf(perSecond)).longValue();
        Instant time = Instant.ofEpochSecond(seconds, nanos);
        return toEthernet((int) interfaces.get(id)[0], data, time, interfaceNames.get(id));
    }

    /** Ethernet as it is; Linux cooked captures rebuilt into an Ethernet header; other link types skipped. */
    private static Optional<CapturedFrame> toEthernet(int link, byte[] data, Instant time, String iface) {
        return switch (link) {
            case LINKTYPE_ETHERNET -> Optional.of(new CapturedFrame(data, time, iface, CapturedFrame.NO_VLAN, false));
            case LINKTYPE_LINUX_SLL -> cooked(data, 16, 14, 6, 12, data.length >= 2 && (data[1] & 0xff) == 4, time, iface);
            case LINKTYPE_LINUX_SLL2 -> cooked(data, 20, 0, 12, 11, data.length >= 11 && (data[10] & 0xff) == 4, time, iface);
            default -> Optional.empty();
        };
    }

    private static Optional<CapturedFrame> cooked(byte[] data, int header, int protocolAt, int addressAt,
                                                  int addressLengthAt, boolean outgoing, Instant time, String iface) {
        if (data.length < header) {
            return Optional.of(new CapturedFrame(new byte[0], time, iface, CapturedFrame.NO_VLAN, outgoing));
        }
        byte[] frame = new byte[data.length - header + 14];
        int addressLength = Math.min(6, data[addressLengthAt] & 0xff);
        System.arraycopy(data, addressAt, frame, 6, addressLength);
        frame[12] = data[protocolAt];
        frame[13] = data[protocolAt + 1];
        System.arraycopy(data, header, frame, 14, data.length - header);
        return Optional.of(new CapturedFrame(frame, time, iface, CapturedFrame.NO_VLAN, outgoing));
    }

    private static long pow10(int exponent) {
        long value = 1;
        for (int i = 0; i < Math.min(exponent, 18); i++) {
            value *= 10;
        }
        return value;
    }

    private byte[] readUpTo(int n) throws IOException {
        byte[] buffer = new byte[n];
        int read = in.readNBytes(buffer, 0, n);
        if (read == 0) {
            return null;
        }
        if (read < n) {
            throw damaged("file ends inside a record header");
        }
        offset += n;
        return buffer;
    }

    private byte[] readFully(int n, String what) throws IOException {
        byte[] buffer = in.readNBytes(n);
        if (buffer.length < n) {
            throw damaged("file ends inside the " + what + " (" + buffer.length + " of " + n + " bytes)");
        }
        offset += n;
        return buffer;
    }

    private IOException damagedBlock(String what) {
        return new IOException("capture file " + current + ": " + what + " at byte " + blockStart + ", after " + frames
                + " frame(s)");
    }

    private IOException damaged(String what) {
        return new IOException("capture file " + current + ": " + what + " at byte " + offset + ", after " + frames
                + " frame(s)");
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
            in = null;
        }
    }
}
