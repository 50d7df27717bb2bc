package io.bmpipeline.lifecycle;

/**
 * Identity conflicts around a BMC lease that make any write unsafe (DESIGN §2). The caller finds them
 * (a MAC lookup that returns several devices; the leased IP already held by another BMC) and passes the
 * result as a fact, so that the table, not the caller, decides what happens.
 */
public enum Conflict {
    NONE("no conflict"),
    /** The leased BMC MAC is recorded on more than one NetBox device: we cannot know which one booted. */
    BMC_MAC_ON_SEVERAL_DEVICES("BMC MAC on several devices"),
    /** The leased IP is already the BMC IP of a device with another BMC MAC: two machines claim one address. */
    LEASED_IP_ON_ANOTHER_BMC("leased IP on another BMC"),
    /**
     * NetBox has the leased IP, in the BMC network's VRF, set aside (reserved, deprecated) or given to something
     * that is no BMC (a host NIC, a VM, an FHRP group): the DHCP scope and IPAM disagree, and a person decides.
     */
    LEASED_IP_NOT_FREE("leased IP reserved or used elsewhere in NetBox");

    private final String label;

    Conflict(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * One conflict from the two checks. A duplicated MAC wins: while the MAC is ambiguous, the device the IP
     * would be compared with is itself unknown, so the IP check says nothing reliable.
     */
    public static Conflict of(boolean macOnSeveralDevices, boolean leasedIpOnAnotherBmc) {
        return of(macOnSeveralDevices, leasedIpOnAnotherBmc, false);
    }

    /** As above, and an address NetBox sets aside or gives to something else comes last. */
    public static Conflict of(boolean macOnSeveralDevices, boolean leasedIpOnAnotherBmc, boolean leasedIpNotFree) {
        if (macOnSeveralDevices) {
            return BMC_MAC_ON_SEVERAL_DEVICES;
        }
        if (leasedIpOnAnotherBmc) {
            return LEASED_IP_ON_ANOTHER_BMC;
        }
        return leasedIpNotFree ? LEASED_IP_NOT_FREE : NONE;
    }
}
