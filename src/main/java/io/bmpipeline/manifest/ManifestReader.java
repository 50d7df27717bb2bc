package io.bmpipeline.manifest;

import io.bmpipeline.address.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Streams a manifest CSV (RFC 4180: quoted fields with embedded commas, quotes and line breaks;
 * CRLF or LF; a UTF-8 byte-order mark; blank lines) row by row, in constant memory. Columns are
 * found by header name in any order; other columns are ignored. A bad row is reported with its
 * line and field and the file goes on; a bad file (no header, a missing column, bytes that are not
 * UTF-8) stops with an error naming the place.
 */
public final class ManifestReader {

    public static final String SERIAL = "server_serial";
    public static final String MAC = "server_bmc_mac";

    /** What the reader hands on: a good row or a row error. */
    public sealed interface Item {
        record Row(ManifestRow row) implements Item {}

        record Error(RowError error) implements Item {}
    }

    private ManifestReader() {}

    public static void read(Path file, Consumer<Item> sink) throws IOException, ManifestFileException {
        try (InputStream in = Files.newInputStream(file)) {
            read(file.getFileName().toString(), in, sink);
        }
    }

    public static void read(String name, InputStream in, Consumer<Item> sink) throws IOException, ManifestFileException {
        Records records = new Records(name, in);
        List<String> header = records.next();
        while (header != null && isBlank(header)) {
            header = records.next();
        }
        if (header == null) {
            throw new ManifestFileException(name, "empty file: a header '" + SERIAL + "," + MAC + "' is required");
        }
        int serialAt = -1;
        int macAt = -1;
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i).strip().toLowerCase(Locale.ROOT);
            if (column.equals(SERIAL) && serialAt < 0) {
                serialAt = i;
            } else if (column.equals(MAC) && macAt < 0) {
                macAt = i;
            }
        }
        if (serialAt < 0 || macAt < 0) {
            throw new ManifestFileException(name, "line " + records.recordLine + ": missing column "
                    + (serialAt < 0 ? "'" + SERIAL + "'" : "") + (serialAt < 0 && macAt < 0 ? " and " : "")
                    + (macAt < 0 ? "'" + MAC + "'" : "") + "; the header has " + header);
        }
        List<String> fields;
        while ((fields = records.next()) != null) {
            long line = records.recordLine;
            if (records.unterminated) {
                sink.accept(new Item.Error(new RowError(line, "row", "unterminated quoted field")));
                continue;
            }
            if (isBlank(fields)) {
                continue;
            }
            String serial = fields.size() > serialAt ? fields.get(serialAt).strip() : "";
            String macText = fields.size() > macAt ? fields.get(macAt).strip() : "";
            if (serial.isEmpty()) {
                sink.accept(new Item.Error(new RowError(line, SERIAL, "empty serial")));
            } else if (macText.isEmpty()) {
                sink.accept(new Item.Error(new RowError(line, MAC, "empty MAC address for serial " + serial)));
            } else {
                var mac = MacAddress.parse(macText);
                if (mac.isEmpty()) {
                    sink.accept(new Item.Error(new RowError(line, MAC, "invalid MAC address '" + macText + "'")));
                } else {
                    sink.accept(new Item.Row(new ManifestRow(line, serial, mac.get())));
                }
            }
        }
    }

    private static boolean isBlank(List<String> fields) {
        return fields.stream().allMatch(String::isBlank);
    }

    /** The RFC 4180 state machine over a strict UTF-8 decoder. */
    private static final class Records {
        private final String name;
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteBuffer bytes = ByteBuffer.allocate(64 * 1024);
        private final CharBuffer chars = CharBuffer.allocate(64 * 1024);
        private long bytesBefore;   // absolute file offset of bytes.array()[0]
        private long line = 1;
        private long recordLine;
        private boolean unterminated;
        private boolean eof;
        private boolean first = true;

        Records(String name, InputStream in) {
            this.name = name;
            this.in = in;
            bytes.flip();
            chars.flip();
        }

        /** The next record's fields, or null at the end. */
        List<String> next() throws IOException, ManifestFileException {
            int c = read();
            if (c < 0) {
                return null;
            }
            recordLine = line;
            unterminated = false;
            List<String> fields = new ArrayList<>(4);
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            while (true) {
                if (c < 0) {
                    if (quoted) {
                        unterminated = true;
                    }
                    fields.add(field.toString());
                    return fields;
                }
                if (quoted) {
                    if (c == '"') {
                        int after = read();
                        if (after == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            c = after;
                            continue;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        field.append((char) c);
                    }
                } else if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                } else if (c == '\r' || c == '\n') {
                    if (c == '\r') {
                        int after = read();
                        if (after != '\n' && after >= 0) {
                            unread(after);
                        }
                    }
                    line++;
                    fields.add(field.toString());
                    return fields;
                } else if (c == '"' && field.isEmpty() && !wasQuoted) {
                    quoted = true;
                    wasQuoted = true;
                } else {
                    field.append((char) c);
                }
                c = read();
            }
        }

        private int pushedBack = -1;

        private void unread(int c) {
            pushedBack = c;
        }

        private int read() throws IOException, ManifestFileException {
            if (pushedBack >= 0) {
                int c = pushedBack;
                pushedBack = -1;
                return c;
            }
            while (!chars.hasRemaining()) {
                if (!fill()) {
                    return -1;
                }
            }
            char c = chars.get();
            if (first) {
                first = false;
                if (c == '\uFEFF') {
                    return read();
                }
            }
            return c;
        }

        /** A decoding error found ahead of the parser: raised once the text before it is read. */
        private String pendingError;

        private boolean fill() throws IOException, ManifestFileException {
            if (pendingError != null) {
                throw new ManifestFileException(name, "line " + line + ": " + pendingError);
            }
            if (eof && !bytes.hasRemaining()) {
                return false;
            }
            if (!eof) {
                bytesBefore += bytes.position();
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
            chars.clear();
            CoderResult result = decoder.decode(bytes, chars, eof);
            if (result.isError()) {
                long offset = bytesBefore + bytes.position();
                pendingError = "bytes at offset " + offset + " are not UTF-8 (" + (result.isMalformed() ? "malformed"
                        : "unmappable") + " sequence of " + result.length() + " byte(s)); save the file as UTF-8";
                chars.flip();
                if (!chars.hasRemaining()) {
                    throw new ManifestFileException(name, "line " + line + ": " + pendingError);
                }
                return true;
            }
            if (eof) {
                decoder.flush(chars);
            }
            chars.flip();
            return chars.hasRemaining() || !eof || bytes.hasRemaining();
        }
    }
}
