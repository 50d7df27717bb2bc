package io.bmpipeline.callback;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventBusException;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.Topics;
import io.bmpipeline.lifecycle.Decision;
import io.bmpipeline.lifecycle.LifecycleEvent;
import io.bmpipeline.lifecycle.LifecycleTable;
import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.jboss.logging.Logger;

/**
 * The edge of the callback API: turns one HTTP request into a stored {@code bm.pxe.events} event, or into the
 * answer that says why not. In this order, each check before anything later reads the request: body type (415),
 * credential (401), path parameters and body against the OpenAPI document (400), the device (404) and whether the
 * credential is its own (403), whether its status takes the request — asked of the lifecycle table (409) — and the
 * durable store (202, or 503 with {@code Retry-After}). Nothing here writes NetBox: {@link ValidationRecorder}
 * applies the stored events in order, so a NetBox outage delays results and loses none.
 */
public final class CallbackIntake {

    private static final Logger LOG = Logger.getLogger(CallbackIntake.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
    private static final Pattern STEP = Pattern.compile(Patterns.STEP);
    private static final Pattern SERIAL = Pattern.compile("^[\\x21-\\x7e]{1,128}$");
    private static final String SOURCE = "bm-pipeline/pxe-callback";

    /** Who signed the request. */
    private sealed interface Caller {
        /** A device's own credential. */
        record DeviceCredential(CallbackCredentials.Enrolment enrolment) implements Caller {}

        /** The site secret: any device. */
        record Site() implements Caller {}
    }

    /** The answer of the API; {@code retryAfter} for 503. */
    private static final class Refusal extends Exception {
        final ApiAnswer answer;

        Refusal(ApiAnswer answer) {
            super(answer.message(), null, false, false);
            this.answer = answer;
        }
    }

    /** The device a request is for, with the status the API checks. */
    private record Target(long deviceId, String serial, String status) {
        static Target of(CallbackCredentials.Enrolment e) {
            return new Target(e.deviceId(), e.serial(), e.status());
        }
    }

    private final ApiSchema schema;
    private final CallbackCredentials credentials;
    private final Optional<SiteSignature> site;
    private final NetBoxClient netbox;
    private final EventBus bus;
    private final int retryAfterSeconds;
    private final Clock clock;

    public CallbackIntake(ApiSchema schema, CallbackCredentials credentials, Optional<SiteSignature> site,
                          NetBoxClient netbox, EventBus bus, int retryAfterSeconds, Clock clock) {
        this.schema = schema;
        this.credentials = credentials;
        this.site = site;
        this.netbox = netbox;
        this.bus = bus;
        this.retryAfterSeconds = retryAfterSeconds;
        this.clock = clock;
    }

    /** {@code POST /pxe/v1/devices/{serial}/steps/{step}}. */
    public void step(Exchange exchange) {
        answer(exchange, () -> {
            Message in = exchange.getIn();
            byte[] body = body(in);
            Caller caller = authenticate(in, body);
            String step = pathParameter(in, "step", STEP);
            String serial = pathParameter(in, "serial", SERIAL);
            Parsed<StepResult> result = parse(body, "StepResult", StepResult.class);
            requireReason(result.value());
            Target target = device(caller, serial);
            return accept(target, step, result.value().runId(), io.bmpipeline.events.EventTypes.PXE_STEP_REPORTED, new LifecycleEvent.PxeStepReported(),
                    result.tree(), caller);
        });
    }

    /** {@code POST /pxe/v1/macs/{mac}/steps/init}: the device found by one of its MACs. */
    public void initByMac(Exchange exchange) {
        answer(exchange, () -> {
            Message in = exchange.getIn();
            byte[] body = body(in);
            Caller caller = authenticate(in, body);
            String macText = in.getHeader("mac", "", String.class);
            MacAddress mac = MacAddress.parse(macText).orElseThrow(() -> new Refusal(ApiAnswer.badField("mac",
                    "path parameter mac: not a MAC address")));
            Parsed<StepResult> result = parse(body, "StepResult", StepResult.class);
            requireReason(result.value());
            Target target = deviceByMac(caller, mac);
            return accept(target, "init", result.value().runId(), io.bmpipeline.events.EventTypes.PXE_STEP_REPORTED,
                    new LifecycleEvent.PxeStepReported(), result.tree(), caller);
        });
    }

    /** {@code POST /pxe/v1/devices/{serial}/report}. */
    public void report(Exchange exchange) {
        answer(exchange, () -> {
            Message in = exchange.getIn();
            byte[] body = body(in);
            Caller caller = authenticate(in, body);
            String serial = pathParameter(in, "serial", SERIAL);
            Parsed<ValidationReport> report = parse(body, "ValidationReport", ValidationReport.class);
            Target target = device(caller, serial);
            return accept(target, "report", report.value().runId(), io.bmpipeline.events.EventTypes.PXE_VALIDATION_REPORTED, new LifecycleEvent.PxeValidationPassed(),
                    report.tree(), caller);
        });
    }

    private interface Work {
        ApiAnswer run() throws Refusal;
    }

    private void answer(Exchange exchange, Work work) {
        ApiAnswer answer;
        try {
            answer = work.run();
        } catch (Refusal r) {
            answer = r.answer;
        } catch (RuntimeException e) {
            LOG.errorf("callback %s: %s", exchange.getIn().getHeader(Exchange.HTTP_URI), e.toString());
            answer = ApiAnswer.error(500, "internal error; the result was not accepted");
        }
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (answer.status() == 503) {
            out.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
        }
        if (answer.status() == 401) {
            out.setHeader("WWW-Authenticate", "Bearer realm=\"bm-pipeline pxe callback\"");
        }
        try {
            out.setBody(JSON.writeValueAsString(answer));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an answer", e);
        }
    }

    private static byte[] body(Message in) throws Refusal {
        String type = in.getHeader(Exchange.CONTENT_TYPE, "", String.class);
        String media = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new Refusal(unsupportedMediaType(type));
        }
        byte[] body = in.getBody(byte[].class);
        return body == null ? new byte[0] : body;
    }

