package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one way the pipeline reads and writes NetBox: typed records in, typed records out.
 * It knows the API generations (MAC field vs MAC objects, v1 vs v2 tokens) so callers do not.
 * Lookups that take many keys go in batches, because NetBox ORs repeated filter values.
 */
public final class NetBoxClient {

    /** Keys per batched lookup. */
    static final int BATCH = 100;

    /**
     * Bytes of filter values per batched lookup: with the path and the field selection the request line
     * stays under gunicorn's default limit of 4094 bytes (NetBox answers a longer one with a bare 400).
     */
    static final int QUERY_BUDGET = 3500;

    private final Settings settings;
    private final NetBoxHttp http;
    private final Batching batching;
    private final Batchers batchers;
    /** Shared with the clients {@link #withRetries} makes: the same NetBox, so what one learns, all know. */
    private final java.util.concurrent.atomic.AtomicReference<NetBoxVersion> version;

    public NetBoxClient(Settings settings) {
        this(settings, Batching.OFF);
    }

    /**
     * With {@code batching} on, concurrent single-object calls of the per-lease path (device by id,
     * interfaces by MAC, addresses by host or interface, journal reads and writes, IP creation,
     * device PATCH) are served by one bulk request per wave (see {@link Batcher}).
     */
    public NetBoxClient(Settings settings, Batching batching) {
        this(settings, batching, new java.util.concurrent.atomic.AtomicReference<>());
    }

    private NetBoxClient(Settings settings, Batching batching,
            java.util.concurrent.atomic.AtomicReference<NetBoxVersion> version) {
        this.settings = settings;
        this.version = version;
        this.batching = batching;
        this.http = new NetBoxHttp(settings.url(), settings.token(), settings.connectTimeout(),
                settings.requestTimeout(), new NetBoxHttp.RetryPolicy(settings.maxRetries(),
                        settings.initialBackoff(), settings.maxBackoff()), settings.pageSize());
        this.batchers = batching.on() ? new Batchers() : null;
    }

    /**
     * At most how many calls share one request, how many requests of one kind may be out at once
     * (calls arriving meanwhile form the next one), and how long the prefix plan is kept.
     */
    public record Batching(int maxBatch, int maxInFlight, Duration prefixCacheAge) {
        public static final Batching OFF = new Batching(1, 1, Duration.ZERO);

        public Batching {
            if (maxBatch < 1 || maxBatch > BATCH || maxInFlight < 1) {
                throw new IllegalArgumentException("batch size must be 1.." + BATCH + " and in-flight at least 1, were "
                        + maxBatch + ", " + maxInFlight);
            }
        }

        boolean on() {
            return maxBatch > 1;
        }
    }

    /** A device PATCH: the fields to change. */
    record DevicePatch(long deviceId, ObjectNode fields) {}

    /** An IP address to create on an interface. */
    record NewIp(String cidr, long interfaceId, String description, Optional<Long> vrfId) {}

    private final class Batchers {
        final Batcher<Long, Optional<Device>> device = batcher("device", NetBoxClient.this::devicesEach, null);
        final Batcher<MacAddress, List<DeviceInterface>> interfacesByMac =
                batcher("interfaces-by-mac", NetBoxClient.this::interfacesByMacEach, null);
        final Batcher<String, List<IpAddress>> ipAddresses = batcher("ip-by-host", NetBoxClient.this::ipAddressesEach, null);
        final Batcher<Long, List<IpAddress>> ipAddressesOfInterface =
                batcher("ip-by-interface", NetBoxClient.this::ipAddressesOfInterfacesEach, null);
        final Batcher<JournalQuery, List<JournalEntry>> journalEntries =
                batcher("journal-read", NetBoxClient.this::journalEntriesEach, null);
        final Batcher<NewJournalEntry, JournalEntry> journal =
                batcher("journal-write", NetBoxClient.this::journalEach, NetBoxClient.this::journalAlone);
        final Batcher<NewIp, IpAddress> createIp =
                batcher("ip-create", NetBoxClient.this::createIpEach, NetBoxClient.this::createIpAlone);
        final Batcher<DevicePatch, Device> patchDevice =
                batcher("device-patch", NetBoxClient.this::patchDevicesEach, NetBoxClient.this::patchDeviceAlone);

