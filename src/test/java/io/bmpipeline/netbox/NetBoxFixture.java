package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;

/**
 * Seeds a private corner of the live NetBox through its API — a site, a manufacturer, a device
 * type and role, devices with serials and vendor-named interfaces — and removes all of it on
 * {@link #close()}. Every name carries a run tag, so tests never see each other's objects.
 */
public final class NetBoxFixture implements AutoCloseable {

    public record SeededDevice(Device device, List<DeviceInterface> interfaces) {
        public long id() {
            return device.id();
        }

        public DeviceInterface iface(String name) {
            return interfaces.stream().filter(i -> i.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no interface " + name));
        }
    }

    private final NetBoxClient client;
    private final NetBoxHttp http;
    private final String tag;
    private final long siteId;
    private final long deviceTypeId;
    private final long roleId;
    private final java.util.Map<String, Long> otherRoles = new java.util.HashMap<>();
    private final java.util.Map<String, Long> manufacturers = new java.util.HashMap<>();
    /** The fixture's device types by manufacturer and model, as {@link #typeKey} spells them. */
    private final java.util.Map<String, Long> deviceTypes = new java.util.HashMap<>();
    private final Deque<String> cleanup = new ArrayDeque<>();
    private int devices;

    public NetBoxFixture(NetBoxClient client) {
        this.client = client;
        this.http = client.http();
        this.tag = "t" + UUID.randomUUID().toString().substring(0, 8);
        this.siteId = create("api/dcim/sites/", obj().put("name", "site-" + tag).put("slug", "site-" + tag));
        long manufacturer = create("api/dcim/manufacturers/", obj().put("name", "mfr-" + tag).put("slug", "mfr-" + tag));
        this.deviceTypeId = create("api/dcim/device-types/", obj().put("manufacturer", manufacturer)
                .put("model", "model-" + tag).put("slug", "model-" + tag));
        this.roleId = create("api/dcim/device-roles/", obj().put("name", "role-" + tag).put("slug", "role-" + tag));
    }

    /** A tag unique to this fixture, for serials and names the test makes up itself. */
    public String tag() {
        return tag;
    }

    public NetBoxClient client() {
        return client;
    }

    /** A device in {@code status} with the named interfaces; its serial is {@code serial}. */
    public SeededDevice device(String serial, String status, String... interfaceNames) {
        return device(roleId, deviceTypeId, serial, status, interfaceNames);
    }

    /**
     * A device of the fixture's role whose type is {@code model} made by {@code manufacturer}. NetBox's manufacturer
     * names are unique across it, so the fixture's is {@link #manufacturer(String) manufacturer(manufacturer)}; the
     * model is {@code model} exactly. One type per manufacturer and model, made on first use.
     */
    public SeededDevice deviceWithType(String manufacturer, String model, String serial, String status,
                                       String... interfaceNames) {
        long typeId = deviceTypes.computeIfAbsent(typeKey(manufacturer, model), k -> {
            long maker = manufacturers.computeIfAbsent(manufacturer, m -> create("api/dcim/manufacturers/",
                    obj().put("name", manufacturer(m)).put("slug", slug(manufacturer(m)))));
            return create("api/dcim/device-types/", obj().put("manufacturer", maker).put("model", model)
                    .put("slug", slug(model)));
        });
        return device(roleId, typeId, serial, status, interfaceNames);
    }

    /** The name NetBox holds for {@code name} as a manufacturer of {@link #deviceWithType}: the name and the tag. */
    public String manufacturer(String name) {
        return name + " " + tag;
    }

    /** The slug NetBox holds for {@code text} as the fixture makes slugs (a model's, a manufacturer's). */
    public static String slug(String text) {
        return text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]+", "-").replaceAll("^-|-$", "");
    }

    /** Gives the device type of {@link #deviceWithType} a part number. */
    public void setPartNumber(String manufacturer, String model, String partNumber) {
        Long typeId = deviceTypes.get(typeKey(manufacturer, model));
        if (typeId == null) {
            throw new IllegalArgumentException("the fixture has no device type " + manufacturer + " " + model);
        }
        http.patch("api/dcim/device-types/" + typeId + "/", obj().put("part_number", partNumber));
    }

