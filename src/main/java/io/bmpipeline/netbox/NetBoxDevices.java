package io.bmpipeline.netbox;

import static io.bmpipeline.netbox.NetBoxApi.DEVICES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * NetBox's devices: found by id, serial, site or MAC; their status and out-of-band IP written; their hardware (type,
 * serial, local config context) read and the context written.
 */
public final class NetBoxDevices {

    private static final String DEVICE_TYPES = "api/dcim/device-types/";

    private final NetBoxApi api;
    private final Function<Long, Optional<Device>> byId;
    private final Function<Patch, Device> patch;

    /** A device PATCH: the fields to change. */
    private record Patch(long deviceId, ObjectNode fields) {}

    NetBoxDevices(NetBoxApi api, RequestSharing sharing) {
        this.api = api;
        this.byId = sharing.read("device", this::fetch, this::fetchEach);
        this.patch = sharing.write("device-patch", this::patchAlone, this::patchEach);
    }

    public Optional<Device> byId(long id) {
        return byId.apply(id);
    }

    /** NetBox matches serials case-insensitively; several devices may share one. */
    public List<Device> bySerial(String serial) {
        return api.list(DEVICES, NetBoxQuery.of("serial", serial), Device::from);
    }

    /** Batched lookup; the result holds only the devices found, in NetBox's order. */
    public List<Device> bySerials(Collection<String> serials) {
        return api.listInBatches(DEVICES, "serial", serials, Device::from);
    }

    /**
     * Every device at these sites (slugs), or of the whole NetBox when none are given, page by page. An unknown
     * slug is refused by NetBox ({@link NetBoxException.Rejected}) rather than matching nothing.
     */
    public List<Device> atSites(Collection<String> siteSlugs) {
        NetBoxQuery query = siteSlugs.isEmpty() ? NetBoxQuery.empty() : NetBoxQuery.of("site", List.copyOf(siteSlugs));
        return api.list(DEVICES, query, Device::from);
    }

    public List<Device> byMac(MacAddress mac) {
        return api.list(DEVICES, NetBoxQuery.of("mac_address", mac.value()), Device::from);
    }

    /** How many devices NetBox has in this status: one request asking for the count and a single brief device. */
    public long countWithStatus(String status) {
        return api.http().get(DEVICES, NetBoxQuery.of("status", status).and("brief", "true").and("limit", "1"))
                .path("count").asLong();
    }

    /** The device status values NetBox accepts, from the OPTIONS metadata of the device list. */
    public Set<String> statusChoices() {
        JsonNode choices = api.http().options(DEVICES).path("actions").path("POST").path("status").path("choices");
        Set<String> values = new LinkedHashSet<>();
        choices.forEach(c -> values.add(c.path("value").asText()));
        if (values.isEmpty()) {
            throw new NetBoxException.AuthRefused("OPTIONS /api/dcim/devices/", 403,
                    "no status choices in the metadata: the token cannot create devices, so it cannot see them");
        }
        return values;
    }

    public Device setStatus(long deviceId, String status) {
        return patch.apply(new Patch(deviceId, NetBoxApi.object().put("status", status)));
    }

    /** One bulk PATCH: NetBox applies all or none of it. */
    public List<Device> setStatuses(Map<Long, String> statusByDevice) {
        ArrayNode body = NetBoxApi.array();
        statusByDevice.forEach((id, status) -> body.addObject().put("id", id).put("status", status));
        List<Device> updated = new ArrayList<>();
        api.http().patch(DEVICES, body).forEach(d -> updated.add(Device.from(d)));
        return updated;
    }

    /**
     * One PATCH for what changes together: the out-of-band IP (an address already assigned to one
     * of the device's interfaces) and, when given, the status. NetBox applies both or neither.
     */
    public Device setOobIpAndStatus(long deviceId, long ipAddressId, Optional<String> status) {
        ObjectNode body = NetBoxApi.object().put("oob_ip", ipAddressId);
        status.ifPresent(s -> body.put("status", s));
        return patch.apply(new Patch(deviceId, body));
    }

    /** Points the device's out-of-band IP at an address already assigned to one of its interfaces. */
    public Device setOobIp(long deviceId, long ipAddressId) {
        return patch.apply(new Patch(deviceId, NetBoxApi.object().put("oob_ip", ipAddressId)));
    }

    /**
     * The device's type, serial and local config context; empty when NetBox has no such device. Two reads: the device,
     * then its type, which NetBox nests without the part number.
     */
    public Optional<DeviceHardware> hardware(long deviceId) {
        JsonNode device;
        try {
            device = api.http().get(DEVICES + deviceId + "/", selecting(DeviceHardware.FIELDS));
        } catch (NetBoxException.NotFound e) {
            return Optional.empty();
        }
        return Optional.of(hardwareOf(device));
    }

    /**
     * Replaces the device's local config context ({@code local_context_data}) with {@code context}, an object; keys
     * to keep must be in it (merge into {@link DeviceHardware#localContext()} first). Returns the hardware as NetBox
     * has it after the write: the PATCH and a read of the device type. An unknown device is
     * {@link NetBoxException.NotFound}.
     */
    public DeviceHardware setLocalContext(long deviceId, JsonNode context) {
        if (!context.isObject()) {
            throw new IllegalArgumentException("a local config context is a JSON object, not " + context.getNodeType());
        }
        ObjectNode body = NetBoxApi.object();
        body.set("local_context_data", context);
        return hardwareOf(api.http().patch(DEVICES + deviceId + "/", body));
    }

    private DeviceHardware hardwareOf(JsonNode device) {
        JsonNode type = api.http().get(DEVICE_TYPES + DeviceHardware.deviceTypeId(device) + "/",
                selecting(DeviceHardware.TYPE_FIELDS));
        return DeviceHardware.from(device, type);
    }

    /**
     * The field selection of a read the {@link NetBoxApi} table does not cover (it holds one per collection), on
     * NetBox 4.0+ which has it; before, NetBox sends the whole object and the reader takes its part.
     */
    private NetBoxQuery selecting(String fields) {
        return api.version().atLeast(4, 0) ? NetBoxQuery.of("fields", fields) : NetBoxQuery.empty();
    }

    private Optional<Device> fetch(long id) {
        return api.byId(DEVICES, id, Device::from);
    }

    private List<Optional<Device>> fetchEach(List<Long> ids) {
        Map<Long, Device> found = new HashMap<>();
        api.list(DEVICES, NetBoxQuery.of("id", NetBoxApi.distinct(ids, String::valueOf)), Device::from)
                .forEach(d -> found.put(d.id(), d));
        return ids.stream().map(id -> Optional.ofNullable(found.get(id))).toList();
    }

    private Device patchAlone(Patch p) {
        return Device.from(api.http().patch(DEVICES + p.deviceId() + "/", p.fields()));
    }

    /** One bulk PATCH for patches of distinct devices; answers in the order asked. */
    private List<Device> patchEach(List<Patch> patches) {
        if (patches.stream().map(Patch::deviceId).distinct().count() < patches.size()) {
            return patches.stream().map(this::patchAlone).toList(); // one device twice: in order, alone
        }
        ArrayNode body = NetBoxApi.array();
        patches.forEach(p -> body.addObject().put("id", p.deviceId()).setAll(p.fields()));
        Map<Long, Device> answered = new HashMap<>();
        api.http().patch(DEVICES, body).forEach(d -> answered.put(d.path("id").asLong(), Device.from(d)));
        return patches.stream()
                .map(p -> NetBoxApi.requireAnswer(answered.get(p.deviceId()), "PATCH device " + p.deviceId()))
                .toList();
    }
}
