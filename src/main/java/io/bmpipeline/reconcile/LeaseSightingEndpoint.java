package io.bmpipeline.reconcile;

import io.quarkus.vertx.http.ManagementInterface;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/**
 * {@code GET /bm/lease-sightings} on the management port: the running service's answer to "which MACs leased, and
 * what did discovery decide", from its {@link LeaseSightings}. Only the service can read that file while it runs,
 * so {@code manifest reconcile} asks here. On the management port, beside health and metrics: an operator's read,
 * not for the networks the PXE callbacks come from.
 */
@ApplicationScoped
public class LeaseSightingEndpoint {

    public static final String PATH = "/bm/lease-sightings";

    @Inject
    @Named("leaseSightings")
    LeaseSightings sightings;

    void register(@Observes ManagementInterface management) {
        management.router().get(PATH).blockingHandler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(LeaseSightings.toJson(sightings.all())), false);
    }
}
