package io.bmpipeline.netbox;

import io.bmpipeline.address.MacAddress;
import java.util.Map;

/** How a MAC is written onto an interface: one implementation per NetBox generation ({@link NetBoxVersion.MacModel}). */
sealed interface InterfaceMacs permits MacField, MacObjects {

    /** Makes {@code mac} the interface's MAC; the interface as NetBox then has it. */
    DeviceInterface set(DeviceInterface iface, MacAddress mac);

    /** Makes each MAC its interface's MAC, in bulk requests; {@code macByInterface} is not empty. */
    void setAll(Map<Long, MacAddress> macByInterface);
}
