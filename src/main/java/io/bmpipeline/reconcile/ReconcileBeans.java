package io.bmpipeline.reconcile;

import io.bmpipeline.cli.CommandMode;
import io.bmpipeline.config.PipelineConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The lease sightings the discovery route updates and the management port serves, by the name the route uses. */
@ApplicationScoped
public class ReconcileBeans {

    @Produces
    @Singleton
    @Named("leaseSightings")
    LeaseSightings leaseSightings(PipelineConfig config, CommandMode mode) {
        var settings = config.leaseSightings();
        // The service opens its file at start (a wrong path stops it there); a command never takes it.
        return mode.serving() ? LeaseSightings.open(settings.path(), settings.maxAge(), Clock.systemUTC())
                : LeaseSightings.openOnFirstUse(settings.path(), settings.maxAge(), Clock.systemUTC());
    }

    void close(@Disposes @Named("leaseSightings") LeaseSightings sightings) {
        sightings.close();
    }
}
