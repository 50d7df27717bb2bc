package io.bmpipeline.health;

import io.bmpipeline.manifest.ManifestIntake;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** The manifest inbox: DOWN, naming the file and since when, while a dropped file waits for NetBox to come back. */
@Readiness
@ApplicationScoped
public class ManifestInboxReadiness implements HealthCheck {

    @Inject
    ManifestIntake intake;

    @Override
    public HealthCheckResponse call() {
        var waiting = intake.waiting();
        if (waiting.isEmpty()) {
            return HealthCheckResponse.named("manifest-inbox").up().build();
        }
        return HealthCheckResponse.named("manifest-inbox").down()
                .withData("reason", "manifest " + waiting.get().file() + " waits for NetBox since "
                        + waiting.get().since() + ": " + waiting.get().reason())
                .build();
    }
}
