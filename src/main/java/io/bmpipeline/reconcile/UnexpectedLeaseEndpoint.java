package io.bmpipeline.reconcile;

import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventBusException;
import io.quarkus.vertx.http.ManagementInterface;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * {@code GET /bm/unexpected-leases} on the management port: the running service's answer to "which MACs leased that
 * NetBox did not expect", from its own event log. Only the service can read that log while it runs (H2 locks the
 * file), so {@code manifest reconcile} asks here. On the management port, beside health and metrics: an operator's
 * read, not for the networks the PXE callbacks come from.
 */
@ApplicationScoped
public class UnexpectedLeaseEndpoint {

    public static final String PATH = "/bm/unexpected-leases";

    private static final Logger LOG = Logger.getLogger(UnexpectedLeaseEndpoint.class);

    @Inject
    EventBus bus;

    void register(@Observes ManagementInterface management) {
        management.router().get(PATH).blockingHandler(ctx -> {
            try {
                String body = UnexpectedLeases.toJson(UnexpectedLeases.of(bus));
                ctx.response().putHeader("Content-Type", "application/json").end(body);
            } catch (EventBusException e) {
                LOG.errorf(e, "%s: the event log cannot be read", PATH);
                ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain")
                        .end("event log unreadable: " + e.getMessage());
            }
        }, false);
    }
}