        /** The prefix plan, read once per {@code prefixCacheAge} instead of once per lease. */
        final PrefixIndex prefixes = new PrefixIndex(() -> http.getAll("api/ipam/prefixes/",
                NetBoxQuery.of("family", "4").and("fields", "prefix,vrf")).stream().map(NetBoxClient::listedPrefix)
                .toList(), batching.prefixCacheAge());

        private <Q, R> Batcher<Q, R> batcher(String name, java.util.function.Function<List<Q>, List<R>> each,
                java.util.function.Function<Q, R> alone) {
            return new Batcher<>("netbox-" + name, batching.maxBatch(), batching.maxInFlight(), each, alone);
        }
    }

    /** Connection settings; the token never appears in {@link #toString()}. */
    public record Settings(URI url, NetBoxToken token, Duration connectTimeout, Duration requestTimeout,
                           int maxRetries, Duration initialBackoff, Duration maxBackoff, int pageSize) {

        /** NetBox's default MAX_PAGE_SIZE: the fewest round trips a stock NetBox allows. */
        public static final int MAX_PAGE_SIZE = 1000;

        public static Settings of(URI url, NetBoxToken token) {
            return new Settings(url, token, Duration.ofSeconds(5), Duration.ofSeconds(30), 4,
                    Duration.ofMillis(200), Duration.ofSeconds(5), MAX_PAGE_SIZE);
        }

        public Settings withRetries(int retries) {
            return new Settings(url, token, connectTimeout, requestTimeout, retries, initialBackoff, maxBackoff, pageSize);
        }

        public Settings withPageSize(int size) {
            return new Settings(url, token, connectTimeout, requestTimeout, maxRetries, initialBackoff, maxBackoff, size);
        }
    }

    public URI url() {
        return http.base();
    }

    public NetBoxToken.Kind tokenKind() {
        return settings.token().kind();
    }

    /** The same NetBox with another retry budget: a health probe must answer now, not in 20 s. */
    public NetBoxClient withRetries(int retries) {
        return new NetBoxClient(settings.withRetries(retries), Batching.OFF, version);
    }

    // ---- status and capabilities ---------------------------------------------------------

    /** Reads the version from {@code /api/status/} once; later calls reuse it. */
    public NetBoxVersion version() {
        NetBoxVersion known = version.get();
        return known != null ? known : refreshVersion();
    }

    /** Re-reads {@code /api/status/}: for health checks, which must see NetBox as it is now. */
    public NetBoxVersion refreshVersion() {
        NetBoxVersion now = NetBoxVersion.parse(http.get("api/status/", NetBoxQuery.empty()).path("netbox-version").asText());
        version.set(now);
        return now;
    }

    /** The device status values NetBox accepts, from the OPTIONS metadata of the device list. */
    public Set<String> deviceStatusChoices() {
        JsonNode choices = http.options("api/dcim/devices/").path("actions").path("POST").path("status").path("choices");
        Set<String> values = new LinkedHashSet<>();
        choices.forEach(c -> values.add(c.path("value").asText()));
        if (values.isEmpty()) {
            throw new NetBoxException.AuthRefused("OPTIONS /api/dcim/devices/", 403,
                    "no status choices in the metadata: the token cannot create devices, so it cannot see them");
        }
        return values;
    }

    // ---- devices --------------------------------------------------------------------------

    public Optional<Device> device(long id) {
        if (batchers != null) {
            return batchers.device.get(id);
        }
        try {
            return Optional.of(Device.from(http.get("api/dcim/devices/" + id + "/", selecting("api/dcim/devices/", NetBoxQuery.empty()))));
        } catch (NetBoxException.NotFound e) {
            return Optional.empty();
        }
    }

    /** NetBox matches serials case-insensitively; several devices may share one. */
    public List<Device> devicesBySerial(String serial) {
        return list("api/dcim/devices/", NetBoxQuery.of("serial", serial), Device::from);
    }

