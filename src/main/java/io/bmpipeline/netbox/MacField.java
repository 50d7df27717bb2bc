package io.bmpipeline.netbox;

import static io.bmpipeline.netbox.NetBoxApi.INTERFACES;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.bmpipeline.address.MacAddress;
import java.util.Map;

/** NetBox 3.x–4.1: the MAC is the interface's writable {@code mac_address} field. */
final class MacField implements InterfaceMacs {

    private final NetBoxApi api;

    MacField(NetBoxApi api) {
        this.api = api;
    }

    @Override
    public DeviceInterface set(DeviceInterface iface, MacAddress mac) {
        return DeviceInterface.from(api.http().patch(INTERFACES + iface.id() + "/",
                NetBoxApi.object().put("mac_address", mac.value())));
    }

    /** One PATCH sets the field on every interface. */
    @Override
    public void setAll(Map<Long, MacAddress> macByInterface) {
        ArrayNode patch = NetBoxApi.array();
        macByInterface.forEach((iface, mac) -> patch.addObject().put("id", iface).put("mac_address", mac.value()));
        api.http().patch(INTERFACES, patch);
    }
}
