package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** An IPAM address, {@code address} in CIDR form ("10.0.0.5/24"), and what it is assigned to. */
public record IpAddress(long id, String address, Optional<String> assignedObjectType, Optional<Long> assignedObjectId,
                        String description) {

    /** The fields {@link #from} reads: what the client asks NetBox to serialize. */
    static final String FIELDS = "id,address,assigned_object_type,assigned_object_id,description";

    static IpAddress from(JsonNode json) {
        JsonNode objectId = json.path("assigned_object_id");
        return new IpAddress(
                json.path("id").asLong(),
                json.path("address").asText(),
                Json.optionalText(json.path("assigned_object_type")),
                objectId.isNumber() ? Optional.of(objectId.asLong()) : Optional.empty(),
                json.path("description").asText(""));
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
