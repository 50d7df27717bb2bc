package io.bmpipeline.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A manifest result as JSON (for machines), as a short text table (for people), and as events. */
public final class ManifestReport {

    public static final String MAC_SET = "bm.manifest.bmc-mac.set";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestReport() {}

    public static String json(ManifestResult result) {
        ObjectNode root = JSON.createObjectNode()
                .put("file", result.file())
                .put("contentHash", result.contentHash())
                .put("dryRun", result.dryRun())
                .put("exitCode", result.exitCode())
                .put("noChange", result.noChange());
        result.fileError().ifPresent(e -> root.put("fileError", e));
        ObjectNode counts = root.putObject("counts");
        result.counts().forEach((k, v) -> counts.put(k.name(), v));
        ArrayNode rows = root.putArray("rows");
        for (RowResult r : result.rows()) {
            ObjectNode row = rows.addObject().put("line", r.line()).put("serial", r.serial()).put("mac", r.mac())
                    .put("outcome", r.outcome().name()).put("reason", r.reason());
            r.deviceId().ifPresent(id -> row.put("deviceId", id));
        }
        ArrayNode errors = root.putArray("rowErrors");
        for (RowError e : result.rowErrors()) {
            errors.addObject().put("line", e.line()).put("field", e.field()).put("message", e.message());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(ManifestResult result) {
        StringBuilder out = new StringBuilder();
        out.append("manifest ").append(result.file()).append(result.dryRun() ? " (dry run: nothing written)" : "")
                .append('\n');
        if (result.fileError().isPresent()) {
            return out.append("  FILE ERROR: ").append(result.fileError().get()).append('\n').toString();
        }
        out.append(String.format("  %-18s %8s%n", "outcome", "rows"));
        result.counts().forEach((k, v) -> out.append(String.format("  %-18s %8d%n", k.name().toLowerCase(), v)));
        out.append(String.format("  %-18s %8d%n", "row errors", result.rowErrors().size()));
        int shown = 0;
        for (RowError e : result.rowErrors()) {
            if (shown++ < 50) {
                out.append("  line ").append(e.line()).append(" ").append(e.field()).append(": ").append(e.message()).append('\n');
            }
        }
        for (RowResult r : result.rows()) {
            if (r.outcome() != ManifestOutcome.SET && shown++ < 50) {
                out.append("  line ").append(r.line()).append(" ").append(r.serial()).append(" ").append(r.outcome())
                        .append(r.reason().isEmpty() ? "" : ": " + r.reason()).append('\n');
            }
        }
        if (shown > 50) {
            out.append("  … ").append(shown - 50).append(" more in the JSON report\n");
        }
        out.append(result.exitCode() == 0 ? "  result: OK" : result.exitCode() == 1 ? "  result: SOME ROWS FAILED"
                : "  result: FILE REJECTED").append(result.noChange() ? " (no change)" : "").append('\n');
        return out.toString();
    }

    /** One event per row that changed (or journaled) something, for bm.device.state. */
    public static List<EventEnvelope> events(ManifestResult result) {
        List<EventEnvelope> events = new ArrayList<>();
        if (result.dryRun()) {
            return events;
        }
        for (RowResult r : result.rows()) {
            if (r.outcome() == ManifestOutcome.SET || r.outcome() == ManifestOutcome.CONFLICT_SKIPPED) {
                ObjectNode data = JSON.createObjectNode().put("serial", r.serial()).put("mac", r.mac())
                        .put("outcome", r.outcome().name()).put("file", result.file()).put("line", r.line());
                r.deviceId().ifPresent(id -> data.put("deviceId", id));
                String type = r.outcome() == ManifestOutcome.SET ? MAC_SET : EventTypes.DEVICE_WARNING;
                events.add(EventEnvelope.of(EventEnvelope.deterministicId("manifest", result.contentHash(),
                        Long.toString(r.line())), "bm-pipeline/manifest", type, r.serial(), Instant.now(), data));
            }
        }
        return events;
    }
}
