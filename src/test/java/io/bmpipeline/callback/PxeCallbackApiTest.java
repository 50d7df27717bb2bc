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

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private NetBoxClient netbox;
    private NetBoxFixture fixture;
    private PxeCallbackClient client;
    private int macs;

    /** A server as the image will see it: eno1/eno2 with MACs, a BMC port, eno1 cabled to a switch's port. */
    record Server(NetBoxFixture.SeededDevice device, String serial, String mac1, String mac2, String switchName) {}

    @BeforeEach
    void seed() throws Exception {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        fixture = new NetBoxFixture(netbox);
        client = new PxeCallbackClient(api.toURI(), management.toURI());
    }

    @AfterEach
    void clean() {
        fixture.close();
    }

    private String mac() {
        int h = fixture.tag().hashCode();
        return String.format("52:54:00:%02x:%02x:%02x", (h >>> 8) & 0xff, h & 0xff, ++macs);
    }

    private Server server(String status) {
        String serial = fixture.serial(UUID.randomUUID().toString().substring(0, 6));
        var device = fixture.deviceWithType("Dell Inc.", "PowerEdge R650", serial, status, "eno1", "eno2", "bmc");
        String mac1 = mac();
        String mac2 = mac();
        netbox.interfaces().setMac(device.iface("eno1"), MacAddress.of(mac1));
        netbox.interfaces().setMac(device.iface("eno2"), MacAddress.of(mac2));
        fixture.mgmtOnly(device.iface("bmc"));
        var tor = fixture.deviceOfRole("switch", fixture.serial("SW" + macs), "active", "Ethernet1", "Ethernet2");
        fixture.cable(device.iface("eno1"), tor.iface("Ethernet1"));
        return new Server(device, serial, mac1, mac2, tor.device().name().orElseThrow());
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
        Server s = server("discovered");
        String token = client.mint(s.serial());
        String run = "run-" + UUID.randomUUID();
        String mfr = fixture.manufacturer("Dell Inc.");
        assertEquals(202, client.step(s.serial(), "init", token,
                PxeCallbackClient.init(run, s.serial(), mfr, "PowerEdge R650", s.mac1(), s.mac2())).status());
        assertEquals(202, client.step(s.serial(), "memory", token, PxeCallbackClient.memory(run, 1)).status());
        assertEquals(202, client.step(s.serial(), "disk", token, PxeCallbackClient.disk(run, 500_000)).status());
        var lldp = client.step(s.serial(), "lldp", token, PxeCallbackClient.lldp(run,
                new String[] {"eth0", s.mac1(), s.switchName(), "Ethernet1"}));
        assertEquals(202, lldp.status(), lldp.body().toString());
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
        Server s = server("discovered");
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
}
