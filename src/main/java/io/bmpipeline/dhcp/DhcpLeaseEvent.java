package io.bmpipeline.dhcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A lease a DHCP server committed, as the tap saw its ACK: the typed event every later stage
 * reads (published on {@code bm.dhcp.events}). Hostname and vendor class come from the client's
 * REQUEST when the ACK lacks them (ISC never echoes option 12). On the event, {@code relayAgent} holds option 82's
 * printable sub-options as text and {@code relayAgentHex} every sub-option's bytes; {@code vlan} is the outer tag,
 * {@code innerVlan} a double-tagged frame's customer tag.
 */
public record DhcpLeaseEvent(
        MacAddress mac, String ip, Optional<String> hostname, Optional<String> vendorClass,
        Optional<String> serverId, String serverIp, Optional<String> relayAddress, Map<Integer, String> relayAgent,
        Map<Integer, String> relayAgentHex, int vlan, int innerVlan, OptionalLong leaseSeconds, OptionalInt maskBits, long xid, String interfaceName, Instant capturedAt) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Same lease commit, same id: the two taps of an HA pair publish one event. */
    public String leaseId() {
        return EventEnvelope.deterministicId("dhcp-lease", Long.toHexString(xid), mac.value(), ip);
    }

    public EventEnvelope toEnvelope() {
        ObjectNode data = JSON.createObjectNode()
                .put("mac", mac.value())
                .put("ip", ip)
                .put("serverIp", serverIp)
                .put("xid", xid)
                .put("interface", interfaceName)
                .put("observedBy", interfaceName);
        hostname.ifPresent(h -> data.put("hostname", h));
        vendorClass.ifPresent(v -> data.put("vendorClass", v));
        serverId.ifPresent(s -> data.put("serverId", s));
        relayAddress.ifPresent(r -> data.put("relayAddress", r));
        if (!relayAgent.isEmpty()) {
            ObjectNode agent = data.putObject("relayAgent");
            relayAgent.forEach((k, v) -> agent.put(Integer.toString(k), v));
        }
        if (!relayAgentHex.isEmpty()) {
            ObjectNode agent = data.putObject("relayAgentHex");
            relayAgentHex.forEach((k, v) -> agent.put(Integer.toString(k), v));
        }
        if (vlan >= 0) {
            data.put("vlan", vlan);
        }
        if (innerVlan >= 0) {
            data.put("innerVlan", innerVlan);
        }
        leaseSeconds.ifPresent(s -> data.put("leaseSeconds", s));
        maskBits.ifPresent(b -> data.put("maskBits", b));
        return EventEnvelope.of(leaseId(), "bm-pipeline/dhcp-tap/" + interfaceName, EventTypes.DHCP_LEASE_OBSERVED,
                mac.value(), capturedAt, data);
    }
}
