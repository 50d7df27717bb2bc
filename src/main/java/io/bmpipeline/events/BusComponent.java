package io.bmpipeline.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code bus:TOPIC[?group=G]}: routes publish to and consume from the pipeline's {@link EventBus}
 * through this component, so a route reads as the data flow and never touches the bus API.
 */
@ApplicationScoped
@Named("bus")
public class BusComponent extends DefaultComponent {

    private final EventBus bus;
    private final EventBusConfig config;

    @Inject
    public BusComponent(EventBus bus, EventBusConfig config) {
        this.bus = bus;
        this.config = config;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining.isBlank()) {
            throw new IllegalArgumentException("bus endpoint needs a topic: bus:bm.dhcp.events");
        }
        BusEndpoint endpoint = new BusEndpoint(uri, this, remaining, bus, config.retryPolicy());
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
