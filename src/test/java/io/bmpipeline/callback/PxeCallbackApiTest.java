package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The PXE callback API against the running service and the live NetBox, over real HTTP: a discovered device's
 * validation run from first step to staged, and the runs that must not stage it.
 */
@QuarkusTest
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class PxeCallbackApiTest {

    @TestHTTPResource("/")
    URL api;

    @jakarta.inject.Inject
    io.bmpipeline.events.EventBus bus;

    @jakarta.inject.Inject
    CallbackCredentials credentials;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private NetBoxClient netbox;
    private NetBoxFixture fixture;
    private PxeCallbackClient client;
    private int macs;

    @BeforeEach
    void seed() throws Exception {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        fixture = new NetBoxFixture(netbox);
        client = new PxeCallbackClient(api.toURI(), management.toURI());
    }

    @AfterEach
    void clean() {
        PxeCallbackClient.awaitApplied(bus, java.time.Duration.ofMinutes(2));
        fixture.close();
    }

    private String mac() {
        int h = fixture.tag().hashCode();
        return String.format("52:54:00:%02x:%02x:%02x", (h >>> 8) & 0xff, h & 0xff, ++macs);
    }

    private SeededServer server(String status) {
        return SeededServer.seed(fixture, status);
    }

    private URI path(String path) {
        return URI.create(api.toString()).resolve(path);
    }

    /** An answer as the document declares it: the status, JSON, the Answer schema, the status repeated. */
    private void assertAnswer(int status, PxeCallbackClient.Answer a) {
        assertEquals(status, a.status(), a.body().toString());
        assertEquals("application/json", a.headers().firstValue("Content-Type").orElse("(none)"), a.body().toString());
        ApiSchema document = new ApiSchema(() -> client.get("/pxe/v1/openapi.json").body().toString());
        assertEquals(Optional.empty(), document.check("Answer", a.body()), a.body().toString());
        assertEquals(status, a.body().path("status").asInt(), a.body().toString());
    }

    private List<JournalEntry> journal(long deviceId, int atLeast) {
        return Eventually.await(atLeast + " journal entries on device " + deviceId,
                () -> netbox.journal().entries(deviceId), entries -> entries.size() >= atLeast);
    }

    @Test
    void theOpenApiDocumentIsServedWithTheBodySchemas() {
        var doc = client.get("/pxe/v1/openapi.json");
        assertEquals(200, doc.status(), doc.body().toString());
        assertTrue(doc.body().path("openapi").asText().startsWith("3."), doc.body().path("openapi").asText());
        JsonNode schemas = doc.body().path("components").path("schemas");
        assertTrue(schemas.has("StepResult") && schemas.has("ValidationReport") && schemas.has("Answer"),
                schemas.toString());
        assertTrue(doc.body().path("paths").has("/pxe/v1/devices/{serial}/steps/{step}"), doc.body().path("paths").toString());
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("target/pxe-callback-openapi.json"),
                    doc.body().toPrettyString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aRunWhoseStepsAllPassStagesTheDeviceWithFiguresAndJournal() {
        SeededServer s = SeededServer.seed(fixture, "discovered");
        String token = client.mint(s.serial());
        String run = "run-" + UUID.randomUUID();
        s.passingSteps(run).forEach((step, body) -> {
            var answer = client.step(s.serial(), step, token, body);
            assertEquals(202, answer.status(), step + ": " + answer.body());
        });
        var report = client.report(s.serial(), token, PxeCallbackClient.report(run, "init", "memory", "disk", "lldp"));
        assertEquals(202, report.status(), report.body().toString());

        Eventually.await("device staged", () -> netbox.devices().byId(s.device().id()).orElseThrow().status(),
                "staged"::equals);
        List<JournalEntry> entries = journal(s.device().id(), 5);
        assertEquals(5, entries.size(), entries.toString());
        assertTrue(entries.stream().anyMatch(e -> e.comments().contains("**memory**: pass")
                && e.comments().contains("16 MiB tested")), entries.toString());
        var context = netbox.devices().hardware(s.device().id()).orElseThrow().localContext()
                .path("bm_pipeline").path("pxe_validation");
        assertEquals(run, context.path("runId").asText(), context.toString());
        assertEquals(500000.0, context.path("steps").path("disk").path("disk").path("jobs").path(0)
                .path("bandwidthKiBps").asDouble(), context.toString());
        assertEquals("pass", context.path("result").path("verdict").asText(), context.toString());
        assertEquals(List.of("disk", "init", "lldp", "memory"), events(io.bmpipeline.events.Topics.PXE_EVENTS,
                io.bmpipeline.events.EventTypes.PXE_STEP_RECORDED, run).stream()
                .map(e -> e.path("step").asText() + (e.path("verdict").asText().equals("pass") ? "" : " failed"))
                .sorted().toList());
        List<JsonNode> staged = events(io.bmpipeline.events.Topics.DEVICE_STATE,
                io.bmpipeline.events.EventTypes.DEVICE_STATE_CHANGED, run);
        assertEquals(1, staged.size(), staged.toString());
        assertEquals("staged", staged.getFirst().path("newStatus").asText());
    }

    /** The data of the events of {@code type} on {@code topic} that belong to the run. */
    private List<JsonNode> events(String topic, String type, String run) {
        List<JsonNode> found = new java.util.ArrayList<>();
        bus.replay(topic, type, e -> {
            if (e.envelope().data().path("runId").asText().equals(run)) {
                found.add(e.envelope().data());
            }
        });
        return found;
    }

    private static final byte[] SITE_SECRET = readSecret();

    private static byte[] readSecret() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/pxe-hmac-secret")).strip()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long now() {
        return java.time.Instant.now().getEpochSecond();
    }

    @Test
    void everyRefusalSaysWhyWithTheStatusACallerCanActOn() {
        SeededServer a = server("discovered");
        SeededServer b = server("discovered");
        String tokenA = client.mint(a.serial());
        client.mint(b.serial());
        String run = "run-" + UUID.randomUUID();
        String memory = PxeCallbackClient.memory(run, 1).toString();
        String path = "/pxe/v1/devices/" + a.serial() + "/steps/memory";

        var none = client.post(path, null, memory);
        assertEquals(401, none.status(), none.body().toString());
        assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent());
        assertEquals(401, none.body().path("status").asInt());

        var unknown = client.post(path, "Bearer " + CallbackCredentials.PREFIX + "notonethisserviceminted", memory);
        assertEquals(401, unknown.status(), unknown.body().toString());

        var otherDevice = client.post("/pxe/v1/devices/" + b.serial() + "/steps/memory", "Bearer " + tokenA, memory);
        assertEquals(403, otherDevice.status(), otherDevice.body().toString());

        String unknownSerial = fixture.serial("NOSUCH");
        var notFound = client.signed("/pxe/v1/devices/" + unknownSerial + "/steps/memory", SITE_SECRET, now(), memory);
        assertEquals(404, notFound.status(), notFound.body().toString());
        assertTrue(notFound.body().path("message").asText().contains(unknownSerial), notFound.body().toString());

        var noTool = PxeCallbackClient.memory(run, 1);
        noTool.remove("tool");
        var missing = client.post(path, "Bearer " + tokenA, noTool.toString());
        assertEquals(400, missing.status(), missing.body().toString());
        assertEquals("tool", missing.body().path("field").asText(), missing.body().toString());

        var badMac = PxeCallbackClient.init(run, a.serial(), "Dell", "PowerEdge R650", a.mac1(), "not-a-mac");
        var nested = client.step(a.serial(), "init", tokenA, badMac);
        assertEquals(400, nested.status(), nested.body().toString());
        assertEquals("inventory.nics[1].mac", nested.body().path("field").asText(), nested.body().toString());

        var badStep = client.step(a.serial(), "Memory_Test", tokenA, PxeCallbackClient.memory(run, 1));
        assertEquals(400, badStep.status(), badStep.body().toString());
        assertEquals("step", badStep.body().path("field").asText());

        var failedWithoutReason = PxeCallbackClient.memory(run, 1).put("status", "fail");
        var noReason = client.step(a.serial(), "memory", tokenA, failedWithoutReason);
        assertEquals(400, noReason.status(), noReason.body().toString());
        assertEquals("reason", noReason.body().path("field").asText());

        var notJson = client.post(path, "Bearer " + tokenA, "{\"runId\": ");
        assertEquals(400, notJson.status(), notJson.body().toString());
        assertEquals("(body)", notJson.body().path("field").asText());

        SeededServer active = server("active");
        var wrongState = client.signed("/pxe/v1/devices/" + active.serial() + "/steps/memory", SITE_SECRET, now(),
                memory);
        assertEquals(409, wrongState.status(), wrongState.body().toString());
        assertEquals("active", wrongState.body().path("deviceStatus").asText(), wrongState.body().toString());

        var tooBig = client.post(path, "Bearer " + tokenA, "{\"runId\":\"" + "x".repeat(1_100_000) + "\"}");
        assertEquals(413, tooBig.status());

        var text = client.send(java.net.http.HttpRequest.newBuilder(URI.create(api.toString()).resolve(path))
                .header("Content-Type", "text/plain").header("Authorization", "Bearer " + tokenA)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(memory)).build());
        assertEquals(415, text.status(), text.body().toString());

        // None of the refusals reached the bus: the device's journal stays empty.
        assertEquals(List.of(), netbox.journal().entries(a.device().id()));
    }

    @Test
    void aSiteSignatureIsAcceptedOnceAndRefusedWhenReplayedOrStale() {
        SeededServer s = server("discovered");
        String run = "run-" + UUID.randomUUID();
        String body = PxeCallbackClient.memory(run, 1).toString();
        String path = "/pxe/v1/devices/" + s.serial() + "/steps/memory";
        long t = now();
        var first = client.signed(path, SITE_SECRET, t, body);
        assertEquals(202, first.status(), first.body().toString());
        var replayed = client.signed(path, SITE_SECRET, t, body);
        assertEquals(401, replayed.status(), replayed.body().toString());
        assertTrue(replayed.body().path("message").asText().contains("replayed"), replayed.body().toString());
        var stale = client.signed(path, SITE_SECRET, t - 3600, body);
        assertEquals(401, stale.status(), stale.body().toString());
        var forged = client.signed(path, "another-secret-of-32-characters!".getBytes(), now(), body);
        assertEquals(401, forged.status(), forged.body().toString());
        List<JournalEntry> entries = journal(s.device().id(), 1);
        assertEquals(1, entries.size(), entries.toString());
    }

    @Test
    void aNewRunRefusesTheEarlierCredential() {
        SeededServer s = server("discovered");
        String first = client.mint(s.serial());
        String second = client.mint(s.serial());
        var old = client.step(s.serial(), "memory", first, PxeCallbackClient.memory("run-1", 1));
        assertEquals(401, old.status(), old.body().toString());
        assertEquals(202, client.step(s.serial(), "memory", second, PxeCallbackClient.memory("run-1", 1)).status());
    }

    @Test
    void theSameStepPostedTwiceIsAcceptedOnceAndJournaledOnce() {
        SeededServer s = server("discovered");
        String token = client.mint(s.serial());
        var body = PxeCallbackClient.memory("run-dup", 1);
        var first = client.step(s.serial(), "memory", token, body);
        var again = client.step(s.serial(), "memory", token, body);
        assertEquals(202, first.status());
        assertEquals(202, again.status());
        assertEquals(false, first.body().path("duplicate").asBoolean());
        assertEquals(true, again.body().path("duplicate").asBoolean(), again.body().toString());
        assertEquals(first.body().path("eventId"), again.body().path("eventId"));
        // A later step of the same run, applied after both: the duplicate had its turn by then.
        assertEquals(202, client.step(s.serial(), "disk", token, PxeCallbackClient.disk("run-dup", 500_000)).status());
        List<JournalEntry> entries = journal(s.device().id(), 2);
        assertEquals(1, entries.stream().filter(e -> e.comments().contains("[pxe run-dup/memory]")).count(),
                entries.toString());
    }

    @Test
    void aSwitchPortOtherThanTheCabledOneFailsTheLldpStepAndTheDeviceStaysDiscovered() {
        SeededServer s = server("discovered");
        String token = client.mint(s.serial());
        String run = "run-" + UUID.randomUUID();
        passAllBut(s, token, run, "lldp");
        assertEquals(202, client.step(s.serial(), "lldp", token, PxeCallbackClient.lldp(run,
                new String[] {"eth0", s.mac1(), s.switchName(), "Ethernet2"})).status());
        assertEquals(202, client.report(s.serial(), token,
                PxeCallbackClient.report(run, "init", "memory", "disk", "lldp")).status());
        List<JournalEntry> entries = journal(s.device().id(), 5);
        JournalEntry lldp = entries.stream().filter(e -> e.comments().contains("/lldp]")).findFirst().orElseThrow();
        assertEquals(JournalEntry.Kind.DANGER, lldp.kind(), lldp.toString());
        assertTrue(lldp.comments().contains("| eno1 | " + s.switchName() + "/Ethernet1 | " + s.switchName()
                + "/Ethernet2 | fails |"), lldp.comments());
        JournalEntry report = entries.stream().filter(e -> e.comments().contains("/report]")).findFirst().orElseThrow();
        assertEquals(JournalEntry.Kind.DANGER, report.kind());
        assertTrue(report.comments().contains("failed: lldp (fail)"), report.comments());
        assertEquals("discovered", netbox.devices().byId(s.device().id()).orElseThrow().status());
    }

    @Test
    void anInventoryThatDiffersFromNetBoxFailsTheInitStepWithATableOfTheDifferences() {
        SeededServer s = server("discovered");
        String token = client.mint(s.serial());
        String run = "run-" + UUID.randomUUID();
        String stranger = mac();
        var init = PxeCallbackClient.init(run, "WRONG-SERIAL", "Supermicro", "SYS-1029U", s.mac1(), stranger);
        assertEquals(202, client.step(s.serial(), "init", token, init).status());
        JournalEntry entry = journal(s.device().id(), 1).getFirst();
        assertEquals(JournalEntry.Kind.DANGER, entry.kind(), entry.toString());
        for (String row : List.of("| serial | " + s.serial() + " | WRONG-SERIAL | fails |",
                "| model | PowerEdge R650 | SYS-1029U | fails |",
                "| interface eno2 | " + MacAddress.of(s.mac2()).value() + " | no NIC with this MAC | fails |",
                "| NIC eth1 | no interface in NetBox | " + MacAddress.of(stranger).value() + " | fails |")) {
            assertTrue(entry.comments().contains(row), row + " in " + entry.comments());
        }
        assertTrue(entry.comments().contains("| manufacturer |"), entry.comments());
        var recorded = netbox.devices().hardware(s.device().id()).orElseThrow().localContext()
                .path("bm_pipeline").path("pxe_validation").path("steps").path("init");
        assertEquals("fail", recorded.path("verdict").asText(), recorded.toString());
    }

    @Test
    void aRerunAfterAFailureReplacesTheResultsAndStagesTheDevice() {
        SeededServer s = server("discovered");
        String first = client.mint(s.serial());
        String run1 = "run-" + UUID.randomUUID();
        passAllBut(s, first, run1, "memory");
        assertEquals(202, client.step(s.serial(), "memory", first, PxeCallbackClient.memory(run1, 0)).status());
        assertEquals(202, client.report(s.serial(), first,
                PxeCallbackClient.report(run1, "init", "disk", "lldp")).status());
        List<JournalEntry> afterFirst = journal(s.device().id(), 5);
        assertTrue(afterFirst.stream().anyMatch(e -> e.kind() == JournalEntry.Kind.DANGER
                && e.comments().contains("memtester passes")), afterFirst.toString());
        assertEquals("discovered", netbox.devices().byId(s.device().id()).orElseThrow().status());

        String second = client.mint(s.serial());
        String run2 = "run-" + UUID.randomUUID();
        passAllBut(s, second, run2, "none");
        assertEquals(202, client.report(s.serial(), second,
                PxeCallbackClient.report(run2, "init", "memory", "disk", "lldp")).status());
        Eventually.await("device staged", () -> netbox.devices().byId(s.device().id()).orElseThrow().status(),
                "staged"::equals);
        var context = netbox.devices().hardware(s.device().id()).orElseThrow().localContext()
                .path("bm_pipeline").path("pxe_validation");
        assertEquals(run2, context.path("runId").asText());
        assertEquals("pass", context.path("steps").path("memory").path("verdict").asText(), context.toString());
        assertEquals(10, journal(s.device().id(), 10).size());

        // Validated again while staged: the new run's results replace the old, the status stays.
        String third = client.mint(s.serial());
        String run3 = "run-" + UUID.randomUUID();
        passAllBut(s, third, run3, "none");
        assertEquals(202, client.report(s.serial(), third,
                PxeCallbackClient.report(run3, "init", "memory", "disk", "lldp")).status());
        List<JournalEntry> all = journal(s.device().id(), 15);
        assertTrue(all.stream().anyMatch(e -> e.comments().contains("[pxe " + run3 + "/report]")
                && e.comments().contains("status staged kept")), all.toString());
        var again = netbox.devices().hardware(s.device().id()).orElseThrow().localContext()
                .path("bm_pipeline").path("pxe_validation");
        assertEquals(run3, again.path("runId").asText());
        assertEquals("pass", again.path("result").path("verdict").asText(), again.toString());
        assertEquals("staged", netbox.devices().byId(s.device().id()).orElseThrow().status());
    }

    /** Posts every passing step of the run except {@code except}. */
    private void passAllBut(SeededServer s, String token, String run, String except) {
        String mfr = fixture.manufacturer("Dell Inc.");
        if (!except.equals("init")) {
            assertEquals(202, client.step(s.serial(), "init", token,
                    PxeCallbackClient.init(run, s.serial(), mfr, "PowerEdge R650", s.mac1(), s.mac2())).status());
        }
        if (!except.equals("memory")) {
            assertEquals(202, client.step(s.serial(), "memory", token, PxeCallbackClient.memory(run, 2)).status());
        }
        if (!except.equals("disk")) {
            assertEquals(202, client.step(s.serial(), "disk", token, PxeCallbackClient.disk(run, 500_000)).status());
        }
        if (!except.equals("lldp")) {
            assertEquals(202, client.step(s.serial(), "lldp", token, PxeCallbackClient.lldp(run,
                    new String[] {"eth0", s.mac1(), s.switchName(), "Ethernet1"})).status());
        }
    }

    @Test
    void aDeviceBecomingDiscoveredGetsACredentialThatFollowsItsStatus() {
        SeededServer s = server("discovered");
        long id = s.device().id();
        announce(id, s.serial(), "offline", "discovered");
        Eventually.await("credential minted", () -> credentials.enrolled(id), Boolean::booleanValue);
        String token = credentials.current(id, java.time.Instant.now()).orElseThrow();
        assertEquals(202, client.step(s.serial(), "memory", token, PxeCallbackClient.memory("run-e", 1)).status());

        announce(id, s.serial(), "staged", "ready");
        // As the API sees it: the enrolment its credential check finds.
        Eventually.await("status recorded", () -> ((CallbackCredentials.Verdict.Valid) credentials.verify(token))
                .enrolment().status(), "ready"::equals);
        var late = client.step(s.serial(), "disk", token, PxeCallbackClient.disk("run-e", 1));
        assertEquals(409, late.status(), late.body().toString());
        assertEquals("ready", late.body().path("deviceStatus").asText());

        var revoke = client.send(java.net.http.HttpRequest.newBuilder(URI.create(management.toString())
                .resolve("/bm/pxe/credentials/" + s.serial())).DELETE().build());
        assertEquals(200, revoke.status());
        assertEquals(401, client.step(s.serial(), "disk", token, PxeCallbackClient.disk("run-e", 1)).status());
    }

    /** What the discovery and staging routes announce when they move a device. */
    private void announce(long deviceId, String serial, String from, String to) {
        var data = PxeCallbackClient.JSON.createObjectNode().put("deviceId", deviceId).put("serial", serial)
                .put("status", from).put("newStatus", to).put("rule", "test");
        bus.publish(io.bmpipeline.events.Topics.DEVICE_STATE, io.bmpipeline.events.EventEnvelope.of(
                UUID.randomUUID().toString(), "test", io.bmpipeline.events.EventTypes.DEVICE_STATE_CHANGED, serial,
                java.time.Instant.now(), data));
    }

    @Test
    void anImageThatKnowsOnlyAMacFindsItsDeviceThroughInit() {
        SeededServer s = server("discovered");
        String run = "run-" + UUID.randomUUID();
        String body = PxeCallbackClient.init(run, s.serial(), fixture.manufacturer("Dell Inc."), "PowerEdge R650",
                s.mac1(), s.mac2()).toString();
        var byMac = client.signed("/pxe/v1/macs/" + s.mac2() + "/steps/init", SITE_SECRET, now(), body);
        assertEquals(202, byMac.status(), byMac.body().toString());
        assertEquals(s.serial(), byMac.body().path("serial").asText());
        JournalEntry entry = journal(s.device().id(), 1).getFirst();
        assertEquals(JournalEntry.Kind.SUCCESS, entry.kind(), entry.comments());
        var unknown = client.signed("/pxe/v1/macs/02:00:00:00:00:01/steps/init", SITE_SECRET, now(), body);
        assertEquals(404, unknown.status(), unknown.body().toString());
    }

    @Test
    void theDocumentDeclaresTheAnswersTheApiGivesAndNoOthers() {
        JsonNode paths = client.get("/pxe/v1/openapi.json").body().path("paths");
        Set<String> declared = Set.of("202", "400", "401", "403", "404", "409", "413", "415", "503");
        for (String path : List.of("/pxe/v1/devices/{serial}/steps/{step}", "/pxe/v1/macs/{mac}/steps/init",
                "/pxe/v1/devices/{serial}/report")) {
            JsonNode responses = paths.path(path).path("post").path("responses");
            Set<String> codes = new TreeSet<>();
            responses.fieldNames().forEachRemaining(codes::add);
            assertEquals(new TreeSet<>(declared), codes, path);
            codes.forEach(code -> assertEquals(code.equals("413") ? "" : "#/components/schemas/Answer",
                    responses.path(code).path("content").path("application/json").path("schema").path("$ref").asText(),
                    path + " " + code)); // 413 comes from the HTTP server, without a body
        }
    }

    @Test
    void answersLeaveOutTheFieldsThatDoNotApply() {
        SeededServer s = server("discovered");
        String token = client.mint(s.serial());
        String run = "run-" + UUID.randomUUID();
        var accepted = client.step(s.serial(), "memory", token, PxeCallbackClient.memory(run, 1));
        assertAnswer(202, accepted);
        assertFalse(accepted.body().has("field") || accepted.body().has("deviceStatus"), accepted.body().toString());
        var invalid = client.step(s.serial(), "memory", token, PxeCallbackClient.JSON.createObjectNode());
        assertAnswer(400, invalid);
        assertFalse(invalid.body().has("serial") || invalid.body().has("eventId") || invalid.body().has("duplicate"),
                invalid.body().toString());
        assertAnswer(401, client.step(s.serial(), "memory", "bmpxe_unknown", PxeCallbackClient.memory("r", 1)));
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedWith415AsAnAnswer() {
        URI step = path("/pxe/v1/devices/SN1/steps/memory");
        assertAnswer(415, client.send(HttpRequest.newBuilder(step).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()));
        assertAnswer(415, client.send(HttpRequest.newBuilder(step).POST(HttpRequest.BodyPublishers.noBody()).build()));
    }

    @Test
    void aBodyOverTheSizeLimitIsRefusedWith413() throws Exception {
        // HTTP/1.1, as the image's curl speaks it: the HTTP server's 413 carries "Connection: close", which an
        // HTTP/2 (h2c) client rejects as a malformed response.
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String tooLarge = "{\"runId\":\"" + "x".repeat(1024 * 1024) + "\"}";
        var answer = http11.send(HttpRequest.newBuilder(path("/pxe/v1/devices/SN1/steps/memory"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(tooLarge))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, answer.statusCode(), answer.body());
    }

    @Test
    void anAnswerIsJsonWhateverTheClientAccepts() {
        assertAnswer(401, client.send(HttpRequest.newBuilder(path("/pxe/v1/devices/SN1/report"))
                .header("Content-Type", "application/json").header("Accept", "text/html")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()));
    }

    @Test
    void anOperatorsOwnStepIsRecordedWithItsFigures() {
        SeededServer s = server("discovered");
        String token = client.mint(s.serial());
        var burnIn = PxeCallbackClient.result("run-own", "pass", "stress-ng");
        burnIn.putObject("figures").put("minutes", 30).put("maxCpuCelsius", 81.5).putObject("fans").put("rpm", 9000);
        var answer = client.step(s.serial(), "burn-in", token, burnIn);
        assertEquals(202, answer.status(), answer.body().toString());
        JournalEntry entry = journal(s.device().id(), 1).getFirst();
        assertEquals(JournalEntry.Kind.SUCCESS, entry.kind(), entry.comments());
        assertTrue(entry.comments().contains("**burn-in**: pass"), entry.comments());
        var recorded = netbox.devices().hardware(s.device().id()).orElseThrow().localContext()
                .path("bm_pipeline").path("pxe_validation").path("steps").path("burn-in");
        assertEquals(81.5, recorded.path("figures").path("maxCpuCelsius").asDouble(), recorded.toString());
        assertEquals(9000, recorded.path("figures").path("fans").path("rpm").asInt(), recorded.toString());
    }
}
