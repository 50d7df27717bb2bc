package io.bmpipeline.reconcile;

import io.bmpipeline.events.EventBusException;
import io.bmpipeline.events.H2EventBus;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where {@code manifest reconcile} gets the unexpected leases from. They exist only in the service's event log,
 * and H2 lets one process at a time have that file, so: the running service is asked
 * ({@link UnexpectedLeaseEndpoint}); only when nothing answers at its address (connection refused: the service is
 * stopped) is the store read directly, read-only. Any other failure is reported, never guessed around: a service
 * that answers badly, or a store that is in use although the service did not answer (it listens elsewhere, or is
 * starting), stops the command.
 */
public final class UnexpectedLeaseSource {

    /** The leases, and a phrase saying where they came from, for the report. */
    public record Answer(List<UnexpectedLease> leases, String from) {}

    /** The leases could not be had; the message says from where and why. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final URI service;
    private final Path store;
    private final HttpClient http;
    private final Duration requestTimeout;

    /** {@code service} is the service's management base URL; {@code store} its {@code bm.bus.path}. */
    public UnexpectedLeaseSource(URI service, Path store, Duration connectTimeout, Duration requestTimeout) {
        String base = service.toString();
        this.service = URI.create(base.endsWith("/") ? base : base + "/");
        this.store = store;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public Answer read() throws Unavailable {
        URI endpoint = service.resolve(UnexpectedLeaseEndpoint.PATH.substring(1));
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(endpoint).timeout(requestTimeout)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException refused) {
            return fromStoppedService(endpoint);
        } catch (IOException e) {
            throw new Unavailable("the service at " + service + " did not answer " + endpoint + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while asking " + endpoint, e);
        }
        if (response.statusCode() != 200) {
            throw new Unavailable(endpoint + " answered HTTP " + response.statusCode() + ": " + response.body(), null);
        }
        try {
            return new Answer(UnexpectedLeases.fromJson(response.body()), "the service at " + service);
        } catch (IllegalArgumentException e) {
            throw new Unavailable(endpoint + " answered something else than unexpected leases: " + e.getMessage(), e);
        }
    }

    private Answer fromStoppedService(URI endpoint) throws Unavailable {
        UnexpectedLeases fold = new UnexpectedLeases();
        try {
            H2EventBus.replayStopped(store, UnexpectedLeases.TOPIC, UnexpectedLeases.TYPE, fold);
        } catch (EventBusException e) {
            throw new Unavailable("the service is not answering at " + endpoint + ", and its " + e.getMessage()
                    + " (bm.bus.path)", e);
        }
        return new Answer(fold.leases(), "the event store " + store.toAbsolutePath().normalize()
                + " (the service is not running at " + service + ")");
    }
}
