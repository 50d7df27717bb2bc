package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.ForwardedNetBox;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.LogCount;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * NetBox goes away while a validation run ends: the report is accepted (202) while NetBox is unreachable, waits on
 * the bus, and is applied once NetBox is back — and NetBox stops again in the middle of applying it, right after it
 * changed the status and before the service heard it did. The device ends staged with its figures, one journal
 * entry per step and one for the report, its change announced once, and the outage costs a few log lines without a
 * stack trace. The service reaches the real NetBox through a forwarder the test cuts.
 */
@QuarkusTest
@TestProfile(ForwardedNetBox.QuickRetries.class)
class PxeCallbackOutageTest {

    private static final List<String> STEPS = List.of("init", "memory", "disk", "lldp");

    @TestHTTPResource("/")
    URL api;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    EventBus bus;

    @Test
    void aReportPostedWhileNetBoxIsDownIsAcceptedAndAppliedOnceWhenItReturns() throws Exception {
        NetBoxClient netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        PxeCallbackClient client = new PxeCallbackClient(api.toURI(), management.toURI());
        var forwarder = ForwardedNetBox.forwarder();
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            SeededServer s = SeededServer.seed(fixture, "discovered");
            String token = client.mint(s.serial());
            String run = "run-" + UUID.randomUUID();
            s.passingSteps(run).forEach((step, body) -> {
                var answer = client.step(s.serial(), step, token, body);
                assertEquals(202, answer.status(), step + ": " + answer.body());
            });
            Eventually.await("the four steps in the journal", () -> netbox.journal().entries(s.id()),
                    entries -> entries.size() == STEPS.size());
            Eventually.await("the steps acknowledged", this::pendingPxeEvents, pending -> pending == 0);

            LogCount logged = LogCount.start();
            try {
                forwarder.down();
                var report = client.report(s.serial(), token, PxeCallbackClient.report(run, STEPS.toArray(String[]::new)));
                assertEquals(202, report.status(), "accepted while NetBox is down: " + report.body());
                assertFalse(report.body().path("duplicate").asBoolean(), report.body().toString());
                Thread.sleep(3000);
                assertEquals("discovered", netbox.devices().byId(s.id()).orElseThrow().status(),
                        "nothing can be applied while NetBox is unreachable");
                assertEquals(1, pendingPxeEvents(), "the report waits on the bus");

                // Back, until NetBox has made the device staged: that answer never reaches the service, and NetBox
                // goes away again with the request open.
                forwarder.withholdAnswerTo("PATCH /api/dcim/devices/");
                forwarder.up();
                Eventually.await("the status write sent", forwarder::withheld, n -> n == 1);
                Eventually.await("NetBox made the device staged", () -> netbox.devices().byId(s.id()).orElseThrow()
                        .status(), "staged"::equals);
                forwarder.down();
                Thread.sleep(2000);
                forwarder.up();

                Eventually.await("the report applied and acknowledged", this::pendingPxeEvents, pending -> pending == 0);
                Eventually.await("the outage over in the log", () -> logged.linesContaining("events pass again"),
                        n -> n >= 1);
                Thread.sleep(500);
            } finally {
                logged.stop();
                forwarder.up();
            }

            assertEquals("staged", netbox.devices().byId(s.id()).orElseThrow().status());
            List<JournalEntry> journal = netbox.journal().entries(s.id());
            for (String step : STEPS) {
                assertEquals(1, count(journal, SeededServer.marker(run, step)), step + ": " + journal);
            }
            assertEquals(1, count(journal, SeededServer.marker(run, "report")), "one report entry: " + journal);
            assertEquals(STEPS.size() + 1, journal.size(), journal.toString());

            JsonNode validation = netbox.devices().hardware(s.id()).orElseThrow().localContext()
                    .path(ValidationRecorder.CONTEXT_KEY).path(ValidationRecorder.VALIDATION_KEY);
            assertEquals(run, validation.path("runId").asText(), validation.toString());
            for (String step : STEPS) {
                assertEquals("pass", validation.path("steps").path(step).path("verdict").asText(), step + ": " + validation);
            }
            assertEquals("pass", validation.path("result").path("verdict").asText(), "the report's result: " + validation);

            List<EventEnvelope> staged = new ArrayList<>();
            bus.replay(Topics.DEVICE_STATE, EventTypes.DEVICE_STATE_CHANGED, e -> {
                if (e.envelope().data().path("deviceId").asLong() == s.id()) {
                    staged.add(e.envelope());
                }
            });
            assertEquals(1, staged.size(), "the change to staged announced once: " + staged);
            assertEquals("staged", staged.getFirst().data().path("newStatus").asText(), staged.toString());

            // One line when the failures started and one when they ended (none a minute between in so short an
            // outage), the breaker's opening and closing (twice at most: NetBox went away twice), and the report's
            // decision; nothing per attempt, no stack trace.
            assertEquals(0, logged.withStackTrace(), "stack traces during the outage: " + logged);
            assertTrue(logged.linesContaining("events failing") >= 1, "the outage was said: " + logged);
            assertEquals(1, logged.lines(ValidationRecorder.class, "PXE report of"), "the report's decision, once: " + logged);
            assertTrue(logged.lines() <= 10, "log lines during the outage: " + logged);
        }
    }

    private long pendingPxeEvents() {
        return bus.subscriptions().stream()
                .filter(sub -> sub.topic().equals(Topics.PXE_EVENTS) && sub.group().equals("pxe-validation"))
                .findFirst().orElseThrow().status().pending();
    }

    private static long count(List<JournalEntry> journal, String marker) {
        return journal.stream().filter(e -> e.comments().contains(marker)).count();
    }
}
