package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * An IPAM address, {@code address} in CIDR form ("10.0.0.5/24"), what it is assigned to, its status ("active",
 * "reserved", "deprecated", "dhcp" …) and its VRF (empty: the global table).
 */
public record IpAddress(long id, String address, Optional<String> assignedObjectType, Optional<Long> assignedObjectId,
                        String description, String status, Optional<Long> vrfId) {

    /** The fields {@link #from} reads: what the client asks NetBox to serialize. */
    static final String FIELDS = "id,address,assigned_object_type,assigned_object_id,description,status,vrf";

    static IpAddress from(JsonNode json) {
        JsonNode objectId = json.path("assigned_object_id");
        return new IpAddress(
                json.path("id").asLong(),
                json.path("address").asText(),
                Json.optionalText(json.path("assigned_object_type")),
                objectId.isNumber() ? Optional.of(objectId.asLong()) : Optional.empty(),
                json.path("description").asText(""),
                Json.choiceValue(json.path("status")),
                json.path("vrf").isObject() ? Optional.of(json.path("vrf").path("id").asLong()) : Optional.empty());
    }

    /** Assigned to anything at all (an interface of a device or a VM, an FHRP group …). */
    public boolean isAssigned() {
        return assignedObjectId.isPresent();
    }

    /** Set aside by an operator: NetBox's "reserved" and "deprecated" addresses are not for a lease to take. */
    public boolean isSetAside() {
        return status.equals("reserved") || status.equals("deprecated");
    }

    /** The host part, without the prefix length. */
    public String host() {
        int slash = address.indexOf('/');
        return slash < 0 ? address : address.substring(0, slash);
    }

    public boolean isAssignedToInterface(long interfaceId) {
        return assignedObjectType.filter("dcim.interface"::equals).isPresent()
                && assignedObjectId.filter(id -> id == interfaceId).isPresent();
    }
}
