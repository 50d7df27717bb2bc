package io.bmpipeline.dhcp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Writes capture files in the formats tcpdump and Wireshark write, for the reader's tests and replays. */
final class PcapWriter {

    private PcapWriter() {}

    static void classic(Path file, List<byte[]> frames, Instant start, ByteOrder order, boolean nanos) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer header = ByteBuffer.allocate(24).order(order);
            header.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4)
                    .putInt(0).putInt(0).putInt(65535).putInt(1);
            out.write(header.array());
            for (int i = 0; i < frames.size(); i++) {
                Instant t = start.plusMillis(i);
                ByteBuffer record = ByteBuffer.allocate(16).order(order);
                record.putInt((int) t.getEpochSecond()).putInt(nanos ? t.getNano() : t.getNano() / 1000)
                        .putInt(frames.get(i).length).putInt(frames.get(i).length);
                out.write(record.array());
                out.write(frames.get(i));
            }
        }
    }

    static void pcapng(Path file, List<byte[]> frames, Instant start, ByteOrder order, String ifName) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteBuffer shb = ByteBuffer.allocate(28).order(order);
            shb.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
                    .putLong(-1).putInt(28);
            out.write(shb.array());
            byte[] name = ifName.getBytes(StandardCharsets.UTF_8);
            int namePadded = (name.length + 3) & ~3;
            int idbLength = 20 + 4 + namePadded + 8 + 4;   // + if_name, if_tsresol(9)=9 (ns), opt_endofopt
            ByteBuffer idb = ByteBuffer.allocate(idbLength).order(order);
            idb.putInt(1).putInt(idbLength).putShort((short) 1).putShort((short) 0).putInt(65535);
            idb.putShort((short) 2).putShort((short) name.length).put(name).put(new byte[namePadded - name.length]);
            idb.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]);
            idb.putInt(0).putInt(idbLength);
            out.write(idb.array());
            for (int i = 0; i < frames.size(); i++) {
                byte[] data = frames.get(i);
                int padded = (data.length + 3) & ~3;
                int length = 32 + padded;
                Instant t = start.plusMillis(i);
                long nanos = t.getEpochSecond() * 1_000_000_000L + t.getNano();
                ByteBuffer epb = ByteBuffer.allocate(length).order(order);
                epb.putInt(6).putInt(length).putInt(0).putInt((int) (nanos >>> 32)).putInt((int) nanos)
                        .putInt(data.length).putInt(data.length).put(data).put(new byte[padded - data.length]).putInt(length);
                out.write(epb.array());
            }
        }
    }
}
