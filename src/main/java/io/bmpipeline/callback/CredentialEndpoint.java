package io.bmpipeline.callback;

import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxException;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The operator's handle on callback credentials, on the management interface behind its access rule
 * ({@code /bm/*}: loopback, or the management token): {@code POST /bm/pxe/credentials/SERIAL} starts a new
 * validation run for a discovered (or staged) device — a new credential, the earlier one refused from now on — and
 * answers it once, as JSON; {@code DELETE} revokes the device's credential. The credential is never logged.
 */
@ApplicationScoped
public class CredentialEndpoint {

    public static final String PATH = "/bm/pxe/credentials/";
    private static final Logger LOG = Logger.getLogger(CredentialEndpoint.class);

    @Inject
    CallbackCredentials credentials;

    /** Looked up when a credential is minted: a command that starts no service has no NetBox token to give one. */
    @Inject
    jakarta.enterprise.inject.Instance<NetBoxClient> netbox;

    void register(@Observes ManagementInterface management) {
        management.router().post(PATH + ":serial").blockingHandler(this::mint, false);
        management.router().delete(PATH + ":serial").blockingHandler(this::revoke, false);
    }

    private void mint(RoutingContext ctx) {
        String serial = ctx.pathParam("serial");
        List<Device> found;
        try {
            found = netbox.get().devices().bySerial(serial);
        } catch (NetBoxException e) {
            text(ctx, 503, "NetBox cannot be asked for the device now: " + e.getMessage());
            return;
        }
        if (found.size() != 1) {
            text(ctx, found.isEmpty() ? 404 : 409, found.isEmpty() ? "no device has serial " + serial
                    : found.size() + " devices have serial " + serial);
            return;
        }
        Device device = found.getFirst();
        if (!device.status().equals("discovered") && !device.status().equals("staged")) {
            text(ctx, 409, "device " + device.label() + " is " + device.status()
                    + "; a validation run is for a discovered or staged device");
            return;
        }
        String token = credentials.mint(device.id(), device.serial(), device.status());
        var expires = credentials.current(device.id()).orElseThrow().expiresAt();
        LOG.infof("device %s: new PXE validation run, callback credential minted by an operator", device.label());
        ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end(CallbackIntake.JSON.createObjectNode().put("serial", device.serial()).put("deviceId", device.id())
                        .put("credential", token).put("expiresAt", expires.toString()).toString());
    }

    private void revoke(RoutingContext ctx) {
        String serial = ctx.pathParam("serial");
        var enrolment = credentials.bySerial(serial);
        if (enrolment.isEmpty()) {
            text(ctx, 404, "no credential for serial " + serial);
            return;
        }
        boolean revoked = credentials.revoke(enrolment.get().deviceId());
        LOG.infof("device %s: PXE callback credential revoked by an operator%s", serial, revoked ? "" : " (was not usable)");
        text(ctx, 200, "revoked");
    }

    private static void text(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain").end(message + "\n");
    }
}
