package io.bmpipeline.dhcp;

import io.bmpipeline.events.EventEnvelope;
import java.util.List;

/** Leases the tap read together: one exchange, published on the bus as one durable write. */
public record LeaseBatch(List<DhcpLeaseEvent> leases) {

    public LeaseBatch {
        leases = List.copyOf(leases);
    }

    public List<EventEnvelope> envelopes() {
        return leases.stream().map(DhcpLeaseEvent::toEnvelope).toList();
    }

    public int size() {
        return leases.size();
    }
}
