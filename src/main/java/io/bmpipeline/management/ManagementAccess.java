package io.bmpipeline.management;

import io.bmpipeline.config.PipelineConfig;
import io.quarkus.vertx.http.ManagementInterface;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Who may use the operator's endpoints ({@code /bm/*}: the lease inventory, dead letters) on the management
 * interface. Health and metrics stay open to probes and scrapers. With {@code bm.management.token-file} set, every
 * {@code /bm/*} request must carry the token; without it, {@code /bm/*} answers only when the interface listens on
 * loopback (the default), and is refused, saying why, when it listens anywhere else.
 */
@ApplicationScoped
public class ManagementAccess {

    public static final String PATHS = "/bm/*";

    private static final Logger LOG = Logger.getLogger(ManagementAccess.class);

    @Inject
    PipelineConfig config;

    /** Unset counts as all addresses (what Quarkus binds in production without it): never open by omission. */
    @ConfigProperty(name = "quarkus.management.host", defaultValue = "0.0.0.0")
    String host;

    void guard(@Observes @Priority(1) ManagementInterface management) {
        Optional<ManagementToken> token = ManagementToken.read(config.management().tokenFile());
        boolean loopback = isLoopback(host);
        if (token.isEmpty() && !loopback) {
            LOG.warnf("management interface on %s without %s: /bm/* refuses every request (health and metrics answer)",
                    host, ManagementToken.KEY);
        }
        management.router().route(PATHS).order(-1000).handler(ctx -> {
            if (token.isPresent()) {
                if (token.get().authorizes(ctx.request().getHeader("Authorization"))) {
                    ctx.next();
                } else {
                    ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
                            .putHeader("Content-Type", "text/plain")
                            .end("/bm/* needs the token of " + ManagementToken.KEY + " (Authorization: Bearer)\n");
                }
            } else if (loopback) {
                ctx.next();
            } else {
                ctx.response().setStatusCode(403).putHeader("Content-Type", "text/plain")
                        .end("/bm/* is refused: the management interface listens on " + host + " and "
                                + ManagementToken.KEY + " is not set\n");
            }
        });
    }

    /** Whether {@code host} names only loopback addresses; an unresolvable name is not. */
    static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
