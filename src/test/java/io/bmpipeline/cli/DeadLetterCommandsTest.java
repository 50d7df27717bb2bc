package io.bmpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.Topics;
import io.bmpipeline.management.DeadLetters;
import io.bmpipeline.management.ServiceClient;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code events dead-letters} and {@code events redrive} against the running service: a lease event discovery cannot
 * read goes to the dead letters through the real route; the command lists it, redrives it, and the service tries it
 * again (attempt 2), through its management port on loopback, without a token.
 */
@QuarkusTest
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class DeadLetterCommandsTest {

    @Inject
    EventBus bus;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private ServiceClient service() {
        return new ServiceClient(URI.create(management.toString()).resolve("/"), Optional.empty(),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private record Run(int exit, String out) {}

    private static Run run(Callable<Integer> command, String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(command).execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void aDeadLetterIsListedRedrivenAndTriedAgain() {
        String id = "unreadable-lease-" + UUID.randomUUID();
        var data = new ObjectMapper().createObjectNode().put("mac", "not-a-mac").put("ip", "10.0.0.1");
        bus.publish(Topics.DHCP_EVENTS, EventEnvelope.of(id, "test", EventTypes.DHCP_LEASE_OBSERVED, "not-a-mac",
                Instant.now(), data));

        var list = new EventsDeadLettersCommand(this::service);
        Run listed = Eventually.await("the letter listed", () -> run(list), r -> r.out().contains(id));
        assertEquals(1, listed.exit(), listed.out());
        assertTrue(listed.out().contains("data.mac is not a MAC"), listed.out());
        assertTrue(listed.out().contains("group discovery"), listed.out());

        Run redriven = run(new EventsRedriveCommand(this::service), id);
        assertEquals(0, redriven.exit(), redriven.out());
        assertTrue(redriven.out().contains("Redriven: event " + id + " on " + Topics.DHCP_EVENTS + " for group discovery.\n"),
                redriven.out());

        // Still unreadable: tried again (attempt 2), and back among the dead letters.
        DeadLetters.Letter again = Eventually.await("tried again", () -> {
            // The service under test logs to the same stdout in this JVM: the JSON is the line that is an array.
            String json = run(list, "--json").out().lines().filter(l -> l.startsWith("[")).findFirst().orElse("[]");
            return DeadLetters.fromJson(json).stream().filter(l -> l.eventId().equals(id)).findFirst();
        }, l -> l.isPresent() && l.get().attempts() >= 2).orElseThrow();
        assertEquals("discovery", again.group());

        Run none = run(new EventsRedriveCommand(this::service), "no-such-event");
        assertEquals(1, none.exit());
        assertTrue(none.out().contains("No dead letter of event no-such-event.\n"), none.out());
    }

    @Test
    void aServiceThatIsNotRunningIsSaidSoWithExit2() {
        var stopped = new EventsDeadLettersCommand(() -> new ServiceClient(URI.create("http://127.0.0.1:1/"),
                Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        assertEquals(2, new CommandLine(stopped).execute());
    }
}
