package io.bmpipeline.callback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.netbox.Markdown;
import io.bmpipeline.discovery.Publication;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.Topics;
import io.bmpipeline.lifecycle.Decision;
import io.bmpipeline.lifecycle.LifecycleEvent;
import io.bmpipeline.lifecycle.LifecycleTable;
import io.bmpipeline.lifecycle.Rule;
import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.DeviceHardware;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Applies the stored {@code bm.pxe.events} to NetBox, one device's in order. A step: the service's verdict (the
 * image's status, then the checks: inventory against NetBox, LLDP against the planned cables, figures against the
 * thresholds), the figures under {@code bm_pipeline.pxe_validation} in the device's local config context, a journal
 * entry saying what was measured, and a {@code bm.pxe.step.recorded} event. The report: every required step of the
 * run recorded as passed → the lifecycle table's {@code PXE validation passed}, else {@code failed}; the table's row
 * decides what is written.
 *
 * <p>Idempotent: each journal entry ends with {@code [pxe RUN/STEP]} and is written once; the context is written
 * only when it differs; the status only when it changes. A report delivered again after an attempt that changed the
 * status and stopped there (NetBox's answer lost, the process killed) finishes that attempt's work, found through its
 * journal entry. A step of another run than the one in the context starts a new run there: a new run replaces the
 * earlier results.
 */
public final class ValidationRecorder {

    /** The key of the pipeline's figures in the device's local config context. */
    public static final String CONTEXT_KEY = "bm_pipeline";
    public static final String VALIDATION_KEY = "pxe_validation";
    private static final String SOURCE = "bm-pipeline/pxe-validation";
    private static final Logger LOG = Logger.getLogger(ValidationRecorder.class);

    /** The service's verdict on one step. */
    public record Verdict(String status, Optional<String> reason, List<Finding> findings) {
        boolean passed() {
            return status.equals("pass");
        }

        JournalEntry.Kind journalKind() {
            if (!passed()) {
                return JournalEntry.Kind.DANGER;
            }
            return findings.isEmpty() ? JournalEntry.Kind.SUCCESS : JournalEntry.Kind.WARNING;
        }
    }

    private final NetBoxClient netbox;
    private final Thresholds thresholds;
    private final List<String> requiredSteps;
    private final boolean failUncabled;
    private final Clock clock;

    public ValidationRecorder(NetBoxClient netbox, Thresholds thresholds, List<String> requiredSteps,
                              boolean failUncabled, Clock clock) {
        this.netbox = netbox;
        this.thresholds = thresholds;
        this.requiredSteps = List.copyOf(requiredSteps);
        this.failUncabled = failUncabled;
        this.clock = clock;
    }

    /** One event of {@code bm.pxe.events}; what to publish next. Types this does not apply are acknowledged. */
    public List<Publication> apply(EventEnvelope event) {
        return switch (event.type()) {
            case EventTypes.PXE_STEP_REPORTED -> step(event);
            case EventTypes.PXE_VALIDATION_REPORTED -> report(event);
            default -> List.of();
        };
    }

    private List<Publication> step(EventEnvelope event) {
        JsonNode data = event.data();
        long deviceId = data.path("deviceId").asLong();
        String step = data.path("step").asText();
        String runId = data.path("runId").asText();
        StepResult result = CallbackIntake.JSON.convertValue(data.path("result"), StepResult.class);
        Optional<Device> device = netbox.devices().byId(deviceId);
        if (device.isEmpty()) {
            LOG.warnf("PXE %s of device #%d (run %s): the device is gone from NetBox; result dropped", step, deviceId, runId);
            return List.of();
        }
        Rule rule = LifecycleTable.STANDARD.ruleFor(device.get().status(), new LifecycleEvent.PxeStepReported());
        String marker = "[pxe " + runId + "/" + step + "]";
        if (!(rule.decision() instanceof Decision.RecordStep)) {
            journalOnce(deviceId, marker, JournalEntry.Kind.WARNING, "PXE validation step " + step + " (run " + runId
                    + ") not recorded: device is " + device.get().status() + ". " + rule.why() + ". Rule " + rule.id());
            LOG.infof("PXE %s of %s (run %s): not recorded, device is %s [%s]", step, device.get().label(), runId,
                    device.get().status(), rule.id());
            return List.of(new Publication(Topics.DEVICE_STATE, announce(event, device.get(), EventTypes.DEVICE_WARNING,
                    rule, Optional.empty())));
        }
        Optional<DeviceHardware> read = netbox.devices().hardware(deviceId);
        if (read.isEmpty()) {
            LOG.warnf("PXE %s of device #%d (run %s): the device is gone from NetBox; result dropped", step, deviceId, runId);
            return List.of();
        }
        DeviceHardware hardware = read.get();
        Verdict verdict = verdict(step, result, device.get(), hardware);
        ObjectNode context = hardware.localContext();
        ObjectNode validation = validation(context, runId);
        ObjectNode steps = previousSteps(hardware, runId);
        validation.set("steps", steps);
        steps.set(step, recorded(result, verdict));
        if (!context.equals(hardware.localContext())) {
            netbox.devices().setLocalContext(deviceId, context);
        }
        journalOnce(deviceId, marker, verdict.journalKind(), stepEntry(step, runId, result, verdict) + " Rule "
                + rule.id());
        LOG.infof("PXE %s of %s (run %s): %s%s [%s]", step, device.get().label(), runId, verdict.status(),
                verdict.reason().map(r -> " — " + firstLine(r)).orElse(""), rule.id());
        ObjectNode recorded = CallbackIntake.JSON.createObjectNode().put("deviceId", deviceId)
                .put("serial", device.get().serial()).put("step", step).put("runId", runId)
                .put("verdict", verdict.status());
        verdict.reason().ifPresent(r -> recorded.put("reason", r));
        return List.of(new Publication(Topics.PXE_EVENTS, EventEnvelope.of(
                EventEnvelope.deterministicId(event.id(), EventTypes.PXE_STEP_RECORDED), SOURCE,
                EventTypes.PXE_STEP_RECORDED, event.subject(), clock.instant(), recorded)));
    }

    private List<Publication> report(EventEnvelope event) {
        JsonNode data = event.data();
        long deviceId = data.path("deviceId").asLong();
        String runId = data.path("runId").asText();
        ValidationReport report = CallbackIntake.JSON.convertValue(data.path("report"), ValidationReport.class);
        Optional<Device> device = netbox.devices().byId(deviceId);
        if (device.isEmpty()) {
            LOG.warnf("PXE report of device #%d (run %s): the device is gone from NetBox; report dropped", deviceId, runId);
            return List.of();
        }
        Optional<DeviceHardware> read = netbox.devices().hardware(deviceId);
        if (read.isEmpty()) {
            LOG.warnf("PXE report of device #%d (run %s): the device is gone from NetBox; report dropped", deviceId, runId);
            return List.of();
        }
        DeviceHardware hardware = read.get();
        JsonNode recorded = hardware.localContext().path(CONTEXT_KEY).path(VALIDATION_KEY);
        boolean sameRun = recorded.path("runId").asText().equals(runId);
        List<String> failed = new ArrayList<>();
        for (String step : requiredSteps) {
            JsonNode s = sameRun ? recorded.path("steps").path(step) : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            if (s.isMissingNode()) {
                failed.add(step + " (not received)");
            } else if (!s.path("verdict").asText().equals("pass")) {
                failed.add(step + " (" + s.path("verdict").asText() + ")");
            }
        }
        LifecycleEvent outcome = failed.isEmpty() ? new LifecycleEvent.PxeValidationPassed()
                : new LifecycleEvent.PxeValidationFailed();
        Rule rule = LifecycleTable.STANDARD.ruleFor(device.get().status(), outcome);
        String marker = "[pxe " + runId + "/report]";
        Optional<Rule> earlier = rule.decision() instanceof Decision.NoOp ? earlierPromotion(deviceId, marker)
                : Optional.empty();
        if (earlier.isPresent()) {
            rule = earlier.get();
        }
        String summary = failed.isEmpty() ? "every required step passed (" + String.join(", ", requiredSteps) + ")"
                : "failed: " + String.join(", ", failed);
        String status = device.get().status();
        // Written in this order — the run's result, the journal entry, the status — so a device seen staged has the
        // rest already, and a replay after a crash finds what was done and does what was not.
        Optional<String> newStatus = rule.decision() instanceof Decision.Promote p
                ? Optional.of(p.to().netboxValue()) : Optional.empty();
        String type;
        JournalEntry.Kind kind;
        String entry;
        switch (rule.decision()) {
            case Decision.Promote p -> {
                kind = JournalEntry.Kind.SUCCESS;
                entry = "PXE validation run " + runId + ": " + summary + "; " + status + " → " + newStatus.get();
                type = EventTypes.DEVICE_STATE_CHANGED;
            }
            case Decision.ReportFailure f -> {
                kind = JournalEntry.Kind.DANGER;
                entry = "PXE validation run " + runId + " " + summary + "; status " + status + " kept";
                type = EventTypes.DEVICE_STAGE_FAILED;
            }
            case Decision.Warn w -> {
                kind = JournalEntry.Kind.WARNING;
                entry = "PXE validation run " + runId + " (" + summary + ") not applied: device is " + status;
                type = EventTypes.DEVICE_WARNING;
            }
            case Decision.NoOp n -> {
                // Validated again while staged, and passed: the new run's result is recorded, nothing moves.
                kind = JournalEntry.Kind.SUCCESS;
                entry = "PXE validation run " + runId + ": " + summary + "; status " + status + " kept";
                type = null;
            }
            default -> {
                LOG.debugf("PXE report of %s (run %s): %s [%s]", device.get().label(), runId, rule.decision().label(),
                        rule.id());
                return List.of();
            }
        }
        if (!(rule.decision() instanceof Decision.Warn)) {
            ObjectNode context = hardware.localContext();
            ObjectNode validation = validation(context, runId);
            validation.set("steps", previousSteps(hardware, runId));
            ObjectNode result = validation.putObject("result");
            result.put("verdict", failed.isEmpty() ? "pass" : "fail");
            result.put("endedAt", report.endedAt().toString());
            if (report.image() != null) {
                result.put("image", report.image());
            }
            var failedNode = result.putArray("failedSteps");
            failed.forEach(failedNode::add);
            if (!context.equals(hardware.localContext())) {
                netbox.devices().setLocalContext(deviceId, context);
            }
        }
        journalOnce(deviceId, marker, kind, entry + ". " + rule.why() + ". Rule " + rule.id());
        if (newStatus.isPresent() && !status.equals(newStatus.get())) {
            netbox.devices().setStatus(deviceId, newStatus.get());
        }
        if (earlier.isPresent()) {
            LOG.infof("PXE report of %s (run %s): %s by an earlier attempt of this report [%s]; finished and "
                    + "announced again", device.get().label(), runId, status, rule.id());
        } else {
            LOG.infof("PXE report of %s (run %s): %s; %s [%s]", device.get().label(), runId, summary,
                    newStatus.map(to -> status + " → " + to).orElse(rule.decision() instanceof Decision.Warn
                            ? "not applied, device is " + status : "status " + status + " kept"), rule.id());
        }
        if (type == null) {
            return List.of(); // the table's no-op announces nothing
        }
        return List.of(new Publication(Topics.DEVICE_STATE, announce(event, device.get(), type, rule, newStatus)));
    }

    Verdict verdict(String step, StepResult result, Device device, DeviceHardware hardware) {
        if (!result.status().equals("pass")) {
            return new Verdict(result.status(), result.reasonText(), List.of());
        }
        List<Finding> findings = new ArrayList<>();
        Optional<String> missing = Optional.empty();
        switch (step) {
            case "init" -> {
                if (result.inventory() == null) {
                    missing = Optional.of("inventory");
                } else {
                    findings.addAll(InventoryCheck.compare(result.inventory(), hardware,
                            netbox.interfaces().ofDevice(device.id())));
                }
            }
            case "memory" -> {
                if (result.memory() == null) {
                    missing = Optional.of("memory");
                } else {
                    findings.addAll(thresholds.memory(result.memory()));
                }
            }
            case "disk" -> {
                if (result.disk() == null || result.disk().jobs().isEmpty()) {
                    missing = Optional.of("disk");
                } else {
                    findings.addAll(thresholds.disk(result.disk(), hardware.deviceTypeSlug()));
                }
            }
            case "lldp" -> {
                if (result.lldp() == null) {
                    missing = Optional.of("lldp");
                } else {
                    findings.addAll(CablingCheck.compare(result.lldp().neighbours(), netbox.interfaces().cabling(device.id()),
                            failUncabled));
                }
            }
            default -> { }
        }
        if (missing.isPresent()) {
            return new Verdict("fail", Optional.of("reported pass without the " + missing.get()
                    + " figures; nothing measured is no pass"), List.of());
        }
        List<Finding> failures = findings.stream().filter(Finding::fails).toList();
        if (!failures.isEmpty()) {
            return new Verdict("fail", Optional.of(failures.size() + " of the compared values differ"), findings);
        }
        return new Verdict("pass", Optional.empty(), findings);
    }

    /** The context's validation object for this run, replaced when it holds another run's. */
    private ObjectNode validation(ObjectNode context, String runId) {
        ObjectNode ours = context.has(CONTEXT_KEY) && context.get(CONTEXT_KEY).isObject()
                ? (ObjectNode) context.get(CONTEXT_KEY) : context.putObject(CONTEXT_KEY);
        JsonNode existing = ours.path(VALIDATION_KEY);
        if (existing.isObject() && existing.path("runId").asText().equals(runId)) {
            return (ObjectNode) existing;
        }
        ObjectNode fresh = ours.putObject(VALIDATION_KEY);
        fresh.put("runId", runId);
        return fresh;
    }

    private static ObjectNode previousSteps(DeviceHardware hardware, String runId) {
        JsonNode v = hardware.localContext().path(CONTEXT_KEY).path(VALIDATION_KEY);
        if (v.path("runId").asText().equals(runId) && v.path("steps").isObject()) {
            return (ObjectNode) v.path("steps").deepCopy();
        }
        return CallbackIntake.JSON.createObjectNode();
    }

    private static ObjectNode recorded(StepResult result, Verdict verdict) {
        ObjectNode node = CallbackIntake.JSON.createObjectNode();
        node.put("verdict", verdict.status());
        node.put("reported", result.status());
        verdict.reason().ifPresent(r -> node.put("reason", r));
        node.put("startedAt", result.startedAt().toString());
        node.put("endedAt", result.endedAt().toString());
        node.put("tool", result.tool().name() + " " + result.tool().version());
        ObjectNode figures = CallbackIntake.JSON.valueToTree(result);
        for (String field : List.of("runId", "status", "startedAt", "endedAt", "tool", "reason")) {
            figures.remove(field);
        }
        figures.fields().forEachRemaining(e -> {
            if (!e.getValue().isNull() && !(e.getValue().isObject() && e.getValue().isEmpty())) {
                node.set(e.getKey(), e.getValue());
            }
        });
        if (!verdict.findings().isEmpty()) {
            var rows = node.putArray("findings");
            verdict.findings().forEach(f -> rows.addObject().put("subject", f.subject()).put("expected", f.expected())
                    .put("seen", f.seen()).put("fails", f.fails()));
        }
        return node;
    }

    /** The journal text: what was measured, the verdict, and a table of what differed. */
    static String stepEntry(String step, String runId, StepResult r, Verdict v) {
        StringBuilder text = new StringBuilder("PXE validation step **").append(step).append("**: ")
                .append(v.status());
        if (!v.status().equals(r.status())) {
            text.append(" (image reported ").append(r.status()).append(")");
        }
        text.append(", run ").append(Markdown.escape(runId)).append(", ").append(Markdown.escape(r.tool().name()))
                .append(' ').append(Markdown.escape(r.tool().version())).append(". ");
        measured(r).ifPresent(m -> text.append("Measured: ").append(m).append(". "));
        v.reason().ifPresent(reason -> text.append("Reason: ").append(Markdown.escape(reason)).append(". "));
        if (!v.findings().isEmpty()) {
            text.append("\n\n| | NetBox / threshold | seen | |\n|---|---|---|---|\n");
            for (Finding f : v.findings()) {
                text.append("| ").append(Markdown.escape(f.subject())).append(" | ").append(Markdown.escape(f.expected()))
                        .append(" | ").append(Markdown.escape(f.seen())).append(" | ").append(f.fails() ? "fails" : "noted")
                        .append(" |\n");
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static Optional<String> measured(StepResult r) {
        if (r.inventory() != null) {
            var i = r.inventory();
            return Optional.of(Markdown.escape(Optional.ofNullable(i.manufacturer()).orElse("?") + " "
                    + Optional.ofNullable(i.product()).orElse("?") + ", serial " + i.serial() + ", " + i.cpus().size()
                    + " CPU(s), " + i.dimms().size() + " DIMM(s), " + i.nics().size() + " NIC(s)"));
        }
        if (r.memory() != null) {
            return Optional.of(r.memory().testedMiB() + " MiB tested, " + r.memory().passes() + " pass(es), "
                    + Optional.ofNullable(r.memory().errors()).orElse(0) + " error(s)");
        }
        if (r.disk() != null) {
            return Optional.of(Markdown.escape(String.join("; ", r.disk().jobs().stream().map(j -> j.device() + " "
                    + j.rw() + " " + Thresholds.format(j.bandwidthKiBps()) + " KiB/s " + Thresholds.format(j.iops())
                    + " IOPS").toList())));
        }
        if (r.lldp() != null) {
            return Optional.of(Markdown.escape(String.join("; ", r.lldp().neighbours().stream().map(n -> n.nic()
                    + " → " + Optional.ofNullable(n.chassisName()).orElse("?") + "/"
                    + Optional.ofNullable(n.portId()).orElse("?")).toList())));
        }
        return Optional.empty();
    }

    private void journalOnce(long deviceId, String marker, JournalEntry.Kind kind, String text) {
        boolean written = journal(deviceId).stream().anyMatch(e -> e.comments().contains(marker));
        if (!written) {
            netbox.journal().write(deviceId, kind, text + " " + marker);
        }
    }

    /**
     * The promotion an earlier attempt of this report made, when the table now has nothing to do because of it: that
     * attempt wrote its journal entry and the status, then stopped before the rest — NetBox's answer lost, the process
     * killed — and the report was delivered again. Its entry names the rule; the rest (the result in the context, the
     * announcement) is still to be done. The announcement's id is the one it had, so one that did go out is dropped
     * by the bus as a duplicate.
     */
    private Optional<Rule> earlierPromotion(long deviceId, String marker) {
        Pattern applied = Pattern.compile("Rule (\\S+) " + Pattern.quote(marker));
        return journal(deviceId).stream()
                .map(e -> applied.matcher(e.comments()))
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .findFirst()
                .flatMap(id -> LifecycleTable.STANDARD.rules().stream().filter(r -> r.id().equals(id)).findFirst())
                .filter(r -> r.decision() instanceof Decision.Promote);
    }

    /** The device's journal entries of the last 30 days: where an entry of a run still being reported can be. */
    private List<JournalEntry> journal(long deviceId) {
        Optional<Instant> since = Optional.of(clock.instant().minus(java.time.Duration.ofDays(30)));
        return netbox.journal().entries(deviceId, since);
    }

    private EventEnvelope announce(EventEnvelope cause, Device device, String type, Rule rule, Optional<String> newStatus) {
        ObjectNode data = CallbackIntake.JSON.createObjectNode()
                .put("deviceId", device.id())
                .put("serial", device.serial())
                .put("status", device.status())
                .put("decision", rule.decision().label())
                .put("rule", rule.id())
                .put("runId", cause.data().path("runId").asText());
        newStatus.ifPresent(s -> data.put("newStatus", s));
        return EventEnvelope.of(EventEnvelope.deterministicId(cause.id(), type), SOURCE, type, cause.subject(),
                clock.instant(), data);
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
    }
}
