package io.bmpipeline.dhcp;

import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.InvalidEnvelopeException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jboss.logging.Logger;

/**
 * The tap's write-ahead file: a lease read off the wire is appended here and synced (fdatasync) before it goes on to
 * the bus, so it survives a kill or a power loss from the moment this sync returns (a millisecond or so), however long
 * the bus then takes to store it. Once the bus has stored everything appended, the file is emptied; on start, what it
 * holds is published again — the bus drops the ids it already has, so a lease stored just before a crash is not
 * doubled.
 *
 * <p>One file per interface, {@code leases-<interface>.spool}: records of {@code [int length][int CRC-32C][the lease's
 * envelope as UTF-8 JSON]}. A record cut by a crash mid-write ends the file: {@link #open} says where and cuts it
 * off before the first append. The file holds at most the leases waiting for the bus, so its size is bounded by the
 * tap's queue.
 * Not thread-safe beyond this: one thread appends, another reports what was stored.
 */
public final class LeaseSpool implements Closeable {

    private static final Logger LOG = Logger.getLogger(LeaseSpool.class);
    private static final int HEADER = 8;
    /** A lease's envelope is well under 4 KiB; a longer length field is damage, not a record. */
    private static final int MAX_RECORD = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer;
    /** Records in the file, and how many of them (the first ones) the bus has stored. */
    private long appended;
    private long stored;

    private LeaseSpool(Path file, FileChannel channel, long appended) {
        this.file = file;
        this.channel = channel;
        this.appended = appended;
    }

    /** A spool ready for appends, and what it held from a previous run (in the order read). */
    public record Opened(LeaseSpool spool, List<EventEnvelope> recovered) {
        public Opened {
            recovered = List.copyOf(recovered);
        }
    }

    /**
     * Opens (creating the directory and file when missing) the spool of {@code interfaceName} in {@code directory}
     * and reads what a previous run left in it: the leases it appended that the bus may not have stored, in the order
     * they were read. They count as appended, so {@link #stored} of them empties the file; appends go after them. A
     * damaged tail is reported (file and byte offset) and cut first, so no append ever follows a torn record.
     */
    public static Opened open(Path directory, String interfaceName) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve("leases-" + interfaceName.replaceAll("[^A-Za-z0-9._-]", "_") + ".spool");
        boolean created = !Files.exists(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            if (created) {
                // The file's name must outlive a power loss too: sync the directory entry once, at creation.
                try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                    dir.force(true);
                }
            }
            Read read = read(channel, file);
            if (read.validBytes() < channel.size()) {
                LOG.warnf("dhcp spool %s: %d byte(s) from offset %d are not a whole record (cut by a crash "
                        + "mid-write): cut off", file, channel.size() - read.validBytes(), read.validBytes());
                channel.truncate(read.validBytes());
                channel.force(false);
            }
            channel.position(read.validBytes());
            return new Opened(new LeaseSpool(file, channel, read.leases().size()), read.leases());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** Appends {@code leases} and syncs them to the disk: when this returns, they survive a crash. */
    public void append(List<EventEnvelope> leases) throws IOException {
        if (leases.isEmpty()) {
            return;
        }
        // The envelope keeps this encoding: the bus write that follows stores the same text without encoding again.
        List<byte[]> payloads = new ArrayList<>(leases.size());
        int bytes = 0;
        for (EventEnvelope lease : leases) {
            byte[] payload = lease.toJson().getBytes(StandardCharsets.UTF_8);
            payloads.add(payload);
            bytes += HEADER + payload.length;
        }
        synchronized (this) {
            ByteBuffer buffer = writeBuffer(bytes);
            for (byte[] payload : payloads) {
                crc.reset();
                crc.update(payload);
                buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
            }
            buffer.flip();
            long before = channel.position();
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(false);
            } catch (IOException e) {
                // Leave no half-written record for the next append to follow: the file ends where it did.
                try {
                    channel.truncate(before);
                    channel.position(before);
                } catch (IOException ignored) {
                    // open() cuts a damaged tail at the next start
                }
                throw e;
            }
            appended += leases.size();
        }
    }

    /**
     * The buffer appends are written from, cleared, holding at least {@code bytes}: one direct buffer kept for the
     * spool's life, as large as its largest group, so a group is neither a fresh (multi-megabyte) array for the
     * collector nor copied once more into the JDK's own direct buffer on its way to the file.
     */
    private ByteBuffer writeBuffer(int bytes) {
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(Math.max(bytes, buffer == null ? 64 * 1024 : 2 * buffer.capacity()));
        }
        return buffer.clear();
    }

    /** The bus stored the next {@code count} appended leases (in the order appended); when all are, the file empties. */
    public synchronized void stored(int count) throws IOException {
        stored = Math.min(appended, stored + count);
        if (stored == appended && appended > 0) {
            // Not synced: should the crash undo it, the next start publishes stored leases again and the bus drops them.
            channel.truncate(0);
            appended = 0;
            stored = 0;
        }
    }

    /** Leases appended and not yet reported stored. */
    public synchronized long pending() {
        return appended - stored;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    /** What a spool file holds, read without changing it (tools and tests look into a stopped service's spool). */
    public static List<EventEnvelope> readStopped(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, file).leases();
        }
    }

    private record Read(List<EventEnvelope> leases, long validBytes) {}

    private static Read read(FileChannel channel, Path file) throws IOException {
        List<EventEnvelope> leases = new ArrayList<>();
        long size = channel.size();
        long offset = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        CRC32C crc = new CRC32C();
        while (offset + HEADER <= size) {
            header.clear();
            readFully(channel, header, offset);
            header.flip();
            int length = header.getInt();
            int expected = header.getInt();
            if (length <= 0 || length > MAX_RECORD || offset + HEADER + length > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(channel, payload, offset + HEADER);
            crc.reset();
            crc.update(payload.array());
            if ((int) crc.getValue() != expected) {
                break;
            }
            try {
                leases.add(EventEnvelope.parse(new String(payload.array(), StandardCharsets.UTF_8)));
            } catch (InvalidEnvelopeException e) {
                // The checksum matched, so this is what was written: a record of an older, incompatible format.
                LOG.errorf("dhcp spool %s: the record at offset %d is not a lease envelope (%s): skipped", file,
                        offset, e.getMessage());
            }
            offset += HEADER + length;
        }
        return new Read(leases, offset);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of " + channel);
            }
            at += n;
        }
    }
}
