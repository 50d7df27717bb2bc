package io.bmpipeline.events;

/**
 * CloudEvents {@code type} values the pipeline publishes. The prefix says the topic family; consumers route on
 * the type, never on the shape of {@code data}.
 */
public final class EventTypes {

    /** A BMC DHCP lease seen on the wire ({@link Topics#DHCP_EVENTS}). */
    public static final String DHCP_LEASE_OBSERVED = "bm.dhcp.lease.observed";
    /**
     * A lease of a BMC-looking MAC that no NetBox device has: seen, not expected. Discovery publishes it on
     * {@link Topics#DEVICE_STATE} (its own input topic would hand it back to itself); reconciliation reads it there.
     */
    public static final String DHCP_LEASE_UNEXPECTED = "bm.dhcp.lease.unexpected";
    /** A device moved forward on its lifecycle ({@link Topics#DEVICE_STATE}). */
    public static final String DEVICE_STATE_CHANGED = "bm.device.state.changed";
    /** A device's BMC IP was recorded or replaced, its status unchanged ({@link Topics#DEVICE_STATE}). */
    public static final String DEVICE_BMC_IP_RECORDED = "bm.device.bmc-ip.recorded";
    /** A warning was journaled on a device instead of a change ({@link Topics#DEVICE_STATE}). */
    public static final String DEVICE_WARNING = "bm.device.warning";
    /** A phase failed for a device; its status kept ({@link Topics#DEVICE_STATE}). */
    public static final String DEVICE_STAGE_FAILED = "bm.device.stage.failed";
    /** An identity conflict stopped all writes for a device ({@link Topics#HW_ALERTS}). */
    public static final String DEVICE_QUARANTINED = "bm.device.quarantined";

    /** The PXE image's result of one validation step, accepted by the callback API ({@link Topics#PXE_EVENTS}). */
    public static final String PXE_STEP_REPORTED = "bm.pxe.step.reported";
    /** The PXE image's final report of a validation run, accepted by the callback API ({@link Topics#PXE_EVENTS}). */
    public static final String PXE_VALIDATION_REPORTED = "bm.pxe.validation.reported";
    /** The service's verdict on a step, recorded in NetBox ({@link Topics#PXE_EVENTS}). */
    public static final String PXE_STEP_RECORDED = "bm.pxe.step.recorded";

    private EventTypes() {}

    /** NetBox refused a write's content (HTTP 400); the event carries NetBox's message ({@link Topics#HW_ALERTS}). */
    public static final String NETBOX_WRITE_REFUSED = "bm.netbox.write.refused";
}
