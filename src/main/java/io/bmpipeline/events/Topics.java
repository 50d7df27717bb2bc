package io.bmpipeline.events;

import java.util.List;

/** The spec's topics ("Future State — Production Architecture"), by their names there. */
public final class Topics {

    /** Raw DHCP lease commits (IP, MAC, hostname), and leases of MACs nobody expected. */
    public static final String DHCP_EVENTS = "bm.dhcp.events";
    /** Device lifecycle state transitions and the other outcomes of lifecycle decisions. */
    public static final String DEVICE_STATE = "bm.device.state";
    /** PXE validation phase results (per-script pass/fail). */
    public static final String PXE_EVENTS = "bm.pxe.events";
    /** Hardening playbook completion and results. */
    public static final String HARDENING_EVENTS = "bm.hardening.events";
    /** CPU, power, thermal metrics per device. */
    public static final String TELEMETRY = "bm.telemetry";
    /** Hardware fault events, and conflicts that need a human (quarantine). */
    public static final String HW_ALERTS = "bm.hw.alerts";
    /** Tenant order fulfilment events. */
    public static final String DELIVERY = "bm.delivery";

    public static final List<String> ALL =
            List.of(DHCP_EVENTS, DEVICE_STATE, PXE_EVENTS, HARDENING_EVENTS, TELEMETRY, HW_ALERTS, DELIVERY);

    private Topics() {}

    /** True for one of the spec's topic names. */
    public static boolean isKnown(String topic) {
        return ALL.contains(topic);
    }
}
