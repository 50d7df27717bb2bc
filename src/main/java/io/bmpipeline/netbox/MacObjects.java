package io.bmpipeline.netbox;

import static io.bmpipeline.netbox.NetBoxApi.INTERFACES;
import static io.bmpipeline.netbox.NetBoxApi.MAC_ADDRESSES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * NetBox 4.2+: MACs are objects of their own ({@code /api/dcim/mac-addresses/}), assigned to an interface, which
 * points at its primary one. An object of the same value already on the interface is reused, so writing a MAC
 * twice creates nothing new.
 */
final class MacObjects implements InterfaceMacs {

    private final NetBoxApi api;

    MacObjects(NetBoxApi api) {
        this.api = api;
    }

    @Override
    public DeviceInterface set(DeviceInterface iface, MacAddress mac) {
        Optional<Long> existing = api.list(MAC_ADDRESSES, NetBoxQuery.of("mac_address", mac.value())
                                .and("assigned_object_type", "dcim.interface")
                                .and("assigned_object_id", Long.toString(iface.id())),
                        node -> node.path("id").asLong())
                .stream().findFirst();
        long macId = existing.orElseGet(() -> api.http().post(MAC_ADDRESSES, assignment(mac, iface.id())).path("id").asLong());
        try {
            return DeviceInterface.from(api.http().patch(INTERFACES + iface.id() + "/",
                    NetBoxApi.object().put("primary_mac_address", macId)));
        } catch (NetBoxException.Rejected refused) {
            throw undo(existing.isPresent() ? List.of() : List.of(macId), refused);
        }
    }

    /** The missing MAC objects are created in one POST, then one PATCH points every interface at its own. */
    @Override
    public void setAll(Map<Long, MacAddress> macByInterface) {
        Map<Long, Long> macIdByInterface = new HashMap<>();
        for (NetBoxInterfaces.MacObject existing : find(macByInterface.values())) {
            existing.interfaceId()
                    .filter(iface -> existing.mac().equals(macByInterface.get(iface)))
                    .ifPresent(iface -> macIdByInterface.put(iface, existing.id()));
        }
        ArrayNode create = NetBoxApi.array();
        List<Long> order = new ArrayList<>();
        macByInterface.forEach((iface, mac) -> {
            if (!macIdByInterface.containsKey(iface)) {
                create.add(assignment(mac, iface));
                order.add(iface);
            }
        });
        if (!create.isEmpty()) {
            JsonNode created = api.http().post(MAC_ADDRESSES, create);
            for (int i = 0; i < order.size(); i++) {
                macIdByInterface.put(order.get(i), created.get(i).path("id").asLong());
            }
        }
        ArrayNode patch = NetBoxApi.array();
        macIdByInterface.forEach((iface, macId) -> patch.addObject().put("id", iface).put("primary_mac_address", macId));
        try {
            api.http().patch(INTERFACES, patch);
        } catch (NetBoxException.Rejected refused) {
            throw undo(order.stream().map(macIdByInterface::get).toList(), refused);
        }
    }

    /**
     * NetBox refused to make the MAC objects this call created primary (a bulk PATCH is one transaction, so none
     * is): delete them, so a refused write leaves no MAC behind on the interface. Should the delete fail too, the
     * objects stay, and a later write of the same MAC to that interface reuses them.
     */
    private NetBoxException.Rejected undo(List<Long> created, NetBoxException.Rejected refused) {
        if (!created.isEmpty()) {
            ArrayNode ids = NetBoxApi.array();
            created.forEach(id -> ids.addObject().put("id", id));
            try {
                api.http().deleteAll(MAC_ADDRESSES, ids);
            } catch (NetBoxException e) {
                refused.addSuppressed(e);
            }
        }
        return refused;
    }

    /** The MAC objects with these values, batched. */
    List<NetBoxInterfaces.MacObject> find(Collection<MacAddress> macs) {
        return api.listInBatches(MAC_ADDRESSES, "mac_address", NetBoxApi.distinct(macs, MacAddress::value),
                MacObjects::read);
    }

    private static NetBoxInterfaces.MacObject read(JsonNode node) {
        JsonNode assignedTo = node.path("assigned_object_id");
        return new NetBoxInterfaces.MacObject(node.path("id").asLong(), MacAddress.of(node.path("mac_address").asText()),
                "dcim.interface".equals(node.path("assigned_object_type").asText()) && assignedTo.isNumber()
                        ? Optional.of(assignedTo.asLong()) : Optional.empty());
    }

    private static ObjectNode assignment(MacAddress mac, long interfaceId) {
        return NetBoxApi.object()
                .put("mac_address", mac.value())
                .put("assigned_object_type", "dcim.interface")
                .put("assigned_object_id", interfaceId);
    }
}