    /** Batched lookup; the result holds only the devices found, in NetBox's order. */
    public List<Device> devicesBySerials(Collection<String> serials) {
        List<Device> found = new ArrayList<>();
        for (List<String> batch : batches(serials, "serial", s -> s)) {
            found.addAll(list("api/dcim/devices/", NetBoxQuery.of("serial", batch.toArray(String[]::new)), Device::from));
        }
        return found;
    }

    /**
     * Every device at these sites (slugs), or of the whole NetBox when none are given, page by page. An unknown
     * slug is refused by NetBox ({@link NetBoxException.Rejected}) rather than matching nothing.
     */
    public List<Device> devicesAtSites(Collection<String> siteSlugs) {
        NetBoxQuery query = siteSlugs.isEmpty() ? NetBoxQuery.empty() : NetBoxQuery.of("site", List.copyOf(siteSlugs));
        return list("api/dcim/devices/", query, Device::from);
    }

    public List<Device> devicesByMac(MacAddress mac) {
        return list("api/dcim/devices/", NetBoxQuery.of("mac_address", mac.value()), Device::from);
    }

    public Device setStatus(long deviceId, String status) {
        return patchDevice(new DevicePatch(deviceId, object().put("status", status)));
    }

    private Device patchDevice(DevicePatch patch) {
        return batchers != null ? batchers.patchDevice.get(patch) : patchDeviceAlone(patch);
    }

    private Device patchDeviceAlone(DevicePatch patch) {
        return Device.from(http.patch("api/dcim/devices/" + patch.deviceId() + "/", patch.fields()));
    }

    /** One bulk PATCH for patches of distinct devices; answers in the order asked. */
    private List<Device> patchDevicesEach(List<DevicePatch> patches) {
        if (patches.stream().map(DevicePatch::deviceId).distinct().count() < patches.size()) {
            return patches.stream().map(this::patchDeviceAlone).toList(); // one device twice: in order, alone
        }
        ArrayNode body = NetBoxHttp.json().createArrayNode();
        patches.forEach(p -> body.addObject().put("id", p.deviceId()).setAll(p.fields()));
        Map<Long, Device> byId = new java.util.HashMap<>();
        http.patch("api/dcim/devices/", body).forEach(d -> byId.put(d.path("id").asLong(), Device.from(d)));
        return patches.stream().map(p -> requireAnswer(byId.get(p.deviceId()), "PATCH device " + p.deviceId())).toList();
    }

    private static <T> T requireAnswer(T answer, String what) {
        if (answer == null) {
            throw new IllegalStateException("NetBox's bulk answer lacks " + what);
        }
        return answer;
    }

    private List<Optional<Device>> devicesEach(List<Long> ids) {
        Map<Long, Device> byId = new java.util.HashMap<>();
        list("api/dcim/devices/", NetBoxQuery.of("id", distinct(ids, String::valueOf)), Device::from)
                .forEach(d -> byId.put(d.id(), d));
        return ids.stream().map(id -> Optional.ofNullable(byId.get(id))).toList();
    }

    private List<List<DeviceInterface>> interfacesByMacEach(List<MacAddress> macs) {
        Map<MacAddress, List<DeviceInterface>> byMac = new java.util.HashMap<>();
        List<JsonNode> found = new ArrayList<>();
        for (List<MacAddress> batch : batches(macs, "mac_address", MacAddress::value)) {
            found.addAll(list("api/dcim/interfaces/",
                    NetBoxQuery.of("mac_address", batch.stream().map(MacAddress::value).toList()), json -> json));
        }
        for (JsonNode json : found) {
            DeviceInterface iface = DeviceInterface.from(json);
            // Every MAC the interface carries: 4.2+ MAC objects (primary or not) and the older field.
            Set<MacAddress> carried = new java.util.HashSet<>();
            json.path("mac_addresses").forEach(m -> MacAddress.parse(m.path("mac_address").asText(null)).ifPresent(carried::add));
            MacAddress.parse(json.path("mac_address").asText(null)).ifPresent(carried::add);
            iface.mac().ifPresent(carried::add);
            carried.forEach(m -> byMac.computeIfAbsent(m, k -> new ArrayList<>()).add(iface));
        }
        return macs.stream().map(m -> List.copyOf(byMac.getOrDefault(m, List.of()))).toList();
    }

