package io.bmpipeline.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The manifest CSV as the reader hands it on, row by row with its line, without NetBox. */
class ManifestReaderTest {

    private static final String HEADER = "server_serial,server_bmc_mac\n";

    /** Each item as a line of text: {@code line 2: SN1 AA:BB:CC:DD:EE:01} or a row error's text. */
    private static List<String> read(byte[] content) throws Exception {
        List<String> items = new ArrayList<>();
        ManifestReader.read("m.csv", new ByteArrayInputStream(content), item -> items.add(switch (item) {
            case ManifestReader.Item.Row(ManifestRow row) -> "line " + row.line() + ": " + row.serial() + " " + row.mac().value();
            case ManifestReader.Item.Error(RowError error) -> error.toString();
        }));
        return items;
    }

    private static List<String> read(String content) throws Exception {
        return read(content.getBytes(StandardCharsets.UTF_8));
    }

    private static String fileError(byte[] content) {
        return assertThrows(ManifestFileException.class, () -> read(content)).getMessage();
    }

    private static String fileError(String content) {
        return fileError(content.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String utf8, int... raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8.getBytes(StandardCharsets.UTF_8));
        for (int b : raw) {
            out.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void bomCrlfQuotedFieldsAndBlankLinesAreReadWithTheLineEachRowStartsOn() throws Exception {
        String text = "\uFEFFrack,Server_BMC_MAC,notes, server_serial \r\n"
                + "r1,aa:bb:cc:dd:ee:01,\"has, comma\",SN1\r\n"
                + "\r\n"
                + "r1,AA-BB-CC-DD-EE-02,\"quote \"\"x\"\"\",sn2\r\n"
                + "r2,aabbccddee03,\"multi\r\nline\nfield\",SN3\r\n"
                + "r2,\"aabb.ccdd.ee04\",, SN4 \r\n"
                + "r3,not-a-mac,,SN5";
        assertEquals(List.of(
                "line 2: SN1 AA:BB:CC:DD:EE:01",
                "line 4: sn2 AA:BB:CC:DD:EE:02",
                "line 5: SN3 AA:BB:CC:DD:EE:03",
                "line 8: SN4 AA:BB:CC:DD:EE:04",
                "line 9, server_bmc_mac: invalid MAC address 'not-a-mac'"), read(text));
    }

    @Test
    void lfAndLoneCrLineEndingsCountLinesAlike() throws Exception {
        assertEquals(List.of("line 2: SN1 AA:BB:CC:DD:EE:01", "line 3, server_bmc_mac: invalid MAC address 'x'"),
                read(HEADER + "SN1,aa:bb:cc:dd:ee:01\nSN2,x\n"));
        assertEquals(List.of("line 2: SN1 AA:BB:CC:DD:EE:01", "line 3, server_bmc_mac: invalid MAC address 'x'"),
                read("server_serial,server_bmc_mac\rSN1,aa:bb:cc:dd:ee:01\rSN2,x\r"));
    }

    @Test
    void blankAndEmptyFieldRowsAreSkippedShortRowsAreRowErrors() throws Exception {
        assertEquals(List.of(
                "line 5, server_bmc_mac: empty MAC address for serial SN1",
                "line 6, server_serial: empty serial",
                "line 7: SN3 AA:BB:CC:DD:EE:03"),
                read(HEADER + "\n   \n , \nSN1\n,aa:bb:cc:dd:ee:02\nSN3,aa:bb:cc:dd:ee:03,extra,\"\"\n\n"));
    }

    @Test
    void aQuoteInsideAnUnquotedFieldIsAnOrdinaryCharacter() throws Exception {
        assertEquals(List.of("line 2: 12\"rack AA:BB:CC:DD:EE:01"), read(HEADER + "12\"rack,aa:bb:cc:dd:ee:01\n"));
    }

    @Test
    void theFirstOccurrenceOfARepeatedColumnCounts() throws Exception {
        assertEquals(List.of("line 2: SN1 AA:BB:CC:DD:EE:01"),
                read("server_serial,server_bmc_mac,server_serial\nSN1,aa:bb:cc:dd:ee:01,other\n"));
    }

    @Test
    void anUnterminatedQuoteIsARowErrorOnTheLineItOpens() throws Exception {
        assertEquals(List.of("line 2: SN1 AA:BB:CC:DD:EE:01", "line 3, row: unterminated quoted field"),
                read(HEADER + "SN1,aa:bb:cc:dd:ee:01\nSN2,\"aa:bb\nSN3,aa:bb:cc:dd:ee:03\n"));
    }

    @Test
    void textAfterAClosingQuoteStopsTheFileNamingTheLineTheRecordStartsOn() {
        String message = fileError(HEADER + "SN1,aa:bb:cc:dd:ee:01\n\"SN\"2,aa:bb:cc:dd:ee:02\n");
        assertTrue(message.startsWith("m.csv: line 3: malformed quoting ("), message);
        assertTrue(message.endsWith("); a quote inside a quoted field is written twice: \"\""), message);
        assertTrue(fileError(HEADER + "SN1,\"aa:bb:cc:dd:ee:01\nnote\"x\n").startsWith("m.csv: line 2: malformed quoting ("));
    }

    @Test
    void spacesAfterAClosingQuoteAreAllowed() throws Exception {
        assertEquals(List.of("line 2: SN1 AA:BB:CC:DD:EE:01"), read(HEADER + "\"SN1\"  ,\"aa:bb:cc:dd:ee:01\" \n"));
    }

    @Test
    void aFileWithoutAHeaderIsRefused() {
        String empty = "m.csv: empty file: a header 'server_serial,server_bmc_mac' is required";
        assertEquals(empty, fileError(""));
        assertEquals(empty, fileError("\r\n\n , \n"));
        assertEquals(empty, fileError(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}));
    }

    @Test
    void aMissingColumnNamesTheHeaderLineAndWhatItHas() {
        assertEquals("m.csv: line 3: missing column 'server_serial'; the header has [serial, server_bmc_mac]",
                fileError("\n\nserial,server_bmc_mac\nSN1,aa:bb:cc:dd:ee:01\n"));
        assertEquals("m.csv: line 1: missing column 'server_bmc_mac'; the header has [server_serial, mac]",
                fileError("server_serial,mac\n"));
        assertEquals("m.csv: line 1: missing column 'server_serial' and 'server_bmc_mac'; the header has [a, b]",
                fileError("a,b\n"));
        assertEquals("m.csv: line 2: unterminated quoted field in the header",
                fileError("\n\"server_serial,server_bmc_mac\nSN1,aa:bb:cc:dd:ee:01\n"));
    }

    @Test
    void bytesThatAreNotUtf8StopTheFileNamingLineAndOffset() {
        assertEquals("m.csv: line 2: bytes at offset 32 are not UTF-8 (malformed sequence of 1 byte(s)); save the file as UTF-8",
                fileError("server_serial,server_bmc_mac\nCAF\u00c9,aa:bb:cc:dd:ee:ff\n".getBytes(StandardCharsets.ISO_8859_1)));
        String twoRows = HEADER + "SN1,aa:bb:cc:dd:ee:01\n";
        assertEquals("m.csv: line 3: bytes at offset " + twoRows.length()
                        + " are not UTF-8 (malformed sequence of 1 byte(s)); save the file as UTF-8",
                fileError(bytes(twoRows, 0xFF, 'x', '\n')));
        assertEquals("m.csv: line 2: bytes at offset " + (twoRows.length() - 1)
                        + " are not UTF-8 (malformed sequence of 1 byte(s)); save the file as UTF-8",
                fileError(bytes(twoRows.strip(), 0xC3)), "a sequence cut off by the end of the file");
    }

    @Test
    void theOffsetCountsBytesNotCharactersAndHoldsFarIntoTheFile() {
        StringBuilder text = new StringBuilder("\uFEFF" + HEADER);
        for (int i = 0; i < 5_000; i++) {
            text.append(String.format("SN%05d-\u00e9\u20ac,aa:bb:cc:dd:%02x:%02x,\"note\nover two lines\"%n", i, i >> 8, i & 0xff));
        }
        byte[] good = text.toString().getBytes(StandardCharsets.UTF_8);
        assertEquals("m.csv: line 10002: bytes at offset " + (good.length + 2)
                        + " are not UTF-8 (malformed sequence of 2 byte(s)); save the file as UTF-8",
                fileError(bytes(text + "SN", 0xE2, 0x82, 'x')), "the first two bytes of a three-byte sequence, then 'x'");
    }
}
