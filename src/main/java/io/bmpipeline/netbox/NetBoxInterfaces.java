package io.bmpipeline.netbox;

import static io.bmpipeline.netbox.NetBoxApi.INTERFACES;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmpipeline.address.MacAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Devices' interfaces: found by device, id or MAC, the BMC among them picked, and their MACs written in the MAC
 * model of the running NetBox ({@link InterfaceMacs}), which callers never see.
 */
public final class NetBoxInterfaces {

    private final NetBoxApi api;
    private final Function<MacAddress, List<DeviceInterface>> byMac;
    private final MacField field;
    private final MacObjects objects;

    /** A MAC address object (NetBox 4.2+) and the interface it is assigned to, if any. */
    public record MacObject(long id, MacAddress mac, Optional<Long> interfaceId) {}

    NetBoxInterfaces(NetBoxApi api, RequestSharing sharing) {
        this.api = api;
        this.byMac = sharing.read("interfaces-by-mac", this::fetchByMac, this::fetchByMacEach);
        this.field = new MacField(api);
        this.objects = new MacObjects(api);
    }

    public List<DeviceInterface> ofDevice(long deviceId) {
        return api.list(INTERFACES, NetBoxQuery.of("device_id", Long.toString(deviceId)), DeviceInterface::from);
    }

    /** The interfaces of many devices, in batched requests. */
    public List<DeviceInterface> ofDevices(Collection<Long> deviceIds) {
        return api.listInBatches(INTERFACES, "device_id", NetBoxApi.distinct(deviceIds, String::valueOf),
                DeviceInterface::from);
    }

    /**
     * The device's interfaces, each with the far end NetBox plans for it ({@link CabledInterface}): one paged read,
     * whose field selection (NetBox 4.0+) adds the cable's ends to what {@link #ofDevice} reads.
     */
    public List<CabledInterface> cabling(long deviceId) {
        NetBoxQuery query = NetBoxQuery.of("device_id", Long.toString(deviceId));
        NetBoxQuery selecting = api.version().atLeast(4, 0) ? query.and("fields", CabledInterface.FIELDS) : query;
        return api.http().getAll(INTERFACES, selecting).stream().map(CabledInterface::from).toList();
    }

    public Optional<DeviceInterface> byId(long id) {
        return api.byId(INTERFACES, id, DeviceInterface::from);
    }

    public List<DeviceInterface> byMac(MacAddress mac) {
        return byMac.apply(mac);
    }

    public List<DeviceInterface> byMacs(Collection<MacAddress> macs) {
        return api.listInBatches(INTERFACES, "mac_address", NetBoxApi.distinct(macs, MacAddress::value),
                DeviceInterface::from);
    }

    /** The device's BMC interface, as {@link BmcInterfacePattern#choose} picks it. */
    public BmcInterfaceMatch bmc(long deviceId, BmcInterfacePattern bmcs) {
        return bmcs.choose(ofDevice(deviceId));
    }

    /**
     * Makes {@code mac} the interface's MAC. On 4.2+ an existing MAC object of that value on the
     * interface is reused, so a repeated call creates nothing new; the interface then points at it
     * as its primary MAC.
     */
    public DeviceInterface setMac(DeviceInterface iface, MacAddress mac) {
        return macModel().set(iface, mac);
    }

    /**
     * Makes each MAC its interface's MAC, in bulk requests: on 4.2+ the MAC objects that are missing
     * are created in one POST (existing ones assigned to the interface are reused), then one PATCH
     * points every interface at its primary MAC; before 4.2 one PATCH sets the field.
     */
    public void setMacs(Map<Long, MacAddress> macByInterface) {
        if (!macByInterface.isEmpty()) {
            macModel().setAll(macByInterface);
        }
    }

    /** The MAC address objects with these values (NetBox 4.2+), batched. */
    public List<MacObject> macObjects(Collection<MacAddress> macs) {
        return objects.find(macs);
    }

    /** The one place the NetBox version decides how a MAC is written. */
    private InterfaceMacs macModel() {
        return switch (api.version().macModel()) {
            case INTERFACE_FIELD -> field;
            case OBJECTS -> objects;
        };
    }

    private List<DeviceInterface> fetchByMac(MacAddress mac) {
        return api.list(INTERFACES, NetBoxQuery.of("mac_address", mac.value()), DeviceInterface::from);
    }

    private List<List<DeviceInterface>> fetchByMacEach(List<MacAddress> macs) {
        Map<MacAddress, List<DeviceInterface>> found = new HashMap<>();
        for (JsonNode json : api.listInBatches(INTERFACES, "mac_address", NetBoxApi.distinct(macs, MacAddress::value),
                json -> json)) {
            DeviceInterface iface = DeviceInterface.from(json);
            // Every MAC the interface carries: 4.2+ MAC objects (primary or not) and the older field.
            Set<MacAddress> carried = new HashSet<>();
            json.path("mac_addresses").forEach(m -> MacAddress.parse(m.path("mac_address").asText(null)).ifPresent(carried::add));
            MacAddress.parse(json.path("mac_address").asText(null)).ifPresent(carried::add);
            iface.mac().ifPresent(carried::add);
            carried.forEach(m -> found.computeIfAbsent(m, k -> new ArrayList<>()).add(iface));
        }
        return macs.stream().map(m -> List.copyOf(found.getOrDefault(m, List.of()))).toList();
    }
}