    private List<List<IpAddress>> ipAddressesEach(List<String> hosts) {
        Map<String, List<IpAddress>> byHost = new java.util.HashMap<>();
        list("api/ipam/ip-addresses/", NetBoxQuery.of("address", distinct(hosts, h -> h)), IpAddress::from)
                .forEach(ip -> byHost.computeIfAbsent(ip.host(), k -> new ArrayList<>()).add(ip));
        return hosts.stream().map(h -> List.copyOf(byHost.getOrDefault(h, List.of()))).toList();
    }

    private List<List<IpAddress>> ipAddressesOfInterfacesEach(List<Long> interfaceIds) {
        Map<Long, List<IpAddress>> byInterface = new java.util.HashMap<>();
        list("api/ipam/ip-addresses/", NetBoxQuery.of("interface_id", distinct(interfaceIds, String::valueOf)), IpAddress::from)
                .forEach(ip -> ip.assignedObjectId().ifPresent(
                        id -> byInterface.computeIfAbsent(id, k -> new ArrayList<>()).add(ip)));
        return interfaceIds.stream().map(id -> List.copyOf(byInterface.getOrDefault(id, List.of()))).toList();
    }

    /** A device's journal entries created at or after {@code since} (empty: all of them). */
    record JournalQuery(long deviceId, Optional<java.time.Instant> since) {}

    /** One request for a batch: the earliest {@code since} of the batch serves all of it (each caller filters). */
    private List<List<JournalEntry>> journalEntriesEach(List<JournalQuery> queries) {
        Optional<java.time.Instant> since = queries.stream().allMatch(q -> q.since().isPresent())
                ? queries.stream().map(q -> q.since().orElseThrow()).min(java.util.Comparator.naturalOrder())
                : Optional.empty();
        List<Long> deviceIds = queries.stream().map(JournalQuery::deviceId).distinct().toList();
        Map<Long, List<JournalEntry>> byDevice = new java.util.HashMap<>();
        journalEntriesOfDevices(deviceIds, since)
                .forEach(e -> byDevice.computeIfAbsent(e.deviceId(), k -> new ArrayList<>()).add(e));
        return queries.stream().map(q -> List.copyOf(byDevice.getOrDefault(q.deviceId(), List.of()))).toList();
    }

    private List<JournalEntry> journalEach(List<NewJournalEntry> entries) {
        List<JournalEntry> written = new ArrayList<>();
        http.post("api/extras/journal-entries/", journalBody(entries)).forEach(e -> written.add(JournalEntry.from(e)));
        return written;
    }

    private JournalEntry journalAlone(NewJournalEntry e) {
        return JournalEntry.from(http.post("api/extras/journal-entries/", journalEntryBody(e)));
    }

    private static ObjectNode journalEntryBody(NewJournalEntry e) {
        return object()
                .put("assigned_object_type", "dcim.device")
                .put("assigned_object_id", e.deviceId())
                .put("kind", e.kind().apiValue())
                .put("comments", e.comments());
    }

    private List<IpAddress> createIpEach(List<NewIp> ips) {
        ArrayNode body = NetBoxHttp.json().createArrayNode();
        ips.forEach(ip -> body.add(ipBody(ip)));
        List<IpAddress> created = new ArrayList<>();
        http.post("api/ipam/ip-addresses/", body).forEach(ip -> created.add(IpAddress.from(ip)));
        return created;
    }

    private IpAddress createIpAlone(NewIp ip) {
        return IpAddress.from(http.post("api/ipam/ip-addresses/", ipBody(ip)));
    }

    private static ObjectNode ipBody(NewIp ip) {
        return object()
                .put("address", ip.cidr())
                .put("status", "active")
                .put("assigned_object_type", "dcim.interface")
                .put("assigned_object_id", ip.interfaceId())
                .put("description", ip.description())
                .put("vrf", ip.vrfId().orElse(null));
    }

