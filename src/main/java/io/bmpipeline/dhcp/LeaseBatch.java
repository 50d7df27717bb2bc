package io.bmpipeline.dhcp;

import io.bmpipeline.events.EventEnvelope;
import java.util.List;

/** Leases the tap read together, as their envelopes: one exchange, published on the bus as one durable write. */
public record LeaseBatch(List<EventEnvelope> envelopes) {

    public LeaseBatch {
        envelopes = List.copyOf(envelopes);
    }

    public int size() {
        return envelopes.size();
    }
}
