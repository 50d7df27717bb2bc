package io.bmpipeline.netbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retry rule, which a healthy NetBox cannot show: an HTTP server on loopback answers
 * 503/429 on cue, and the test counts what actually reached it.
 */
class NetBoxRetryTest {

    private HttpServer server;
    private final Deque<Integer> script = new ArrayDeque<>();
    private final List<String> received = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        start(0);
    }

    private void start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            synchronized (received) {
                received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            }
            int status = script.isEmpty() ? 200 : script.pop();
            byte[] body = (status == 200 ? "{\"netbox-version\":\"4.7.3\",\"id\":1,\"kind\":\"info\"}"
                    : "{\"detail\":\"busy\"}").getBytes(StandardCharsets.UTF_8);
            if (status == 429) {
                exchange.getResponseHeaders().add("Retry-After", "0");
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private NetBoxClient client(int retries) {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        return new NetBoxClient(new NetBoxClient.Settings(url, new NetBoxToken("0123456789abcdef0123456789abcdef01234567"),
                Duration.ofSeconds(2), Duration.ofSeconds(5), retries, Duration.ofMillis(5), Duration.ofMillis(20), 1000));
    }

    @Test
    void readsAreRetriedThrough5xxAnd429() {
        script.addAll(List.of(503, 429, 502));
        assertEquals("4.7.3", client(4).version().toString());
        assertEquals(4, received.size());
    }

    @Test
    void readsGiveUpAfterTheRetryBudgetNamingTheAttempts() {
        script.addAll(List.of(503, 503, 503, 503));
        var error = assertThrows(NetBoxException.Unavailable.class, () -> client(2).version());
        assertEquals(3, received.size());
        assertTrue(error.getMessage().contains("3 attempt"), error.getMessage());
    }

    @Test
    void patchIsRetriedBecauseRepeatingItChangesNothing() {
        script.addAll(List.of(503));
        client(3).devices().setStatus(1, "discovered");
        assertEquals(List.of("PATCH /api/dcim/devices/1/", "PATCH /api/dcim/devices/1/"), received);
    }

    @Test
    void createIsNotRetriedAfterA5xxBecauseItMayHaveHappened() {
        script.addAll(List.of(502));
        var error = assertThrows(NetBoxException.Unavailable.class,
                () -> client(3).journal().write(1, JournalEntry.Kind.INFO, "hello"));
        assertEquals(1, received.size());
        assertTrue(error.getMessage().contains("not retried"), error.getMessage());
    }

    @Test
    void createIsRetriedWhenTheConnectionWasRefused() throws Exception {
        int port = server.getAddress().getPort();
        NetBoxClient client = client(40);
        server.stop(0);
        Thread restart = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(150);
                start(port);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        client.journal().write(1, JournalEntry.Kind.INFO, "hello");
        restart.join();
        assertEquals(List.of("POST /api/extras/journal-entries/"), received);
    }

    @Test
    void whenMostRecentCallsFailedCallsPauseWithoutReachingNetBoxThenAProbeGoesOut() throws Exception {
        NetBoxClient netbox = client(0);
        for (int i = 0; i < NetBoxBreaker.WINDOW; i++) {
            script.add(503);
            assertThrows(NetBoxException.Unavailable.class, netbox::version);
        }
        int reached = received.size();
        assertEquals(NetBoxBreaker.WINDOW, reached);

        var paused = assertThrows(NetBoxException.Unavailable.class, netbox::version);
        assertTrue(paused.getMessage().contains("circuit open"), paused.getMessage());
        assertEquals(reached, received.size(), "an open breaker sends nothing");
        // Another client of the same NetBox shares the breaker.
        assertThrows(NetBoxException.Unavailable.class, () -> client(3).version());
        assertEquals(reached, received.size());

        Thread.sleep(NetBoxBreaker.OPEN_FOR.plusMillis(200));
        assertEquals("4.7.3", netbox.version().toString(), "after the pause a probe goes out, and passes");
        assertEquals(reached + 1, received.size());
    }

    @Test
    void answersThatAreNotUnavailabilityNeverOpenTheBreaker() {
        NetBoxClient netbox = client(0);
        for (int i = 0; i < NetBoxBreaker.WINDOW * 2; i++) {
            script.add(404);
            assertThrows(NetBoxException.NotFound.class, netbox::version);
        }
        assertEquals("4.7.3", netbox.version().toString());
    }
}