    private static <T> List<String> distinct(List<T> keys, java.util.function.Function<T, String> text) {
        return keys.stream().map(text).distinct().toList();
    }

    /** One bulk PATCH: NetBox applies all or none of it. */
    public List<Device> setStatuses(Map<Long, String> statusByDevice) {
        ArrayNode body = NetBoxHttp.json().createArrayNode();
        statusByDevice.forEach((id, status) -> body.addObject().put("id", id).put("status", status));
        List<Device> updated = new ArrayList<>();
        http.patch("api/dcim/devices/", body).forEach(d -> updated.add(Device.from(d)));
        return updated;
    }

    /**
     * One PATCH for what changes together: the out-of-band IP (an address already assigned to one
     * of the device's interfaces) and, when given, the status. NetBox applies both or neither.
     */
    public Device setOobIpAndStatus(long deviceId, long ipAddressId, Optional<String> status) {
        ObjectNode body = object().put("oob_ip", ipAddressId);
        status.ifPresent(s -> body.put("status", s));
        return patchDevice(new DevicePatch(deviceId, body));
    }

    /** Points the device's out-of-band IP at an address already assigned to one of its interfaces. */
    public Device setOobIp(long deviceId, long ipAddressId) {
        return patchDevice(new DevicePatch(deviceId, object().put("oob_ip", ipAddressId)));
    }

    // ---- interfaces and MACs --------------------------------------------------------------

    public List<DeviceInterface> interfaces(long deviceId) {
        return list("api/dcim/interfaces/", NetBoxQuery.of("device_id", Long.toString(deviceId)), DeviceInterface::from);
    }

    /** The interfaces of many devices, in batched requests. */
    public List<DeviceInterface> interfacesOfDevices(Collection<Long> deviceIds) {
        List<DeviceInterface> found = new ArrayList<>();
        for (List<Long> batch : batches(deviceIds, "device_id", String::valueOf)) {
            found.addAll(list("api/dcim/interfaces/",
                    NetBoxQuery.of("device_id", batch.stream().map(String::valueOf).toList()), DeviceInterface::from));
        }
        return found;
    }

    /** A MAC address object (NetBox 4.2+) and the interface it is assigned to, if any. */
    public record MacObject(long id, MacAddress mac, Optional<Long> interfaceId) {}

    /** The MAC address objects with these values (NetBox 4.2+), batched. */
    public List<MacObject> macObjects(Collection<MacAddress> macs) {
        List<MacObject> found = new ArrayList<>();
        for (List<MacAddress> batch : batches(macs, "mac_address", MacAddress::value)) {
            found.addAll(list("api/dcim/mac-addresses/", NetBoxQuery.of("mac_address", batch.stream().map(MacAddress::value).toList()),
                    node -> new MacObject(node.path("id").asLong(), MacAddress.of(node.path("mac_address").asText()),
                            "dcim.interface".equals(node.path("assigned_object_type").asText())
                                    && node.path("assigned_object_id").isNumber()
                                    ? Optional.of(node.path("assigned_object_id").asLong()) : Optional.empty())));
        }
        return found;
    }

