package io.bmpipeline.reconcile;

import io.bmpipeline.events.EventBusException;
import io.bmpipeline.events.H2EventBus;
import io.bmpipeline.management.ServiceClient;
import java.net.URI;
import java.nio.file.Path;
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

    private final ServiceClient service;
    private final Path store;

    /** {@code service} asks the service's management interface; {@code store} is its {@code bm.bus.path}. */
    public UnexpectedLeaseSource(ServiceClient service, Path store) {
        this.service = service;
        this.store = store;
    }

    public Answer read() throws Unavailable {
        URI endpoint = service.resolve(UnexpectedLeaseEndpoint.PATH);
        String body;
        try {
            body = service.get(UnexpectedLeaseEndpoint.PATH);
        } catch (ServiceClient.NotRunning refused) {
            return fromStoppedService(endpoint);
        } catch (ServiceClient.Failed e) {
            throw new Unavailable(e.getMessage(), e);
        }
        try {
            return new Answer(UnexpectedLeases.fromJson(body), "the service at " + service.base());
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
                + " (the service is not running at " + service.base() + ")");
    }
}
