package io.bmpipeline.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.LiveNetBox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spec's netbox_load_bmc_mac rules and everything beyond them, against the live NetBox. */
class ManifestLoaderTest {

    @TempDir
    Path dir;

    private NetBoxClient netbox;
    private NetBoxFixture fixture;
    private ManifestLoader loader;
    private int macs;

    @BeforeEach
    void seed() {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        fixture = new NetBoxFixture(netbox);
        loader = new ManifestLoader(netbox, new BmcInterfacePattern(Pattern.compile("(?i)bmc|ilo|idrac")), 2);
    }

    @AfterEach
    void clean() {
        fixture.close();
    }

    private String mac() {
        int h = fixture.tag().hashCode();
        return String.format("A0:36:%02X:%02X:%02X:%02X", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, ++macs);
    }

    private Path csv(String content) throws Exception {
        Path file = dir.resolve("manifest-" + (++macs) + ".csv");
        Files.writeString(file, content);
        return file;
    }

    private Map<Long, ManifestOutcome> outcomes(ManifestResult result) {
        return result.rows().stream().collect(Collectors.toMap(RowResult::line, RowResult::outcome));
    }

    private MacAddress macOf(long deviceId, String iface) {
        return netbox.interfaces().ofDevice(deviceId).stream().filter(i -> i.name().equals(iface)).findFirst()
                .flatMap(DeviceInterface::mac).orElse(null);
    }

    @Test
    void specRulesRowByRow() throws Exception {
        String macA = mac();
        String macB = mac();
        String macC = mac();
        String other = mac();
        var a = fixture.device(fixture.serial("A"), "offline", "iLO", "eth0");
        var b = fixture.device(fixture.serial("B"), "offline", "iDRAC");
        netbox.interfaces().setMac(b.iface("iDRAC"), MacAddress.of(macB));
        var c = fixture.device(fixture.serial("C"), "offline", "BMC");
        netbox.interfaces().setMac(c.iface("BMC"), MacAddress.of(other));
        fixture.device(fixture.serial("E"), "offline", "mgmt0", "eth0");
        fixture.device(fixture.serial("F"), "offline", "iLO", "bmc0");
        Path file = csv("server_serial,server_bmc_mac\n"
                + fixture.serial("A") + "," + macA + "\n"
                + fixture.serial("B") + "," + macB + "\n"
                + fixture.serial("C") + "," + macC + "\n"
                + fixture.serial("D") + "," + mac() + "\n"
                + fixture.serial("E") + "," + mac() + "\n"
                + fixture.serial("F") + "," + mac() + "\n");

        ManifestResult result = loader.load(file, false);

        assertEquals(1, result.exitCode());
        Map<Long, ManifestOutcome> byLine = outcomes(result);
        assertEquals(ManifestOutcome.SET, byLine.get(2L));
        assertEquals(null, byLine.get(3L), "ALREADY_SET rows are counted, not listed");
        assertEquals(1L, result.counts().get(ManifestOutcome.ALREADY_SET));
        assertEquals(ManifestOutcome.CONFLICT_SKIPPED, byLine.get(4L));
        assertEquals(ManifestOutcome.FAILED, byLine.get(5L));
        assertTrue(reason(result, 5).contains("no device with serial"), reason(result, 5));
        assertEquals(ManifestOutcome.FAILED, byLine.get(6L));
        assertTrue(reason(result, 6).contains("no BMC interface"), reason(result, 6));
        assertEquals(ManifestOutcome.FAILED, byLine.get(7L));
        assertTrue(reason(result, 7).contains("several BMC interfaces"), reason(result, 7));

        assertEquals(MacAddress.of(macA), macOf(a.id(), "iLO"));
        assertEquals(JournalEntry.Kind.SUCCESS, netbox.journal().entries(a.id()).getFirst().kind());
        assertEquals(List.of(), netbox.journal().entries(b.id()));
        assertEquals(MacAddress.of(other), macOf(c.id(), "BMC"), "a different MAC is never overwritten");
        assertEquals(JournalEntry.Kind.WARNING, netbox.journal().entries(c.id()).getFirst().kind());
    }