    /**
     * Makes each MAC its interface's MAC, in bulk requests: on 4.2+ the MAC objects that are missing
     * are created in one POST (existing ones assigned to the interface are reused), then one PATCH
     * points every interface at its primary MAC; before 4.2 one PATCH sets the field.
     */
    public void setInterfaceMacs(Map<Long, MacAddress> macByInterface) {
        if (macByInterface.isEmpty()) {
            return;
        }
        ArrayNode patch = NetBoxHttp.json().createArrayNode();
        switch (version().macModel()) {
            case INTERFACE_FIELD -> macByInterface.forEach((iface, mac) ->
                    patch.addObject().put("id", iface).put("mac_address", mac.value()));
            case OBJECTS -> {
                Map<Long, Long> macIdByInterface = new java.util.HashMap<>();
                for (MacObject existing : macObjects(macByInterface.values())) {
                    existing.interfaceId()
                            .filter(iface -> existing.mac().equals(macByInterface.get(iface)))
                            .ifPresent(iface -> macIdByInterface.put(iface, existing.id()));
                }
                ArrayNode create = NetBoxHttp.json().createArrayNode();
                List<Long> order = new ArrayList<>();
                macByInterface.forEach((iface, mac) -> {
                    if (!macIdByInterface.containsKey(iface)) {
                        create.addObject().put("mac_address", mac.value())
                                .put("assigned_object_type", "dcim.interface").put("assigned_object_id", iface);
                        order.add(iface);
                    }
                });
                if (!create.isEmpty()) {
                    JsonNode created = http.post("api/dcim/mac-addresses/", create);
                    for (int i = 0; i < order.size(); i++) {
                        macIdByInterface.put(order.get(i), created.get(i).path("id").asLong());
                    }
                }
                macIdByInterface.forEach((iface, macId) -> patch.addObject().put("id", iface).put("primary_mac_address", macId));
            }
        }
        http.patch("api/dcim/interfaces/", patch);
    }

    public Optional<DeviceInterface> interfaceById(long id) {
        try {
            return Optional.of(DeviceInterface.from(http.get("api/dcim/interfaces/" + id + "/", selecting("api/dcim/interfaces/", NetBoxQuery.empty()))));
        } catch (NetBoxException.NotFound e) {
            return Optional.empty();
        }
    }

    public List<DeviceInterface> interfacesByMac(MacAddress mac) {
        if (batchers != null) {
            return batchers.interfacesByMac.get(mac);
        }
        return list("api/dcim/interfaces/", NetBoxQuery.of("mac_address", mac.value()), DeviceInterface::from);
    }

    public List<DeviceInterface> interfacesByMacs(Collection<MacAddress> macs) {
        List<DeviceInterface> found = new ArrayList<>();
        for (List<MacAddress> batch : batches(macs, "mac_address", MacAddress::value)) {
            found.addAll(list("api/dcim/interfaces/",
                    NetBoxQuery.of("mac_address", batch.stream().map(MacAddress::value).toArray(String[]::new)),
                    DeviceInterface::from));
        }
        return found;
    }

    /** The device's BMC interface, as {@link BmcInterfacePattern#choose} picks it. */
    public BmcInterfaceMatch bmcInterface(long deviceId, BmcInterfacePattern bmcs) {
        return bmcs.choose(interfaces(deviceId));
    }

    /**
     * Makes {@code mac} the interface's MAC. On 4.2+ an existing MAC object of that value on the
     * interface is reused, so a repeated call creates nothing new; the interface then points at it
     * as its primary MAC.
     */
    public DeviceInterface setInterfaceMac(DeviceInterface iface, MacAddress mac) {
        String path = "api/dcim/interfaces/" + iface.id() + "/";
        return switch (version().macModel()) {
            case INTERFACE_FIELD -> DeviceInterface.from(http.patch(path, object().put("mac_address", mac.value())));
            case OBJECTS -> {
                long macId = list("api/dcim/mac-addresses/",
                        NetBoxQuery.of("mac_address", mac.value()).and("assigned_object_type", "dcim.interface")
                                .and("assigned_object_id", Long.toString(iface.id())),
                        node -> node.path("id").asLong())
                        .stream().findFirst()
                        .orElseGet(() -> http.post("api/dcim/mac-addresses/", object()
                                .put("mac_address", mac.value())
                                .put("assigned_object_type", "dcim.interface")
                                .put("assigned_object_id", iface.id())).path("id").asLong());
                yield DeviceInterface.from(http.patch(path, object().put("primary_mac_address", macId)));
            }
        };
    }

    // ---- IP addresses ---------------------------------------------------------------------

    /** Every IPAM address with this host part, whatever its prefix length or VRF. */
    public List<IpAddress> ipAddresses(String host) {
        if (batchers != null) {
            return batchers.ipAddresses.get(host);
        }
        return list("api/ipam/ip-addresses/", NetBoxQuery.of("address", host), IpAddress::from);
    }

