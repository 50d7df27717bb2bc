package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The slice of a NetBox device the pipeline reads. {@code serial} is empty when NetBox has none; {@code site} and
 * {@code role} are slugs.
 */
public record Device(long id, Optional<String> name, String serial, String status,
                     Optional<Long> oobIpId, Optional<String> oobIpAddress, Optional<String> oobIpDescription,
                     Optional<String> site, Optional<String> role) {

    /** The fields {@link #from} reads: what the client asks NetBox to serialize. */
    static final String FIELDS = "id,name,serial,status,oob_ip,site,role";

    static Device from(JsonNode json) {
        JsonNode oob = json.path("oob_ip");
        return new Device(
                json.path("id").asLong(),
                Json.optionalText(json.path("name")),
                json.path("serial").asText(""),
                Json.choiceValue(json.path("status")),
                oob.isObject() ? Optional.of(oob.path("id").asLong()) : Optional.empty(),
                oob.isObject() ? Json.optionalText(oob.path("address")) : Optional.empty(),
                oob.isObject() ? Json.optionalText(oob.path("description")) : Optional.empty(),
                Json.optionalText(json.path("site").path("slug")),
                // NetBox before 4.0 names the field device_role.
                Json.optionalText(json.path("role").path("slug")).or(() -> Json.optionalText(json.path("device_role").path("slug"))));
    }

    /** How the device is named in messages: its name, else its serial, else its id. */
    public String label() {
        return name.orElse(serial.isEmpty() ? "device #" + id : serial);
    }
}
