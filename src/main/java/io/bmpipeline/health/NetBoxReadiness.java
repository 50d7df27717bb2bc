package io.bmpipeline.health;

import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxException;
import io.bmpipeline.netbox.NetBoxVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when NetBox answers, accepts our token, and offers every lifecycle status the
 * pipeline writes. Each reason for DOWN is named, so the operator knows what to fix; the check
 * runs on every probe, so readiness comes back by itself when the cause goes.
 */
@Readiness
@ApplicationScoped
public class NetBoxReadiness implements HealthCheck {

    /** The statuses the pipeline writes; NetBox ships only offline and active of them. */
    public static final List<String> LIFECYCLE_STATUSES = List.of("offline", "discovered", "staged", "ready", "active");

    private final NetBoxClient netbox;

    @Inject
    public NetBoxReadiness(NetBoxClient netbox) {
        this.netbox = netbox.withRetries(0);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("netbox")
                .withData("url", netbox.url().toString())
                .withData("token", netbox.tokenKind().name());
        try {
            NetBoxVersion version = netbox.refreshVersion();
            response.withData("version", version.toString());
            Set<String> missing = new LinkedHashSet<>(LIFECYCLE_STATUSES);
            missing.removeAll(netbox.devices().statusChoices());
            if (!missing.isEmpty()) {
                return response.down().withData("reason", "NetBox lacks the device statuses " + missing
                        + ": add them with FIELD_CHOICES['dcim.Device.status+'] in NetBox's configuration.py").build();
            }
            return response.up().build();
        } catch (NetBoxException.AuthRefused e) {
            return response.down().withData("reason", "NetBox refused the API token: " + e.getMessage()).build();
        } catch (NetBoxException e) {
            return response.down().withData("reason", "NetBox unreachable or failing: " + e.getMessage()).build();
        } catch (RuntimeException e) {
            return response.down().withData("reason", "NetBox check failed: " + e).build();
        }
    }
}