    /**
     * The most specific NetBox prefix containing {@code host}, across VRFs, with its VRF: where the lease's address
     * belongs. When prefixes of several VRFs are equally specific, the global table's wins, then the lowest VRF id.
     */
    public Optional<IpPrefix> prefixContaining(String host) {
        Optional<PrefixIndex.Prefix> found;
        if (batchers != null && !batching.prefixCacheAge().isZero()) {
            found = batchers.prefixes.longestContaining(host);
        } else {
            int address = io.bmpipeline.address.Ipv4Address.parse(host)
                    .orElseThrow(() -> new IllegalArgumentException("not an IPv4 address: " + host)).bits();
            found = PrefixIndex.longest(http.getAll("api/ipam/prefixes/", NetBoxQuery.of("contains", host)
                            .and("fields", "prefix,vrf")).stream().map(NetBoxClient::listedPrefix)
                    .map(l -> PrefixIndex.Prefix.parse(l.cidr(), l.vrf())).flatMap(Optional::stream)
                    .filter(p -> p.contains(address)).toList());
        }
        return found.map(p -> new IpPrefix(p.length(), p.vrf()));
    }

    private static PrefixIndex.Listed listedPrefix(com.fasterxml.jackson.databind.JsonNode p) {
        return new PrefixIndex.Listed(p.path("prefix").asText(),
                p.path("vrf").isObject() ? Optional.of(p.path("vrf").path("id").asLong()) : Optional.empty());
    }

    public List<IpAddress> ipAddressesOfInterface(long interfaceId) {
        if (batchers != null) {
            return batchers.ipAddressesOfInterface.get(interfaceId);
        }
        return list("api/ipam/ip-addresses/", NetBoxQuery.of("interface_id", Long.toString(interfaceId)), IpAddress::from);
    }

    public IpAddress createIpAddress(String cidr, long interfaceId, String description) {
        return createIpAddress(cidr, interfaceId, description, Optional.empty());
    }

    /** As above, in the VRF {@code vrfId} (empty: the global table). */
    public IpAddress createIpAddress(String cidr, long interfaceId, String description, Optional<Long> vrfId) {
        NewIp ip = new NewIp(cidr, interfaceId, description, vrfId);
        return batchers != null ? batchers.createIp.get(ip) : createIpAlone(ip);
    }

    public IpAddress assignIpAddress(long ipAddressId, long interfaceId) {
        return assignIpAddress(ipAddressId, interfaceId, Optional.empty());
    }

    /** Assigns the address to the interface and, when given, sets its description in the same PATCH. */
    public IpAddress assignIpAddress(long ipAddressId, long interfaceId, Optional<String> description) {
        ObjectNode body = object()
                .put("assigned_object_type", "dcim.interface")
                .put("assigned_object_id", interfaceId);
        description.ifPresent(d -> body.put("description", d));
        return IpAddress.from(http.patch("api/ipam/ip-addresses/" + ipAddressId + "/", body));
    }

    /** Takes the address off whatever it is assigned to; the object stays, with its status and description. */
    public IpAddress unassignIpAddress(long ipAddressId) {
        ObjectNode body = object();
        body.putNull("assigned_object_type");
        body.putNull("assigned_object_id");
        return IpAddress.from(http.patch("api/ipam/ip-addresses/" + ipAddressId + "/", body));
    }

    public void deleteIpAddress(long ipAddressId) {
        http.delete("api/ipam/ip-addresses/" + ipAddressId + "/");
    }

    // ---- journal --------------------------------------------------------------------------

    public JournalEntry journal(long deviceId, JournalEntry.Kind kind, String comments) {
        NewJournalEntry entry = new NewJournalEntry(deviceId, kind, comments);
        return batchers != null ? batchers.journal.get(entry) : journalAlone(entry);
    }

    /** A journal entry to write in bulk. */
    public record NewJournalEntry(long deviceId, JournalEntry.Kind kind, String comments) {}

    /** Many journal entries in one request. */
    public void journal(List<NewJournalEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        http.post("api/extras/journal-entries/", journalBody(entries));
    }

