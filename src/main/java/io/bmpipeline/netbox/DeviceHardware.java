package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * What NetBox records about a device's hardware: its serial ("" when NetBox has none), its type's manufacturer
 * (name and slug), model and slug and part number, and the device's local config context. {@code localContext} is
 * {@code local_context_data}, an empty object when NetBox holds none; NetBox only stores objects there.
 */
public record DeviceHardware(long deviceId, String serial, String manufacturer, String manufacturerSlug, String model,
                             String deviceTypeSlug, Optional<String> partNumber, ObjectNode localContext) {

    /**
     * The device fields {@link #from} reads. NetBox nests the device type with its manufacturer, model and slug but
     * not its part number, which takes a read of the type ({@link #TYPE_FIELDS}).
     */
    static final String FIELDS = "id,serial,device_type,local_context_data";

    static final String TYPE_FIELDS = "id,part_number";

    public DeviceHardware {
        localContext = localContext.deepCopy();
    }

    /** A copy: a caller merging keys into it before {@link NetBoxDevices#setLocalContext} changes no record. */
    @Override
    public ObjectNode localContext() {
        return localContext.deepCopy();
    }

    /** The device type's id in {@code device}, which {@link #from} needs the part number of. */
    static long deviceTypeId(JsonNode device) {
        return device.path("device_type").path("id").asLong();
    }

    static DeviceHardware from(JsonNode device, JsonNode deviceType) {
        JsonNode type = device.path("device_type");
        JsonNode manufacturer = type.path("manufacturer");
        JsonNode context = device.path("local_context_data");
        return new DeviceHardware(
                device.path("id").asLong(),
                device.path("serial").asText(""),
                manufacturer.path("name").asText(""),
                manufacturer.path("slug").asText(""),
                type.path("model").asText(""),
                type.path("slug").asText(""),
                Json.optionalText(deviceType.path("part_number")),
                context.isObject() ? (ObjectNode) context : NetBoxApi.object());
    }
}