    @Test
    void theBmcIsTheInterfaceFlaggedManagementOnlyWhateverItsName() throws Exception {
        var xcc = fixture.device(fixture.serial("X"), "offline", "XCC", "eth0");
        fixture.mgmtOnly(xcc.iface("XCC"));
        // Two names like a BMC; the flag says which one the MAC belongs on (discovery, reconcile: the same rule).
        var shared = fixture.device(fixture.serial("S"), "offline", "iDRAC", "iDRAC-shared");
        fixture.mgmtOnly(shared.iface("iDRAC"));
        String xccMac = mac();
        String sharedMac = mac();
        Path file = csv("server_serial,server_bmc_mac\n"
                + fixture.serial("X") + "," + xccMac + "\n"
                + fixture.serial("S") + "," + sharedMac + "\n");

        ManifestResult result = loader.load(file, false);

        assertEquals(0, result.exitCode(), result.rows().toString());
        assertEquals(MacAddress.of(xccMac), macOf(xcc.id(), "XCC"));
        assertEquals(MacAddress.of(sharedMac), macOf(shared.id(), "iDRAC"));
        assertEquals(null, macOf(shared.id(), "iDRAC-shared"));
    }

    @Test
    void loadingTheSameFileAgainChangesNothing() throws Exception {
        String macA = mac();
        var a = fixture.device(fixture.serial("A"), "offline", "iLO");
        var c = fixture.device(fixture.serial("C"), "offline", "iDRAC");
        netbox.interfaces().setMac(c.iface("iDRAC"), MacAddress.of(mac()));
        Path file = csv("server_serial,server_bmc_mac\n" + fixture.serial("A") + "," + macA + "\n"
                + fixture.serial("C") + "," + mac() + "\n");
        loader.load(file, false);
        int journalA = netbox.journal().entries(a.id()).size();
        int journalC = netbox.journal().entries(c.id()).size();

        ManifestResult again = loader.load(file, false);

        assertEquals(0, again.exitCode());
        assertEquals(journalA, netbox.journal().entries(a.id()).size());
        assertEquals(journalC, netbox.journal().entries(c.id()).size(), "the same warning is not journaled twice");
        assertEquals(1, fixture.macObjectCount(macA));
        assertEquals(1L, again.counts().get(ManifestOutcome.ALREADY_SET));
    }

    @Test
    void dryRunShowsThePlanAndWritesNothing() throws Exception {
        String macA = mac();
        var a = fixture.device(fixture.serial("A"), "offline", "iLO");
        ManifestResult result = loader.load(csv("server_serial,server_bmc_mac\n" + fixture.serial("A") + "," + macA + "\n"), true);
        assertEquals(ManifestOutcome.SET, outcomes(result).get(2L));
        assertEquals(null, macOf(a.id(), "iLO"));
        assertEquals(List.of(), netbox.journal().entries(a.id()));
        assertEquals(0, fixture.macObjectCount(macA));
    }

