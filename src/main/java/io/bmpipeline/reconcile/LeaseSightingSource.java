package io.bmpipeline.reconcile;

import io.bmpipeline.management.ServiceClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where {@code manifest reconcile} gets the lease sightings from. One process at a time may hold their file, so:
 * the running service is asked ({@link LeaseSightingEndpoint}); only when nothing answers at its address (connection
 * refused: the service is stopped) is the file read directly, read-only. Any other failure is reported, never
 * guessed around: a service that answers badly, or a file that is in use although the service did not answer (it
 * listens elsewhere, or is starting), stops the command.
 */
public final class LeaseSightingSource {

    /** The sightings, and a phrase saying where they came from, for the report. */
    public record Answer(List<LeaseSighting> sightings, String from) {}

    /** The sightings could not be had; the message says from where and why. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ServiceClient service;
    private final Path store;

    /** {@code service} asks the service's management interface; {@code store} is its {@code bm.lease-sightings.path}. */
    public LeaseSightingSource(ServiceClient service, Path store) {
        this.service = service;
        this.store = store;
    }

    public Answer read() throws Unavailable {
        URI endpoint = service.resolve(LeaseSightingEndpoint.PATH);
        String body;
        try {
            body = service.get(LeaseSightingEndpoint.PATH);
        } catch (ServiceClient.NotRunning refused) {
            return fromStoppedService(endpoint);
        } catch (ServiceClient.Failed e) {
            throw new Unavailable(e.getMessage(), e);
        }
        try {
            return new Answer(LeaseSightings.fromJson(body), "the service at " + service.base());
        } catch (IllegalArgumentException e) {
            throw new Unavailable(endpoint + " answered something else than lease sightings: " + e.getMessage(), e);
        }
    }

    private Answer fromStoppedService(URI endpoint) throws Unavailable {
        try {
            return new Answer(LeaseSightings.readStopped(store), "the lease sightings "
                    + Path.of(store + LeaseSightings.SUFFIX).toAbsolutePath().normalize()
                    + " (the service is not running at " + service.base() + ")");
        } catch (LeaseSightings.Unreadable e) {
            throw new Unavailable("the service is not answering at " + endpoint + ", and its lease sightings' "
                    + e.getMessage() + " (bm.lease-sightings.path)", e);
        }
    }
}
