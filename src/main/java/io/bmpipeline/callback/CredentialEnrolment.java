package io.bmpipeline.callback;

import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.lifecycle.DeviceStatus;
import org.jboss.logging.Logger;

/**
 * Keeps the callback credentials in step with the lifecycle, from the pipeline's own {@code bm.device.state}
 * announcements: a device that becomes {@code discovered} gets its credential (Phase 1 begins); every later status
 * the pipeline gives it is recorded beside the credential, so the API answers 409 for a device past Phase 1 without
 * asking NetBox. Replays are harmless: a device already discovered with a credential keeps it.
 */
public final class CredentialEnrolment {

    private static final Logger LOG = Logger.getLogger(CredentialEnrolment.class);

    private final CallbackCredentials credentials;

    public CredentialEnrolment(CallbackCredentials credentials) {
        this.credentials = credentials;
    }

    public void apply(EventEnvelope event) {
        if (!EventTypes.DEVICE_STATE_CHANGED.equals(event.type()) || !event.data().has("newStatus")) {
            return;
        }
        long deviceId = event.data().path("deviceId").asLong();
        String serial = event.data().path("serial").asText("");
        String status = event.data().path("newStatus").asText();
        if (deviceId <= 0) {
            return;
        }
        if (DeviceStatus.fromNetBox(status) == DeviceStatus.DISCOVERED) {
            var current = credentials.current(deviceId);
            if (current.isPresent() && current.get().status().equals(status)) {
                return;
            }
            credentials.mint(deviceId, serial, status);
            LOG.infof("device %s (#%d) discovered: PXE callback credential minted", serial.isEmpty() ? "?" : serial,
                    deviceId);
            return;
        }
        credentials.statusChanged(deviceId, status);
    }
}
