package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmpipeline.address.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An interface of a device. {@code mac} is the interface's MAC as NetBox reports it: the primary
 * MAC object on 4.2+, the {@code mac_address} field before. {@code macs} is every MAC the interface carries, the
 * primary first (on 4.2+ an interface may have MAC objects beside its primary one). {@code mgmtOnly} is NetBox's
 * "management only" flag, which marks out-of-band interfaces (BMCs) whatever their vendor calls them.
 */
public record DeviceInterface(long id, long deviceId, String deviceName, String name,
                              Optional<MacAddress> mac, Optional<Long> primaryMacId, boolean mgmtOnly,
                              List<MacAddress> macs) {

    public DeviceInterface {
        macs = List.copyOf(macs);
    }

    /** The fields {@link #from} reads: what the client asks NetBox to serialize. */
    static final String FIELDS = "id,name,device,mac_address,primary_mac_address,mac_addresses,mgmt_only";

    static DeviceInterface from(JsonNode json) {
        JsonNode primary = json.path("primary_mac_address");
        Optional<MacAddress> mac = primary.isObject()
                ? MacAddress.parse(primary.path("mac_address").asText(null))
                : MacAddress.parse(json.path("mac_address").asText(null));
        List<MacAddress> macs = new ArrayList<>();
        mac.ifPresent(macs::add);
        json.path("mac_addresses").forEach(m -> MacAddress.parse(m.path("mac_address").asText(null))
                .filter(other -> !macs.contains(other)).ifPresent(macs::add));
        JsonNode device = json.path("device");
        return new DeviceInterface(
                json.path("id").asLong(),
                device.path("id").asLong(),
                device.path("name").asText(device.path("display").asText("")),
                json.path("name").asText(""),
                mac,
                primary.isObject() ? Optional.of(primary.path("id").asLong()) : Optional.empty(),
                json.path("mgmt_only").asBoolean(false),
                macs);
    }

    /** How messages name it: "device/interface". */
    public String label() {
        return deviceName + "/" + name;
    }
}
