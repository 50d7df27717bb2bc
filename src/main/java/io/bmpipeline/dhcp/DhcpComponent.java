package io.bmpipeline.dhcp;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code dhcp:INTERFACE?...}: DHCP leases seen on the wire (live AF_PACKET capture) or in capture
 * files ({@code pcap=PATH}), as typed lease events. Replaces the proof of concept's raw-socket tap.
 */
@ApplicationScoped
@Named("dhcp")
public class DhcpComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        DhcpEndpoint endpoint = new DhcpEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
