package io.bmpipeline.events;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * Publishes the body: an {@link EventEnvelope}, or a collection of them. The exchange completes
 * only after the bus stored it durably, so an input acknowledged after this step is never lost.
 */
final class BusProducer extends DefaultProducer {

    private final BusEndpoint endpoint;

    BusProducer(BusEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public void process(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof EventEnvelope envelope) {
            exchange.getMessage().setHeader(BusHeaders.PUBLISHED, endpoint.bus().publish(endpoint.getTopic(), envelope).name());
        } else if (body instanceof Collection<?> many) {
            List<EventEnvelope> envelopes = new ArrayList<>(many.size());
            for (Object item : many) {
                if (!(item instanceof EventEnvelope envelope)) {
                    throw new IllegalArgumentException("bus:" + endpoint.getTopic() + " takes event envelopes, got "
                            + (item == null ? "null" : item.getClass().getName()));
                }
                envelopes.add(envelope);
            }
            // One write and one fsync for the lot: a tap's batch is durable at the pace it was read.
            endpoint.bus().publishAll(endpoint.getTopic(), envelopes);
        } else {
            throw new IllegalArgumentException("bus:" + endpoint.getTopic() + " takes an event envelope, got "
                    + (body == null ? "no body" : body.getClass().getName()));
        }
    }
}
