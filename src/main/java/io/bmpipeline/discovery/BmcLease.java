package io.bmpipeline.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A DHCP lease of something that may be a BMC, as published on {@code bm.dhcp.events}: what the
 * discovery service needs of the lease and nothing of the wire. {@code leaseId} identifies the
 * lease commit (xid, MAC, IP, server), so two taps of an HA pair publish the same event id.
 */
public record BmcLease(String leaseId, MacAddress mac, String ip, OptionalInt maskBits, Optional<String> hostname,
                       Optional<String> vendorClass, String observedBy, Instant seenAt) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public EventEnvelope toEnvelope() {
        ObjectNode data = JSON.createObjectNode()
                .put("mac", mac.value())
                .put("ip", ip)
                .put("observedBy", observedBy);
        maskBits.ifPresent(bits -> data.put("maskBits", bits));
        hostname.ifPresent(h -> data.put("hostname", h));
        vendorClass.ifPresent(v -> data.put("vendorClass", v));
        return EventEnvelope.of(leaseId, "bm-pipeline/dhcp/" + observedBy, EventTypes.DHCP_LEASE_OBSERVED,
                mac.value(), seenAt, data);
    }

    /** Reads a lease back; a malformed event names the attribute, and is never half-read. */
    public static BmcLease fromEnvelope(EventEnvelope envelope) {
        JsonNode data = envelope.data();
        MacAddress mac = MacAddress.parse(data.path("mac").asText(null))
                .orElseThrow(() -> new IllegalArgumentException("lease event " + envelope.id() + ": data.mac is not a MAC"));
        String ip = data.path("ip").asText("");
        if (!ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("lease event " + envelope.id() + ": data.ip is not an IPv4 address: '" + ip + "'");
        }
        JsonNode mask = data.path("maskBits");
        return new BmcLease(envelope.id(), mac, ip,
                mask.isInt() ? OptionalInt.of(mask.asInt()) : OptionalInt.empty(),
                text(data, "hostname"), text(data, "vendorClass"),
                data.path("observedBy").asText("unknown"), envelope.time());
    }

    private static Optional<String> text(JsonNode data, String field) {
        JsonNode node = data.path(field);
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }
}
