package io.bmpipeline.netbox;

import java.util.List;

/** What looking for a device's BMC interface found: exactly one, none, or too many to choose from. */
public sealed interface BmcInterfaceMatch {

    record Found(DeviceInterface bmc) implements BmcInterfaceMatch {}

    record Missing(List<String> interfaceNames) implements BmcInterfaceMatch {}

    record Ambiguous(List<DeviceInterface> candidates) implements BmcInterfaceMatch {}
}
