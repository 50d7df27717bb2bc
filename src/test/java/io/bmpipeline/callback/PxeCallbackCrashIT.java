package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.H2EventBus;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.PackagedService;
import io.bmpipeline.testbed.TcpForwarder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged service is SIGKILLed right after it answered 202 to a validation run's report, while it is in the
 * middle of applying the run: NetBox did the first step's write and the service never heard it did. Started again
 * on the same data directory, it applies the whole run once: staged, one journal entry per step and one for the
 * report, the figures in the local config context, the change announced once. The run's credential still works
 * after the restart, and it is nowhere but with the caller: not in a log line of either process, not in the data
 * directory, not in NetBox. The service reaches NetBox through a forwarder the test controls.
 */
class PxeCallbackCrashIT {

    private static final List<String> STEPS = List.of("init", "memory", "disk", "lldp");

    @Test
    void sigkillAfterTheReportsAcceptanceThenRestartAppliesTheRunOnce() throws Exception {
        LiveNetBox live = LiveNetBox.get();
        NetBoxClient netbox = live.client(live.tokenV1());
        Path work = Files.createTempDirectory("bm-pxe-crash");
        Path data = work.resolve("data");
        int httpPort = PackagedService.freePort();
        int managementPort = PackagedService.freePort();
        PxeCallbackClient client = new PxeCallbackClient(URI.create("http://127.0.0.1:" + httpPort + "/"),
                URI.create("http://127.0.0.1:" + managementPort + "/"));
        try (NetBoxFixture fixture = new NetBoxFixture(netbox);
             TcpForwarder forwarder = new TcpForwarder(new InetSocketAddress(live.url().getHost(), live.url().getPort()))) {
            forwarder.up();
            Map<String, String> env = Map.of("BM_NETBOX_URL", "http://127.0.0.1:" + forwarder.port() + "/");
            SeededServer s = SeededServer.seed(fixture, "discovered");
            String run = "run-" + UUID.randomUUID();
            var steps = s.passingSteps(run);
            ObjectNode reportBody = PxeCallbackClient.report(run, STEPS.toArray(String[]::new));

            Process first = PackagedService.start(live, data, work.resolve("first.log"), httpPort, managementPort, env);
            String token;
            try {
                client.awaitUp(first);
                token = client.mint(s.serial());
                // The first device write of the run (init's figures into the local context) reaches NetBox; its answer
                // never comes back: the service is mid-request, the write done and not acknowledged, at the kill.
                forwarder.withholdAnswerTo("PATCH /api/dcim/devices/");
                for (var step : steps.entrySet()) {
                    var answer = client.step(s.serial(), step.getKey(), token, step.getValue());
                    assertEquals(202, answer.status(), step.getKey() + ": " + answer.body());
                }
                Eventually.await("init's context write sent to NetBox", forwarder::withheld, n -> n == 1);
                var report = client.report(s.serial(), token, reportBody);
                assertEquals(202, report.status(), report.body().toString());
            } finally {
                first.destroyForcibly();   // SIGKILL: no shutdown hook, no flush
                first.waitFor(30, TimeUnit.SECONDS);
            }
            assertEquals("discovered", netbox.devices().byId(s.id()).orElseThrow().status(), "not staged before the kill");
            assertEquals(List.of(), netbox.journal().entries(s.id()), "nothing journaled before the kill");

            Process second = PackagedService.start(live, data, work.resolve("second.log"), httpPort, managementPort, env);
            try {
                Eventually.await("the run applied", Duration.ofMinutes(3),
                        () -> netbox.devices().byId(s.id()).orElseThrow().status(), "staged"::equals);
                client.awaitUp(second);
                // The credential survived the restart: the image retrying its report (or a step) is told it was taken.
                var again = client.report(s.serial(), token, reportBody);
                assertEquals(202, again.status(), "the run's credential after the restart: " + again.body());
                assertTrue(again.body().path("duplicate").asBoolean(), again.body().toString());
                var step = client.step(s.serial(), "memory", token, steps.get("memory"));
                assertEquals(202, step.status(), "a step with the credential after the restart: " + step.body());
                assertTrue(step.body().path("duplicate").asBoolean(), step.body().toString());
                Eventually.await("the report's journal entry", () -> netbox.journal().entries(s.id()),
                        entries -> entries.size() >= STEPS.size() + 1);
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }

            List<JournalEntry> journal = netbox.journal().entries(s.id());
            for (String name : STEPS) {
                assertEquals(1, count(journal, SeededServer.marker(run, name)), name + ": " + journal);
            }
            assertEquals(1, count(journal, SeededServer.marker(run, "report")), "one report entry: " + journal);
            assertEquals(STEPS.size() + 1, journal.size(), journal.toString());

            JsonNode context = netbox.devices().hardware(s.id()).orElseThrow().localContext();
            JsonNode validation = context.path(ValidationRecorder.CONTEXT_KEY).path(ValidationRecorder.VALIDATION_KEY);
            assertEquals(run, validation.path("runId").asText(), validation.toString());
            assertEquals(16, validation.path("steps").path("memory").path("memory").path("testedMiB").asInt(),
                    validation.toString());
            assertEquals(500000.0, validation.path("steps").path("disk").path("disk").path("jobs").path(0)
                    .path("bandwidthKiBps").asDouble(), validation.toString());
            for (String name : STEPS) {
                assertEquals("pass", validation.path("steps").path(name).path("verdict").asText(), name + ": " + validation);
            }
            assertEquals("pass", validation.path("result").path("verdict").asText(), validation.toString());

            List<EventEnvelope> staged = new ArrayList<>();
            H2EventBus.replayStopped(data.resolve("bus"), Topics.DEVICE_STATE, EventTypes.DEVICE_STATE_CHANGED, e -> {
                if (e.envelope().data().path("deviceId").asLong() == s.id()) {
                    staged.add(e.envelope());
                }
            });
            assertEquals(1, staged.size(), "the change to staged announced once: " + staged);
            assertEquals("staged", staged.getFirst().data().path("newStatus").asText(), staged.toString());

            // No secret ever sits in NetBox or in a log line: the credential is with the caller only.
            for (String log : List.of("first.log", "second.log")) {
                String text = Files.readString(work.resolve(log), StandardCharsets.UTF_8);
                assertTrue(text.contains("PXE "), log + " is the service's log");
                assertFalse(text.contains(token), "the credential in " + log);
            }
            assertEquals(List.of(), filesHolding(data, token), "files of the data directory holding the credential");
            assertFalse(context.toString().contains(token), "the credential in the local config context");
            assertFalse(journal.stream().anyMatch(e -> e.comments().contains(token)), "the credential in the journal");
        }
    }

    private static long count(List<JournalEntry> journal, String marker) {
        return journal.stream().filter(e -> e.comments().contains(marker)).count();
    }

    private static List<Path> filesHolding(Path dir, String secret) throws IOException {
        byte[] needle = secret.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                try {
                    return indexOf(Files.readAllBytes(f), needle) >= 0;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
