package io.bmpipeline.callback;

import io.bmpipeline.cli.CommandMode;
import io.bmpipeline.config.PipelineConfig;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.netbox.NetBoxClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Optional;
import org.apache.camel.CamelContext;

/** The callback API's beans, by the names the routes use. */
@ApplicationScoped
public class CallbackBeans {

    @Produces
    @Singleton
    CallbackCredentials credentials(PipelineConfig config, CommandMode mode) {
        var pxe = config.pxe();
        // The service opens the file at start (a wrong path stops it there); a command never takes it.
        return mode.serving() ? CallbackCredentials.open(pxe.credentials(), pxe.credentialTtl(), Clock.systemUTC())
                : CallbackCredentials.openOnFirstUse(pxe.credentials(), pxe.credentialTtl(), Clock.systemUTC());
    }

    void close(@Disposes CallbackCredentials credentials) {
        credentials.close();
    }

    @Produces
    @Singleton
    @Named("callbackIntake")
    CallbackIntake intake(CamelContext camel, CallbackCredentials credentials, NetBoxClient netbox, EventBus bus,
                          PipelineConfig config) {
        return new CallbackIntake(ApiSchema.of(camel), credentials, siteSignature(config.pxe()), netbox, bus,
                config.pxe().retryAfterSeconds(), Clock.systemUTC());
    }

    @Produces
    @Singleton
    @Named("validationRecorder")
    ValidationRecorder recorder(NetBoxClient netbox, PipelineConfig config) {
        return new ValidationRecorder(netbox, Thresholds.from(config.pxe()), config.pxe().requiredSteps(),
                config.pxe().uncabledInterfaces() == PipelineConfig.Pxe.UncabledInterfaces.FAIL, Clock.systemUTC());
    }

    @Produces
    @Singleton
    @Named("credentialEnrolment")
    CredentialEnrolment enrolment(CallbackCredentials credentials) {
        return new CredentialEnrolment(credentials);
    }

    private static Optional<SiteSignature> siteSignature(PipelineConfig.Pxe pxe) {
        if (pxe.hmacSecretFile().isEmpty()) {
            return Optional.empty();
        }
        try {
            byte[] secret = Files.readString(pxe.hmacSecretFile().get(), StandardCharsets.UTF_8).strip()
                    .getBytes(StandardCharsets.UTF_8);
            return Optional.of(new SiteSignature(secret, pxe.hmacMaxSkew(), Clock.systemUTC()));
        } catch (IOException e) {
            throw new IllegalStateException("bm.pxe.hmac-secret-file: cannot read " + pxe.hmacSecretFile().get() + ": "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("bm.pxe.hmac-secret-file: " + e.getMessage(), e);
        }
    }
}