    private static ArrayNode journalBody(List<NewJournalEntry> entries) {
        ArrayNode body = NetBoxHttp.json().createArrayNode();
        entries.forEach(e -> body.add(journalEntryBody(e)));
        return body;
    }

    /** The journal entries of many devices, batched. */
    public List<JournalEntry> journalEntriesOfDevices(Collection<Long> deviceIds) {
        return journalEntriesOfDevices(deviceIds, Optional.empty());
    }

    /** The devices' journal entries, only those NetBox created at or after {@code since} when given. */
    public List<JournalEntry> journalEntriesOfDevices(Collection<Long> deviceIds, Optional<java.time.Instant> since) {
        List<JournalEntry> found = new ArrayList<>();
        for (List<Long> batch : batches(deviceIds, "assigned_object_id", String::valueOf)) {
            NetBoxQuery query = NetBoxQuery.of("assigned_object_type", "dcim.device")
                    .and("assigned_object_id", batch.stream().map(String::valueOf).toList());
            if (since.isPresent()) {
                query = query.and("created_after", since.get().toString());
            }
            found.addAll(list("api/extras/journal-entries/", query, JournalEntry::from));
        }
        return found;
    }

    public List<JournalEntry> journalEntries(long deviceId) {
        return journalEntries(deviceId, Optional.empty());
    }

    /**
     * The device's journal entries NetBox created at or after {@code since} (all when empty): a lease's entry is
     * looked for among the entries written since it was seen, not through the device's whole journal.
     */
    public List<JournalEntry> journalEntries(long deviceId, Optional<java.time.Instant> since) {
        if (batchers != null) {
            return batchers.journalEntries.get(new JournalQuery(deviceId, since));
        }
        return journalEntriesOfDevices(List.of(deviceId), since);
    }

    // ---- plumbing -------------------------------------------------------------------------

    /** The wire layer, for the test fixture that seeds sites and device types through the same API. */
    NetBoxHttp http() {
        return http;
    }

    private <T> List<T> list(String path, NetBoxQuery query, java.util.function.Function<JsonNode, T> reader) {
        return http.getAll(path, selecting(path, query)).stream().map(reader).toList();
    }

    /**
     * What NetBox 4.0+ serializes for us ({@code fields=}): only what our records read. The records
     * are the same; NetBox skips the nested objects, counters and custom fields it would render,
     * which is most of its time on a read. Never on a write: NetBox applies the selection to the
     * request body too, and would drop every field not selected (found out the hard way).
     */
    private static final Map<String, String> FIELDS_READ = Map.of(
            "api/dcim/devices/", Device.FIELDS,
            "api/dcim/interfaces/", DeviceInterface.FIELDS,
            "api/dcim/mac-addresses/", "id,mac_address,assigned_object_type,assigned_object_id",
            "api/ipam/ip-addresses/", IpAddress.FIELDS,
            "api/extras/journal-entries/", JournalEntry.FIELDS);

    /**
     * {@code query} and, for the objects our records read, the field selection, once the version is
     * known to have it (the service learns it at start; no request is made just to find out).
     */
    private NetBoxQuery selecting(String collection, NetBoxQuery query) {
        String fields = FIELDS_READ.get(collection);
        NetBoxVersion known = version.get();
        return fields == null || known == null || !known.atLeast(4, 0) ? query : query.and("fields", fields);
    }

    private static ObjectNode object() {
        return NetBoxHttp.json().createObjectNode();
    }

    /** The distinct items in runs of at most {@link #BATCH}, whose filter values fit {@link #QUERY_BUDGET}. */
    static <T> List<List<T>> batches(Collection<T> items, String key, java.util.function.Function<T, String> text) {
        List<List<T>> batches = new ArrayList<>();
        List<T> current = new ArrayList<>();
        int used = 0;
        for (T item : new LinkedHashSet<>(items)) {
            int cost = key.length() + 2 + NetBoxQuery.encode(text.apply(item)).length(); // "&key=value"
            if (!current.isEmpty() && (current.size() == BATCH || used + cost > QUERY_BUDGET)) {
                batches.add(current);
                current = new ArrayList<>();
                used = 0;
            }
            current.add(item);
            used += cost;
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }
}
