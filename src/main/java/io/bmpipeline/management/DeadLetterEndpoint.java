package io.bmpipeline.management;

import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventBusException;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * On the management interface, behind {@link ManagementAccess}: {@code GET /bm/dead-letters} lists every consumer
 * group's dead letters; {@code POST /bm/dead-letters/redrive?event=ID[&group=GROUP]} puts an event's letters back in
 * line (404 when it has none). What {@code bm-pipeline events dead-letters} and {@code events redrive} call.
 */
@ApplicationScoped
public class DeadLetterEndpoint {

    public static final String PATH = "/bm/dead-letters";
    public static final String REDRIVE_PATH = PATH + "/redrive";

    private static final Logger LOG = Logger.getLogger(DeadLetterEndpoint.class);

    @Inject
    EventBus bus;

    void register(@Observes ManagementInterface management) {
        management.router().get(PATH).blockingHandler(ctx -> answer(ctx, () -> {
            ctx.response().putHeader("Content-Type", "application/json").end(DeadLetters.toJson(DeadLetters.all(bus)));
        }), false);
        management.router().post(REDRIVE_PATH).blockingHandler(ctx -> answer(ctx, () -> {
            String event = ctx.request().getParam("event");
            if (event == null || event.isBlank()) {
                ctx.response().setStatusCode(400).putHeader("Content-Type", "text/plain").end("event=ID is required\n");
                return;
            }
            Optional<String> group = Optional.ofNullable(ctx.request().getParam("group")).filter(g -> !g.isBlank());
            List<DeadLetters.Redriven> redriven = DeadLetters.redrive(bus, event, group);
            if (redriven.isEmpty()) {
                ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
                        .end("no dead letter of event " + event + group.map(g -> " in group " + g).orElse("") + "\n");
                return;
            }
            redriven.forEach(r -> LOG.infof("redriven: event %s on %s for group %s (#%d), by an operator", event,
                    r.topic(), r.group(), r.sequence()));
            ctx.response().putHeader("Content-Type", "application/json").end(DeadLetters.redrivenJson(redriven));
        }), false);
    }

    private static void answer(RoutingContext ctx, Runnable handler) {
        try {
            handler.run();
        } catch (EventBusException e) {
            LOG.errorf("%s: the event store cannot be read: %s", ctx.request().path(), e.getMessage());
            ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain")
                    .end("event store unreadable: " + e.getMessage() + "\n");
        }
    }
}