    private static String typeKey(String manufacturer, String model) {
        return manufacturer + "\n" + model;
    }

    /** A cable between two interfaces, removed before the devices are; its id. */
    public long cable(DeviceInterface a, DeviceInterface b) {
        return cable("dcim.interface", a.id(), "dcim.interface", b.id());
    }

    /**
     * A patch panel (a device of the fixture's role with one front port on one rear port) with {@code a} cabled to
     * its front and {@code b} to its rear, so NetBox traces {@code a}'s path through it to {@code b}.
     */
    public SeededDevice patchedThrough(DeviceInterface a, DeviceInterface b) {
        SeededDevice panel = device(serial("PP" + (devices + 1)), "active");
        long rear = http.post("api/dcim/rear-ports/", obj().put("device", panel.id()).put("name", "rear1")
                .put("type", "8p8c").put("positions", 1)).path("id").asLong();
        ObjectNode front = obj().put("device", panel.id()).put("name", "front1").put("type", "8p8c");
        if (client.version().atLeast(4, 5)) {
            // 4.5 maps front to rear ports in a list; it ignores the older pair of fields, leaving the port unmapped.
            front.putArray("rear_ports").addObject().put("position", 1).put("rear_port", rear).put("rear_port_position", 1);
        } else {
            front.put("rear_port", rear).put("rear_port_position", 1);
        }
        long frontId = http.post("api/dcim/front-ports/", front).path("id").asLong();
        cable("dcim.interface", a.id(), "dcim.frontport", frontId);
        cable("dcim.rearport", rear, "dcim.interface", b.id());
        return panel;
    }

    private long cable(String aType, long aId, String bType, long bId) {
        ObjectNode body = obj().put("status", "connected");
        body.putArray("a_terminations").addObject().put("object_type", aType).put("object_id", aId);
        body.putArray("b_terminations").addObject().put("object_type", bType).put("object_id", bId);
        return create("api/dcim/cables/", body);
    }

    /** A /24 picked by the fixture's tag, as "10.A.B" (no host part): tests running side by side lease apart. */
    public String net() {
        int h = tag.hashCode();
        return "10." + (100 + ((h >>> 8) & 0x7f)) + "." + (h & 0xff);
    }

    /** {@link #net()}, made a prefix in NetBox that the fixture owns. */
    public String netWithPrefix() {
        String net = net();
        prefix(net + ".0/24");
        return net;
    }

    /** The slug of the role of {@link #device}'s devices. */
    public String role() {
        return "role-" + tag;
    }

    /** A device of another role of the fixture's ({@code role-TAG-NAME}, e.g. a switch), made on first use. */
    public SeededDevice deviceOfRole(String name, String serial, String status, String... interfaceNames) {
        long id = otherRoles.computeIfAbsent(name, n -> create("api/dcim/device-roles/",
                obj().put("name", "role-" + tag + "-" + n).put("slug", "role-" + tag + "-" + n)));
        return device(id, deviceTypeId, serial, status, interfaceNames);
    }

    private SeededDevice device(long roleId, long typeId, String serial, String status, String... interfaceNames) {
        devices++;
        long id = create("api/dcim/devices/", obj()
                .put("name", "dev-" + tag + "-" + devices)
                .put("serial", serial)
                .put("status", status)
                .put("site", siteId)
                .put("device_type", typeId)
                .put("role", roleId));
        List<DeviceInterface> ifaces = new ArrayList<>();
        for (String name : interfaceNames) {
            JsonNode created = http.post("api/dcim/interfaces/", obj().put("device", id).put("name", name)
                    .put("type", "1000base-t"));
            ifaces.add(DeviceInterface.from(created));
        }
        return new SeededDevice(client.devices().byId(id).orElseThrow(), ifaces);
    }

    /** Flags the interface management-only, as sites mark their BMC ports; returns it as NetBox now has it. */
    public DeviceInterface mgmtOnly(DeviceInterface iface) {
        return DeviceInterface.from(http.patch("api/dcim/interfaces/" + iface.id() + "/", obj().put("mgmt_only", true)));
    }

