package io.bmpipeline.callback;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.NetBoxFixture;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A server as the validation image sees it, seeded in the live NetBox: a Dell PowerEdge R650 with eno1/eno2 (MACs
 * set) and a BMC port, eno1 cabled to Ethernet1 of a switch.
 */
record SeededServer(NetBoxFixture.SeededDevice device, String serial, String mac1, String mac2, String switchName,
                    String manufacturer) {

    static SeededServer seed(NetBoxFixture fixture, String status) {
        var netbox = fixture.client();
        String serial = fixture.serial(UUID.randomUUID().toString().substring(0, 6));
        var device = fixture.deviceWithType("Dell Inc.", "PowerEdge R650", serial, status, "eno1", "eno2", "bmc");
        String mac1 = randomMac();
        String mac2 = randomMac();
        netbox.interfaces().setMac(device.iface("eno1"), MacAddress.of(mac1));
        netbox.interfaces().setMac(device.iface("eno2"), MacAddress.of(mac2));
        fixture.mgmtOnly(device.iface("bmc"));
        var tor = fixture.deviceOfRole("switch", fixture.serial("SW" + serial), "active", "Ethernet1", "Ethernet2");
        fixture.cable(device.iface("eno1"), tor.iface("Ethernet1"));
        return new SeededServer(device, serial, mac1, mac2, tor.device().name().orElseThrow(),
                fixture.manufacturer("Dell Inc."));
    }

    private static String randomMac() {
        int r = ThreadLocalRandom.current().nextInt(1 << 24);
        return String.format("52:54:00:%02x:%02x:%02x", (r >>> 16) & 0xff, (r >>> 8) & 0xff, r & 0xff);
    }

    long id() {
        return device.id();
    }

    /** The bodies of a run in which every required step passes against what NetBox holds, in the image's order. */
    Map<String, ObjectNode> passingSteps(String run) {
        Map<String, ObjectNode> steps = new LinkedHashMap<>();
        steps.put("init", PxeCallbackClient.init(run, serial, manufacturer, "PowerEdge R650", mac1, mac2));
        steps.put("memory", PxeCallbackClient.memory(run, 1));
        steps.put("disk", PxeCallbackClient.disk(run, 500_000));
        steps.put("lldp", PxeCallbackClient.lldp(run, new String[] {"eth0", mac1, switchName, "Ethernet1"}));
        return steps;
    }

    /** The journal marker the service ends a step's (or the report's) entry with. */
    static String marker(String run, String step) {
        return "[pxe " + run + "/" + step + "]";
    }
}
