package io.bmpipeline.callback;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Objects;

/**
 * The answers the HTTP layer gives on the main port before Camel sees a request, in the callback API's shape. A
 * body that is not {@code application/json} fails the REST routes' {@code consumes}, and Vert.x would answer 415
 * with no body; the document promises an {@link ApiAnswer}. The main port serves only the callback API (health,
 * metrics and the operator's endpoints are on the management port).
 */
@ApplicationScoped
public class HttpLayerAnswers {

    void register(@Observes Router router) {
        router.errorHandler(415, ctx -> answer(ctx, CallbackIntake.unsupportedMediaType(
                Objects.requireNonNullElse(ctx.request().getHeader("Content-Type"), ""))));
    }

    private static void answer(RoutingContext ctx, ApiAnswer answer) {
        try {
            ctx.response().setStatusCode(answer.status()).putHeader("Content-Type", "application/json")
                    .end(CallbackIntake.JSON.writeValueAsString(answer));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an answer", e);
        }
    }
}
