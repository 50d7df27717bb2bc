package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.PackagedService;
import io.bmpipeline.testbed.Tmpfs;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bus really cannot store a result: the packaged service keeps its bus on a small tmpfs the test fills. A step
 * posted then is refused with 503, Retry-After and the API's Answer body — never a 202 for a result that is not on
 * disk — at one log line per refused post and no stack trace. Once there is space again, the same post, retried as
 * the image retries it, is accepted and applied, without restarting the service.
 */
class PxeCallbackDiskFullIT {

    private static final int RETRY_AFTER_SECONDS = 1;

    @Test
    void aResultTheBusCannotStoreIs503WithRetryAfterAndAcceptedOnceThereIsSpace() throws Exception {
        Path work = Files.createTempDirectory("bm-pxe-full");
        try (Tmpfs small = Tmpfs.mount(work.resolve("bus-fs"), "8m")) {
            LiveNetBox live = LiveNetBox.get();
            NetBoxClient netbox = live.client(live.tokenV1());
            Path log = work.resolve("service.log");
            int httpPort = PackagedService.freePort();
            int managementPort = PackagedService.freePort();
            PxeCallbackClient client = new PxeCallbackClient(URI.create("http://127.0.0.1:" + httpPort + "/"),
                    URI.create("http://127.0.0.1:" + managementPort + "/"));
            Process service = null;
            try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
                SeededServer s = SeededServer.seed(fixture, "discovered");
                String run = "run-" + UUID.randomUUID();
                var steps = s.passingSteps(run);
                service = PackagedService.start(live, work.resolve("data"), log, httpPort, managementPort, Map.of(
                        "BM_BUS_PATH", small.dir().resolve("bus").toString(),
                        "BM_PXE_RETRY_AFTER_SECONDS", Integer.toString(RETRY_AFTER_SECONDS)));
                client.awaitUp(service);
                String token = client.mint(s.serial());
                var init = client.step(s.serial(), "init", token, steps.get("init"));
                assertEquals(202, init.status(), init.body().toString());
                Eventually.await("init applied", () -> netbox.journal().entries(s.id()), entries -> entries.size() == 1);

                long logBefore = Files.size(log);
                small.fill();
                int refused = 0;
                for (int i = 0; i < 2; i++) {
                    var answer = client.step(s.serial(), "memory", token, steps.get("memory"));
                    assertEquals(503, answer.status(), "the bus cannot store: " + answer.body());
                    assertEquals(List.of(Integer.toString(RETRY_AFTER_SECONDS)), answer.headers().allValues("Retry-After"));
                    assertEquals("application/json", answer.headers().firstValue("Content-Type").orElse(""));
                    assertEquals(503, answer.body().path("status").asInt(), answer.body().toString());
                    assertFalse(answer.body().path("message").asText().isBlank(), answer.body().toString());
                    assertFalse(answer.body().has("eventId"), "nothing was stored: " + answer.body());
                    refused++;
                }

                small.free();
                // The image: the same post again after Retry-After, until it is taken.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                PxeCallbackClient.Answer taken;
                while (true) {
                    taken = client.step(s.serial(), "memory", token, steps.get("memory"));
                    if (taken.status() != 503 || System.nanoTime() > deadline) {
                        break;
                    }
                    refused++;
                    Thread.sleep(Duration.ofSeconds(Long.parseLong(taken.headers().firstValue("Retry-After").orElseThrow())));
                }
                assertEquals(202, taken.status(), "once there is space again: " + taken.body());
                // The journal entry is a step's last write.
                var journal = Eventually.await("memory applied", () -> netbox.journal().entries(s.id()),
                        entries -> entries.stream().anyMatch(e -> e.comments().contains(SeededServer.marker(run, "memory"))));
                assertEquals("pass", netbox.devices().hardware(s.id()).orElseThrow().localContext()
                        .path(ValidationRecorder.CONTEXT_KEY).path(ValidationRecorder.VALIDATION_KEY).path("steps")
                        .path("memory").path("verdict").asText());
                // Acknowledgements the full disk undid are deliveries again: applied once all the same.
                for (String step : List.of("init", "memory")) {
                    assertEquals(1, journal.stream().filter(e -> e.comments().contains(SeededServer.marker(run, step)))
                            .count(), step + ": " + journal);
                }
                assertEquals(2, journal.size(), journal.toString());

                // While the bus could not store: a line per refused post, the bus's own few, no stack trace.
                List<String> lines = linesFrom(log, logBefore);
                long refusedLines = lines.stream().filter(l -> l.contains("answered 503")).count();
                assertEquals(refused, refusedLines, "one line per refused post: " + String.join("\n", lines));
                List<String> traces = lines.stream().filter(l -> l.startsWith("Caused by: ")
                        || l.matches("^\\s+at [\\w.$]+\\(.*")).toList();
                assertEquals(List.of(), traces, "stack traces in the log: " + String.join("\n", lines));
                assertTrue(lines.size() <= refused + 8, "log lines while the bus was full: " + String.join("\n", lines));
            } finally {
                if (service != null) {
                    service.destroyForcibly();
                    service.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static List<String> linesFrom(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8).lines().toList();
    }
}
