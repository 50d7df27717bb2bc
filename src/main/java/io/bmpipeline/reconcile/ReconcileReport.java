package io.bmpipeline.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A reconciliation as a table for people (counts first, then both lists in full) and as JSON for machines. The JSON
 * shape is {@link #SCHEMA}; fields are added, never renamed or removed, within it. Unknown values are {@code null}.
 */
public final class ReconcileReport {

    public static final String SCHEMA = "bm-pipeline/manifest-reconcile/v1";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReconcileReport() {}

    public static String json(Reconciliation r) {
        ObjectNode root = JSON.createObjectNode()
                .put("schema", SCHEMA)
                .put("generatedAt", r.at().toString())
                .put("netbox", r.netbox())
                .put("unexpectedLeasesFrom", r.leasesFrom())
                .put("exitCode", r.exitCode());
        ArrayNode sites = root.putArray("sites");
        r.sites().forEach(sites::add);
        root.putObject("counts")
                .put("expected", r.expected())
                .put("seen", r.seen())
                .put("expectedNotSeen", r.expectedNotSeen().size())
                .put("seenNotExpected", r.seenNotExpected().size())
                .put("unexpectedNowKnown", r.nowKnown())
                .put("seenHeldBack", r.seenHeldBack().size())
                .put("seenWithoutLease", r.seenWithoutLease());
        ArrayNode notSeen = root.putArray("expectedNotSeen");
        for (Reconciliation.ExpectedNotSeen e : r.expectedNotSeen()) {
            notSeen.addObject()
                    .put("serial", e.serial())
                    .put("device", e.device().orElse(null))
                    .put("deviceId", e.deviceId())
                    .put("site", e.site().orElse(null))
                    .put("bmcInterface", e.bmcInterface())
                    .put("bmcMac", e.bmcMac().value())
                    .put("status", e.status());
        }
        ArrayNode unexpected = root.putArray("seenNotExpected");
        r.seenNotExpected().forEach(l -> LeaseSightings.toJson(l, unexpected.addObject()));
        ArrayNode heldBack = root.putArray("seenHeldBack");
        for (Reconciliation.SeenHeldBack e : r.seenHeldBack()) {
            ObjectNode entry = heldBack.addObject()
                    .put("serial", e.serial())
                    .put("device", e.device().orElse(null))
                    .put("deviceId", e.deviceId())
                    .put("site", e.site().orElse(null))
                    .put("bmcInterface", e.bmcInterface())
                    .put("status", e.status());
            LeaseSightings.toJson(e.lease(), entry.putObject("lease"));
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(Reconciliation r) {
        StringBuilder out = new StringBuilder();
        out.append("manifest reconcile: expected (BMC MACs in NetBox) vs seen (BMC DHCP leases discovery handled)\n");
        out.append("  netbox: ").append(r.netbox()).append(r.sites().isEmpty() ? ", every site"
                : ", sites " + String.join(", ", r.sites())).append('\n');
        out.append("  leases from ").append(r.leasesFrom()).append('\n');
        out.append(String.format("  %-22s %8d%n", "expected", r.expected()));
        out.append(String.format("  %-22s %8d%n", "seen", r.seen()));
        out.append(String.format("  %-22s %8d%n", "expected, not seen", r.expectedNotSeen().size()));
        out.append(String.format("  %-22s %8d%n", "seen, held back", r.seenHeldBack().size()));
        out.append(String.format("  %-22s %8d%n", "seen, not expected", r.seenNotExpected().size()));
        if (r.seenWithoutLease() > 0) {
            out.append("  (").append(r.seenWithoutLease()).append(r.seenWithoutLease() == 1 ? " device" : " devices")
                    .append(" counted seen without a kept lease: NetBox shows them discovered)\n");
        }
        if (r.nowKnown() > 0) {
            out.append("  (").append(r.nowKnown()).append(r.nowKnown() == 1 ? " MAC" : " MACs")
                    .append(" leased before a manifest named it; NetBox expects it now: not listed)\n");
        }

        if (!r.expectedNotSeen().isEmpty()) {
            out.append("\nexpected, not seen (").append(r.expectedNotSeen().size()).append(")\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"SERIAL", "DEVICE", "SITE", "BMC MAC", "STATUS"});
            for (Reconciliation.ExpectedNotSeen e : r.expectedNotSeen()) {
                rows.add(new String[] {e.serial().isEmpty() ? "-" : e.serial(), e.device().orElse("-"),
                        e.site().orElse("-"), e.bmcMac().value(), e.status()});
            }
            table(out, rows);
        }
        if (!r.seenHeldBack().isEmpty()) {
            out.append("\nseen, held back (").append(r.seenHeldBack().size()).append(")\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"SERIAL", "DEVICE", "SITE", "BMC MAC", "IP", "LAST SEEN", "STATUS", "DECISION"});
            for (Reconciliation.SeenHeldBack e : r.seenHeldBack()) {
                rows.add(new String[] {e.serial().isEmpty() ? "-" : e.serial(), e.device().orElse("-"),
                        e.site().orElse("-"), e.lease().mac().value(), e.lease().ip(), e.lease().lastSeen().toString(),
                        e.status(), e.lease().decisionText()});
            }
            table(out, rows);
        }
        if (!r.seenNotExpected().isEmpty()) {
            out.append("\nseen, not expected (").append(r.seenNotExpected().size()).append(")\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"MAC", "IP", "HOSTNAME", "VENDOR CLASS", "FIRST SEEN", "LAST SEEN", "LEASES"});
            for (LeaseSighting l : r.seenNotExpected()) {
                rows.add(new String[] {l.mac().value(), l.ip(), l.hostname().orElse("-"), l.vendorClass().orElse("-"),
                        l.firstSeen().toString(), l.lastSeen().toString(), Long.toString(l.count())});
            }
            table(out, rows);
        }
        out.append(r.exitCode() == 0 ? "\n  result: RECONCILED (nothing outstanding)\n" : "\n  result: OUTSTANDING\n");
        return out.toString();
    }

    private static void table(StringBuilder out, List<String[]> rows) {
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < row.length; i++) {
                line.append(' ').append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s ", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