    @Test
    void realWorldFilesAreRead() throws Exception {
        var a = fixture.device(fixture.serial("A"), "offline", "iLO");
        var b = fixture.device(fixture.serial("B"), "offline", "iDRAC");
        var c = fixture.device(fixture.serial("C"), "offline", "BMC");
        var d = fixture.device(fixture.serial("D"), "offline", "iLO");
        String[] m = {mac(), mac(), mac(), mac()};
        String text = "\uFEFFrack,Server_BMC_MAC,notes, server_serial \r\n"
                + "r1," + m[0].toLowerCase() + ",\"has, comma\"," + fixture.serial("A") + "\r\n"
                + "\r\n"
                + "r1," + m[1].replace(':', '-') + ",\"quote \"\"x\"\"\"," + fixture.serial("B").toLowerCase() + "\r\n"
                + "r2," + m[2].replace(":", "").toLowerCase() + ",\"multi\nline\"," + fixture.serial("C") + "\r\n"
                + "r2,\"" + cisco(m[3]) + "\",," + fixture.serial("D") + "\r\n";
        Path file = dir.resolve("vendor.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        ManifestResult result = loader.load(file, false);
        assertEquals(0, result.exitCode(), ManifestReport.text(result));
        assertEquals(4L, result.counts().get(ManifestOutcome.SET));
        assertEquals(MacAddress.of(m[0]), macOf(a.id(), "iLO"));
        assertEquals(MacAddress.of(m[1]), macOf(b.id(), "iDRAC"));
        assertEquals(MacAddress.of(m[2]), macOf(c.id(), "BMC"));
        assertEquals(MacAddress.of(m[3]), macOf(d.id(), "iLO"));
    }

    private static String cisco(String mac) {
        String hex = mac.replace(":", "").toLowerCase();
        return hex.substring(0, 4) + "." + hex.substring(4, 8) + "." + hex.substring(8);
    }

    @Test
    void badRowsNameTheirLineAndFieldAndTheRestLoads() throws Exception {
        var a = fixture.device(fixture.serial("A"), "offline", "iLO");
        fixture.device(fixture.serial("S"), "offline", "iLO");
        fixture.device(fixture.serial("T"), "offline", "iLO");
        fixture.device(fixture.serial("U"), "offline", "iLO");
        String shared = mac();
        String macA = mac();
        Path file = csv("server_serial,server_bmc_mac\n"
                + fixture.serial("A") + "," + macA + "\n"                       // 2 fine
                + fixture.serial("X") + ",not-a-mac\n"                          // 3 invalid MAC
                + "," + mac() + "\n"                                            // 4 empty serial
                + fixture.serial("S") + "," + mac() + "\n"                      // 5 serial twice…
                + fixture.serial("S") + "," + mac() + "\n"                      // 6 …with another MAC
                + fixture.serial("T") + "," + shared + "\n"                     // 7 one MAC…
                + fixture.serial("U") + "," + shared + "\n"                     // 8 …on two serials
                + fixture.serial("A") + "," + macA + "\n");                     // 9 exact repeat
        ManifestResult result = loader.load(file, false);
        assertEquals(1, result.exitCode());
        assertEquals(List.of("line 3, server_bmc_mac: invalid MAC address 'not-a-mac'", "line 4, server_serial: empty serial"),
                result.rowErrors().stream().map(RowError::toString).toList());
        Map<Long, ManifestOutcome> byLine = outcomes(result);
        assertEquals(ManifestOutcome.SET, byLine.get(2L));
        for (long line : List.of(5L, 6L, 7L, 8L)) {
            assertEquals(ManifestOutcome.FAILED, byLine.get(line), "line " + line);
        }
        assertEquals(ManifestOutcome.DUPLICATE_ROW, byLine.get(9L));
        assertEquals(1, netbox.journal().entries(a.id()).size());
    }

    @Test
    void macAlreadyOnAnotherDeviceFailsTheRow() throws Exception {
        String taken = mac();
        var holder = fixture.device(fixture.serial("H"), "active", "iLO");
        netbox.interfaces().setMac(holder.iface("iLO"), MacAddress.of(taken));
        var newcomer = fixture.device(fixture.serial("N"), "offline", "iLO");
        ManifestResult result = loader.load(csv("server_serial,server_bmc_mac\n" + fixture.serial("N") + "," + taken + "\n"), false);
        assertEquals(ManifestOutcome.FAILED, outcomes(result).get(2L));
        assertTrue(reason(result, 2).contains("already on"), reason(result, 2));
        assertEquals(null, macOf(newcomer.id(), "iLO"));
    }

    @Test
    void aRowNetBoxRefusesInTheBulkMacWriteFailsAloneAndTheOthersAreSet() throws Exception {
        var a = fixture.device(fixture.serial("A"), "offline", "iLO");
        var b = fixture.device(fixture.serial("B"), "offline", "iLO");
        var c = fixture.device(fixture.serial("C"), "offline", "iLO");
        // The loader's reads find nothing wrong with B; NetBox refuses to save its iLO, and so the whole bulk write.
        fixture.refusingChanges(b.iface("iLO"));
        String macA = mac();
        String macB = mac();
        String macC = mac();
        Path file = csv("server_serial,server_bmc_mac\n"
                + fixture.serial("A") + "," + macA + "\n"
                + fixture.serial("B") + "," + macB + "\n"
                + fixture.serial("C") + "," + macC + "\n");

        ManifestResult result = loader.load(file, false);

        assertEquals(1, result.exitCode(), ManifestReport.text(result));
        Map<Long, ManifestOutcome> byLine = outcomes(result);
        assertEquals(ManifestOutcome.SET, byLine.get(2L));
        assertEquals(ManifestOutcome.FAILED, byLine.get(3L));
        assertEquals(ManifestOutcome.SET, byLine.get(4L));
        assertEquals(2L, result.counts().get(ManifestOutcome.SET));
        assertEquals(1L, result.counts().get(ManifestOutcome.FAILED));
        String refused = reason(result, 3);
        assertTrue(refused.startsWith("NetBox refused the MAC") && refused.contains("iLO")
                && refused.contains("must belong to the same site as the interface's parent device"), refused);
        assertTrue(ManifestReport.text(result).contains("line 3 " + fixture.serial("B") + " FAILED: " + refused),
                ManifestReport.text(result));
        assertTrue(ManifestReport.json(result).contains("\"outcome\" : \"FAILED\""), ManifestReport.json(result));

        assertEquals(MacAddress.of(macA), macOf(a.id(), "iLO"));
        assertEquals(MacAddress.of(macC), macOf(c.id(), "iLO"));
        assertEquals(null, macOf(b.id(), "iLO"));
        assertEquals(1, fixture.macObjectCount(macA), "the refused bulk try leaves no MAC object behind");
        assertEquals(1, fixture.macObjectCount(macC));
        assertEquals(0, fixture.macObjectCount(macB), "nor does the refused row");
        for (var set : List.of(a, c)) {
            List<JournalEntry> journal = netbox.journal().entries(set.id());
            assertEquals(1, journal.size());
            assertEquals(JournalEntry.Kind.SUCCESS, journal.getFirst().kind());
        }
        assertEquals(List.of(), netbox.journal().entries(b.id()), "no entry describes a write NetBox refused");
        assertEquals(List.of(fixture.serial("A"), fixture.serial("C")),
                ManifestReport.events(result).stream().map(e -> e.subject()).toList(), "events for the rows set only");
    }

    @Test
    void unusableFilesAreRejectedWholeNamingWhy() throws Exception {
        ManifestResult missing = loader.load(csv("serial,mac\nA,aa:bb:cc:dd:ee:ff\n"), false);
        assertEquals(2, missing.exitCode());
        assertTrue(missing.fileError().orElseThrow().contains("missing column 'server_serial' and 'server_bmc_mac'"),
                missing.fileError().orElseThrow());
        ManifestResult empty = loader.load(csv(""), false);
        assertEquals(2, empty.exitCode());
        Path latin1 = dir.resolve("latin1.csv");
        Files.write(latin1, "server_serial,server_bmc_mac\nCAF\u00c9,aa:bb:cc:dd:ee:ff\n".getBytes(StandardCharsets.ISO_8859_1));
        ManifestResult notUtf8 = loader.load(latin1, false);
        assertEquals(2, notUtf8.exitCode());
        assertTrue(notUtf8.fileError().orElseThrow().contains("offset 32") && notUtf8.fileError().orElseThrow().contains("line 2"),
                notUtf8.fileError().orElseThrow());
    }

    private static String reason(ManifestResult result, long line) {
        return result.rows().stream().filter(r -> r.line() == line).findFirst().orElseThrow().reason();
    }
}
