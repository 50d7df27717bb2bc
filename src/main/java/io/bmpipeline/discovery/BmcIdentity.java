package io.bmpipeline.discovery;

import io.bmpipeline.netbox.DeviceInterface;
import java.util.List;
import java.util.Optional;

/**
 * A lease and the BMC interfaces NetBox has its MAC on: whose lease it is, known before anything is decided (so the
 * device can be held while its lease is applied, {@link DeviceLocks}). {@code otherInterfaces} are the interfaces
 * that have the MAC but are no BMC (a host NIC), named when the lease is reported.
 */
public record BmcIdentity(BmcLease lease, List<DeviceInterface> bmcs, List<DeviceInterface> otherInterfaces) {

    public BmcIdentity {
        bmcs = List.copyOf(bmcs);
        otherInterfaces = List.copyOf(otherInterfaces);
    }

    /** The device the lease is decided for: the first BMC interface's; empty when no BMC interface has the MAC. */
    public Optional<Long> deviceId() {
        return bmcs.stream().findFirst().map(DeviceInterface::deviceId);
    }
}
