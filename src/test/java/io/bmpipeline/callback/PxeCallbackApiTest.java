package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
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
    }
}
