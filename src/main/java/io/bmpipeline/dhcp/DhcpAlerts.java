package io.bmpipeline.dhcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.events.EventEnvelope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;

/** Warning events of the tap, for {@code bm.hw.alerts}. */
@ApplicationScoped
@Named("dhcpAlerts")
public class DhcpAlerts {

    public static final String SPOOFED_ACK = "bm.dhcp.ack.spoofed";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An ACK from a server not on the allowlist, and how many more of that server's were not alerted on before it. */
    public record SpoofedAck(DhcpMessage ack, long notAlertedBefore) {}

    /** At most one a minute per rogue server (the tap counts every ACK); {@code notAlertedBefore} says how many more. */
    public EventEnvelope spoofedAck(SpoofedAck spoofed) {
        DhcpMessage ack = spoofed.ack();
        ObjectNode data = JSON.createObjectNode()
                .put("notAlertedBefore", spoofed.notAlertedBefore())
                .put("sourceIp", ack.sourceIp().toString())
                .put("sourceMac", ack.sourceMac().value())
                .put("clientMac", ack.chaddr().value())
                .put("yiaddr", ack.yiaddr().toString())
                .put("xid", ack.xid())
                .put("interface", ack.interfaceName());
        ack.serverId().ifPresent(s -> data.put("serverId", s.toString()));
        return EventEnvelope.of(EventEnvelope.deterministicId("spoofed", Long.toHexString(ack.xid()), ack.chaddr().value(),
                        ack.sourceMac().value()), "bm-pipeline/dhcp-tap/" + ack.interfaceName(), SPOOFED_ACK,
                ack.chaddr().value(), ack.capturedAt(), data);
    }
}