    /** Gives the interface one more MAC object (4.2+ model), not its primary one. */
    public void secondaryMac(DeviceInterface iface, io.bmpipeline.address.MacAddress mac) {
        http.post("api/dcim/mac-addresses/", obj().put("mac_address", mac.value())
                .put("assigned_object_type", "dcim.interface").put("assigned_object_id", iface.id()));
    }

    /**
     * Makes NetBox refuse (400) every later change to the interface, whatever the change: the interface is put in
     * access mode on a VLAN of the fixture's site, and the VLAN is then moved to another site. NetBox checks an
     * interface's untagged VLAN against its device's site when the interface is saved, not when the VLAN moves.
     */
    public void refusingChanges(DeviceInterface iface) {
        long elsewhere = create("api/dcim/sites/", obj().put("name", "elsewhere-" + tag).put("slug", "elsewhere-" + tag));
        long vlan = create("api/ipam/vlans/", obj().put("vid", 42).put("name", "vlan-" + tag).put("site", siteId));
        http.patch("api/dcim/interfaces/" + iface.id() + "/", obj().put("mode", "access").put("untagged_vlan", vlan));
        http.patch("api/ipam/vlans/" + vlan + "/", obj().put("site", elsewhere));
    }

    /** A VRF owned by the fixture; its id. */
    public long vrf(String name) {
        return create("api/ipam/vrfs/", obj().put("name", name + "-" + tag));
    }

    /**
     * An IP object owned by the fixture: {@code cidr} with {@code status}, in {@code vrf} (empty: global), on
     * {@code interfaceId} (empty: unassigned), described {@code description}.
     */
    public IpAddress ip(String cidr, String status, java.util.Optional<Long> vrf, java.util.Optional<Long> interfaceId,
                        String description) {
        ObjectNode body = obj().put("address", cidr).put("status", status).put("description", description);
        vrf.ifPresent(v -> body.put("vrf", v));
        interfaceId.ifPresent(i -> body.put("assigned_object_type", "dcim.interface").put("assigned_object_id", i));
        IpAddress ip = IpAddress.from(http.post("api/ipam/ip-addresses/", body));
        cleanup.push("api/ipam/ip-addresses/" + ip.id() + "/");
        return ip;
    }

    /** A unique serial for this fixture. */
    public String serial(String suffix) {
        return ("SN" + tag + suffix).toUpperCase(java.util.Locale.ROOT);
    }

    /** A prefix owned by the fixture, e.g. "10.1.2.0/24". */
    public void prefix(String cidr) {
        create("api/ipam/prefixes/", obj().put("prefix", cidr).put("status", "active"));
    }

    /** How many MAC address objects NetBox holds with this value (4.2+ model). */
    public int macObjectCount(String mac) {
        return http.getAll("api/dcim/mac-addresses/", NetBoxQuery.of("mac_address", mac)).size();
    }

    /** Registers an IP the test created, so it is removed with the fixture. */
    public void ownsIp(IpAddress ip) {
        cleanup.push("api/ipam/ip-addresses/" + ip.id() + "/");
    }

    private long create(String path, ObjectNode body) {
        long id = http.post(path, body).path("id").asLong();
        cleanup.push(path + id + "/");
        return id;
    }

    private static ObjectNode obj() {
        return NetBoxHttp.json().createObjectNode();
    }

    @Override
    public void close() {
        // Cables and IPs first, then devices (they take their interfaces, ports and MAC objects along), then what they
        // used. NetBox 4.7 leaves a device's cables behind, without that end; others may take them along (gone is done).
        List<String> paths = new ArrayList<>(cleanup);
        paths.sort((a, b) -> Integer.compare(order(a), order(b)));
        for (String path : paths) {
            http.delete(path);
        }
    }

    private static int order(String path) {
        if (path.startsWith("api/ipam/ip-addresses/") || path.startsWith("api/dcim/cables/")) {
            return 0;
        }
        if (path.startsWith("api/dcim/devices/")) {
            return 1;
        }
        if (path.startsWith("api/dcim/device-types/")) {
            return 2;
        }
        return 3;
    }
}
