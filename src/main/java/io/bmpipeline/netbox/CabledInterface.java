package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * An interface and the far end NetBox plans for it: the interface its cable path ends at, through patch panels
 * (NetBox's {@code connected_endpoints}), else the interface its cable lands on ({@code link_peers}). The peer is empty
 * when the interface has no cable, or when neither end is an interface (a patch panel port with nothing behind it, a
 * circuit). A cable that is only planned counts: NetBox traces it like a connected one.
 */
public record CabledInterface(DeviceInterface iface, Optional<Peer> peer) {

    /** The far end: a device's name (its display text when it has none) and the name of its interface. */
    public record Peer(String device, String iface) {

        /** How messages name it: "device/interface". */
        public String label() {
            return device + "/" + iface;
        }
    }

    /** The fields {@link #from} reads: {@link DeviceInterface}'s and the cable's ends. */
    static final String FIELDS = DeviceInterface.FIELDS
            + ",cable,link_peers,link_peers_type,connected_endpoints,connected_endpoints_type";

    private static final String INTERFACE = "dcim.interface";

    static CabledInterface from(JsonNode json) {
        Optional<Peer> peer = json.path("cable").isObject()
                ? firstInterface(json, "connected_endpoints").or(() -> firstInterface(json, "link_peers"))
                : Optional.empty();
        return new CabledInterface(DeviceInterface.from(json), peer);
    }

    /** The first of the ends in {@code field}, when NetBox says ({@code field_type}) they are interfaces. */
    private static Optional<Peer> firstInterface(JsonNode json, String field) {
        JsonNode end = json.path(field).path(0);
        if (!INTERFACE.equals(json.path(field + "_type").asText()) || !end.isObject()) {
            return Optional.empty();
        }
        JsonNode device = end.path("device");
        return Optional.of(new Peer(Json.optionalText(device.path("name")).orElse(device.path("display").asText("")),
                end.path("name").asText("")));
    }
}
