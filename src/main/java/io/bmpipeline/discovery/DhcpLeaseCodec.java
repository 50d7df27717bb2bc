package io.bmpipeline.discovery;

import io.bmpipeline.events.EventEnvelope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

/** Lease events to and from the bus envelope, for the routes. */
@ApplicationScoped
@Named("dhcpLeaseCodec")
public class DhcpLeaseCodec {

    public BmcLease fromEnvelope(EventEnvelope envelope) {
        return BmcLease.fromEnvelope(envelope);
    }

    public EventEnvelope toEnvelope(BmcLease lease) {
        return lease.toEnvelope();
    }
}