    /** The 415 answer, here and where Vert.x refuses the request first ({@link HttpLayerAnswers}). */
    static ApiAnswer unsupportedMediaType(String contentType) {
        return ApiAnswer.error(415, "Content-Type must be application/json, was \""
                + (contentType.length() > 64 ? contentType.substring(0, 64) + "…" : contentType) + "\"");
    }

    private Caller authenticate(Message in, byte[] body) throws Refusal {
        String authorization = in.getHeader("Authorization", String.class);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return switch (credentials.verify(authorization.substring(7).strip())) {
                case CallbackCredentials.Verdict.Valid v -> new Caller.DeviceCredential(v.enrolment());
                case CallbackCredentials.Verdict.Refused r -> throw new Refusal(ApiAnswer.error(401, r.why()));
            };
        }
        String signature = in.getHeader(SiteSignature.HEADER, String.class);
        if (signature != null) {
            if (site.isEmpty()) {
                throw new Refusal(ApiAnswer.error(401, "site signatures are not accepted here (no bm.pxe.hmac-secret-file)"));
            }
            String path = in.getHeader(Exchange.HTTP_URI, "", String.class).split("\\?", 2)[0];
            Optional<String> refused = site.get().refusal(signature, "POST", path, body);
            if (refused.isPresent()) {
                throw new Refusal(ApiAnswer.error(401, refused.get()));
            }
            return new Caller.Site();
        }
        throw new Refusal(ApiAnswer.error(401, "no credential: send Authorization: Bearer <device credential>"
                + (site.isPresent() ? " or " + SiteSignature.HEADER : "")));
    }

    private static String pathParameter(Message in, String name, Pattern pattern) throws Refusal {
        String value = in.getHeader(name, "", String.class);
        if (!pattern.matcher(value).matches()) {
            throw new Refusal(ApiAnswer.badField(name, "path parameter " + name + " must match " + pattern.pattern()));
        }
        return value;
    }

    /** A body that conforms to its schema: the tree, which the event stores as sent, and what it says. */
    private record Parsed<T>(JsonNode tree, T value) {}

    private <T> Parsed<T> parse(byte[] body, String schemaName, Class<T> type) throws Refusal {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Refusal(ApiAnswer.badField("(body)", "not JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset())));
        } catch (java.io.IOException e) {
            throw new Refusal(ApiAnswer.badField("(body)", "unreadable body: " + e.getMessage()));
        }
        if (tree == null || tree.isMissingNode()) {
            throw new Refusal(ApiAnswer.badField("(body)", "empty body; a JSON object is required"));
        }
        Optional<ApiSchema.Invalid> invalid = schema.check(schemaName, tree);
        if (invalid.isPresent()) {
            throw new Refusal(ApiAnswer.badField(invalid.get().field(), invalid.get().field() + ": "
                    + invalid.get().message()));
        }
        try {
            return new Parsed<>(tree, JSON.treeToValue(tree, type));
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .reduce("", String::concat).replaceFirst("^\\.", "");
            throw new Refusal(ApiAnswer.badField(field.isEmpty() ? "(body)" : field,
                    (field.isEmpty() ? "" : field + ": ") + e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new Refusal(ApiAnswer.badField("(body)", e.getOriginalMessage()));
        }
    }

    private static void requireReason(StepResult result) throws Refusal {
        if (!result.status().equals("pass") && result.reasonText().isEmpty()) {
            throw new Refusal(ApiAnswer.badField("reason", "reason: required when status is " + result.status()));
        }
        if (result.endedAt().isBefore(result.startedAt())) {
            throw new Refusal(ApiAnswer.badField("endedAt", "endedAt: before startedAt"));
        }
    }

    private Target device(Caller caller, String serial) throws Refusal {
        if (caller instanceof Caller.DeviceCredential c) {
            CallbackCredentials.Enrolment e = c.enrolment();
            if (!e.serial().equalsIgnoreCase(serial)) {
                throw new Refusal(ApiAnswer.error(403, "this credential belongs to another device"));
            }
            return Target.of(e);
        }
        Optional<CallbackCredentials.Enrolment> enrolled = credentials.bySerial(serial);
        if (enrolled.isPresent()) {
            return Target.of(enrolled.get());
        }
        Device d = onlyDevice(netboxLookup(() -> netbox.devices().bySerial(serial)), serial, "serial " + serial);
        return new Target(d.id(), d.serial(), d.status());
    }

    private Target deviceByMac(Caller caller, MacAddress mac) throws Refusal {
        if (caller instanceof Caller.DeviceCredential c) {
            return Target.of(c.enrolment());
        }
        Device d = onlyDevice(netboxLookup(() -> netbox.devices().byMac(mac)), null, "an interface with MAC " + mac);
        Optional<CallbackCredentials.Enrolment> enrolled = credentials.current(d.id());
        return new Target(d.id(), d.serial(), enrolled.map(CallbackCredentials.Enrolment::status).orElse(d.status()));
    }

    /** The one device NetBox found by {@code key} ("serial X", "MAC Y"): 404 for none, 409 for several. */
    private static Device onlyDevice(List<Device> found, String serial, String key) throws Refusal {
        if (found.isEmpty()) {
            throw new Refusal(ApiAnswer.error(404, "no device in NetBox has " + key));
        }
        if (found.size() > 1) {
            throw new Refusal(ApiAnswer.wrongState(serial, "ambiguous", found.size() + " devices in NetBox have "
                    + key + "; a person must fix NetBox"));
        }
        return found.getFirst();
    }

    private <T> T netboxLookup(java.util.function.Supplier<T> lookup) throws Refusal {
        try {
            return lookup.get();
        } catch (NetBoxException e) {
            throw new Refusal(ApiAnswer.error(503, "NetBox cannot be asked for the device now"));
        }
    }

    private ApiAnswer accept(Target target, String step, String runId, String type, LifecycleEvent event, JsonNode body,
                             Caller caller) throws Refusal {
        Decision decision = LifecycleTable.STANDARD.ruleFor(target.status(), event).decision();
        if (decision instanceof Decision.Warn) {
            throw new Refusal(ApiAnswer.wrongState(target.serial(), target.status(), "device " + target.serial()
                    + " is " + target.status() + "; PXE validation results are taken while it is discovered or staged"));
        }
        ObjectNode data = JSON.createObjectNode()
                .put("deviceId", target.deviceId())
                .put("serial", target.serial())
                .put("step", step)
                .put("runId", runId)
                .put("receivedAt", clock.instant().toString())
                .put("caller", caller instanceof Caller.Site ? "site-signature" : "device-credential");
        data.set(step.equals("report") ? "report" : "result", body);
        String subject = target.serial().isEmpty() ? "device-" + target.deviceId() : target.serial();
        EventEnvelope envelope = EventEnvelope.of(
                EventEnvelope.deterministicId("pxe", Long.toString(target.deviceId()), runId, step), SOURCE, type,
                subject, clock.instant(), data);
        try {
            EventBus.Published published = bus.publish(Topics.PXE_EVENTS, envelope);
            return ApiAnswer.accepted(target.serial(), envelope.id(), published == EventBus.Published.DUPLICATE);
        } catch (EventBusException e) {
            LOG.warnf("PXE %s of %s (run %s) not accepted: the event store refused it (%s); answered 503", step,
                    subject, runId, e.getMessage());
            throw new Refusal(ApiAnswer.error(503, "the result cannot be stored now; retry"));
        }
    }
}
