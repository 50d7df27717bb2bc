package io.bmpipeline.manifest;

import io.bmpipeline.address.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Streams a manifest CSV (RFC 4180: quoted fields with embedded commas, quotes and line breaks;
 * CRLF or LF; a UTF-8 byte-order mark; blank lines) row by row, in constant memory, through
 * Commons CSV. Columns are found by header name in any order; other columns are ignored. A bad row
 * is reported with its line and field and the file goes on; a bad file (no header, a missing
 * column, bytes that are not UTF-8, text after a closing quote) stops with an error naming the place.
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
        StrictUtf8Reader text = new StrictUtf8Reader(in);
        // RFC 4180 keeps empty lines as records, so that the line a record starts on can be told before it is parsed.
        try (CSVParser parser = CSVParser.builder().setReader(text).setFormat(CSVFormat.RFC4180).get()) {
            Records records = new Records(name, text, parser);
            Fields header = records.next();
            while (header != null && header.isBlank()) {
                header = records.next();
            }
            if (header == null) {
                throw new ManifestFileException(name, "empty file: a header '" + SERIAL + "," + MAC + "' is required");
            }
            if (header.unterminated()) {
                throw new ManifestFileException(name, "line " + header.line() + ": unterminated quoted field in the header");
            }
            int serialAt = header.column(SERIAL);
            int macAt = header.column(MAC);
            if (serialAt < 0 || macAt < 0) {
                throw new ManifestFileException(name, "line " + header.line() + ": missing column "
                        + (serialAt < 0 ? "'" + SERIAL + "'" : "") + (serialAt < 0 && macAt < 0 ? " and " : "")
                        + (macAt < 0 ? "'" + MAC + "'" : "") + "; the header has " + header.values());
            }
            for (Fields record = records.next(); record != null; record = records.next()) {
                if (record.unterminated()) {
                    sink.accept(new Item.Error(new RowError(record.line(), "row", "unterminated quoted field")));
                } else if (!record.isBlank()) {
                    sink.accept(item(record.line(), record.field(serialAt), record.field(macAt)));
                }
            }
        }
    }

    private static Item item(long line, String serial, String macText) {
        if (serial.isEmpty()) {
            return new Item.Error(new RowError(line, SERIAL, "empty serial"));
        }
        if (macText.isEmpty()) {
            return new Item.Error(new RowError(line, MAC, "empty MAC address for serial " + serial));
        }
        return MacAddress.parse(macText).<Item>map(mac -> new Item.Row(new ManifestRow(line, serial, mac)))
                .orElseGet(() -> new Item.Error(new RowError(line, MAC, "invalid MAC address '" + macText + "'")));
    }

    /**
     * A record's field values and the line it starts on. A quote never closed runs to the end of the
     * file: that record is {@code unterminated}, with no values.
     */
    private record Fields(long line, List<String> values, boolean unterminated) {

        boolean isBlank() {
            return !unterminated && values.stream().allMatch(String::isBlank);
        }

        /** Where the header names {@code column} first, in any case and spacing, or -1. */
        int column(String column) {
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i).strip().toLowerCase(Locale.ROOT).equals(column)) {
                    return i;
                }
            }
            return -1;
        }

        /** The field at {@code index} stripped, empty where the row is shorter. */
        String field(int index) {
            return index < values.size() ? values.get(index).strip() : "";
        }
    }

    /** Commons CSV's records, each with the line it starts on, and its failures as the manifest's errors. */
    private static final class Records {
        private final String name;
        private final StrictUtf8Reader text;
        private final CSVParser parser;
        private final Iterator<CSVRecord> iterator;

        Records(String name, StrictUtf8Reader text, CSVParser parser) {
            this.name = name;
            this.text = text;
            this.parser = parser;
            this.iterator = parser.iterator();
        }

        /** The next record, or null at the end. */
        Fields next() throws IOException, ManifestFileException {
            // Between records the parser has read through the previous record's line break and no further.
            long line = parser.getCurrentLineNumber() + 1;
            try {
                return iterator.hasNext() ? new Fields(line, iterator.next().toList(), false) : null;
            } catch (UncheckedIOException e) {
                switch (e.getCause()) {
                    case StrictUtf8Reader.NotUtf8Exception notUtf8 -> throw new ManifestFileException(name, notUtf8.getMessage());
                    case CSVException unclosed when text.exhausted() -> {
                        return new Fields(line, List.of(), true);
                    }
                    case CSVException malformed -> throw new ManifestFileException(name, "line " + line
                            + ": malformed quoting (" + malformed.getMessage() + "); a quote inside a quoted field is written twice: \"\"");
                    default -> throw e.getCause();
                }
            }
        }
    }
}
