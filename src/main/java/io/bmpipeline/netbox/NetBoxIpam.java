package io.bmpipeline.netbox;

import static io.bmpipeline.netbox.NetBoxApi.IP_ADDRESSES;
import static io.bmpipeline.netbox.NetBoxApi.PREFIXES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.Ipv4Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** IPAM: addresses found by host or interface, created, assigned and removed; the prefix an address belongs to. */
public final class NetBoxIpam {

    private final NetBoxApi api;
    private final Function<String, List<IpAddress>> byHost;
    private final Function<Long, List<IpAddress>> ofInterface;
    private final Function<NewIp, IpAddress> create;
    private final Function<String, Optional<PrefixIndex.Prefix>> longestPrefix;

    /** An IP address to create on an interface. */
    private record NewIp(String cidr, long interfaceId, String description, Optional<Long> vrfId) {}

    NetBoxIpam(NetBoxApi api, RequestSharing sharing) {
        this.api = api;
        this.byHost = sharing.read("ip-by-host", this::fetchByHost, this::fetchByHostEach);
        this.ofInterface = sharing.read("ip-by-interface", this::fetchOfInterface, this::fetchOfInterfaceEach);
        this.create = sharing.write("ip-create", this::createAlone, this::createEach);
        this.longestPrefix = sharing.prefixPlan(this::allPrefixes)
                .<Function<String, Optional<PrefixIndex.Prefix>>>map(plan -> plan::longestContaining)
                .orElse(this::longestPrefixAsked);
    }

    /** Every IPAM address with this host part, whatever its prefix length or VRF. */
    public List<IpAddress> addresses(String host) {
        return byHost.apply(host);
    }

    public List<IpAddress> addressesOfInterface(long interfaceId) {
        return ofInterface.apply(interfaceId);
    }

    /**
     * The most specific NetBox prefix containing {@code host}, across VRFs, with its VRF: where the lease's address
     * belongs. When prefixes of several VRFs are equally specific, the global table's wins, then the lowest VRF id.
     */
    public Optional<IpPrefix> prefixContaining(String host) {
        return longestPrefix.apply(host).map(p -> new IpPrefix(p.length(), p.vrf()));
    }

    public IpAddress createAddress(String cidr, long interfaceId, String description) {
        return createAddress(cidr, interfaceId, description, Optional.empty());
    }

    /** As above, in the VRF {@code vrfId} (empty: the global table). */
    public IpAddress createAddress(String cidr, long interfaceId, String description, Optional<Long> vrfId) {
        return create.apply(new NewIp(cidr, interfaceId, description, vrfId));
    }

    public IpAddress assignAddress(long ipAddressId, long interfaceId) {
        return assignAddress(ipAddressId, interfaceId, Optional.empty());
    }

    /** Assigns the address to the interface and, when given, sets its description in the same PATCH. */
    public IpAddress assignAddress(long ipAddressId, long interfaceId, Optional<String> description) {
        ObjectNode body = NetBoxApi.object()
                .put("assigned_object_type", "dcim.interface")
                .put("assigned_object_id", interfaceId);
        description.ifPresent(d -> body.put("description", d));
        return IpAddress.from(api.http().patch(IP_ADDRESSES + ipAddressId + "/", body));
    }

    /** Takes the address off whatever it is assigned to; the object stays, with its status and description. */
    public IpAddress unassignAddress(long ipAddressId) {
        ObjectNode body = NetBoxApi.object();
        body.putNull("assigned_object_type");
        body.putNull("assigned_object_id");
        return IpAddress.from(api.http().patch(IP_ADDRESSES + ipAddressId + "/", body));
    }

    public void deleteAddress(long ipAddressId) {
        api.http().delete(IP_ADDRESSES + ipAddressId + "/");
    }

    private List<IpAddress> fetchByHost(String host) {
        return api.list(IP_ADDRESSES, NetBoxQuery.of("address", host), IpAddress::from);
    }

    private List<List<IpAddress>> fetchByHostEach(List<String> hosts) {
        Map<String, List<IpAddress>> found = new HashMap<>();
        api.list(IP_ADDRESSES, NetBoxQuery.of("address", NetBoxApi.distinct(hosts, h -> h)), IpAddress::from)
                .forEach(ip -> found.computeIfAbsent(ip.host(), k -> new ArrayList<>()).add(ip));
        return hosts.stream().map(h -> List.copyOf(found.getOrDefault(h, List.of()))).toList();
    }

    private List<IpAddress> fetchOfInterface(long interfaceId) {
        return api.list(IP_ADDRESSES, NetBoxQuery.of("interface_id", Long.toString(interfaceId)), IpAddress::from);
    }

    private List<List<IpAddress>> fetchOfInterfaceEach(List<Long> interfaceIds) {
        Map<Long, List<IpAddress>> found = new HashMap<>();
        api.list(IP_ADDRESSES, NetBoxQuery.of("interface_id", NetBoxApi.distinct(interfaceIds, String::valueOf)),
                        IpAddress::from)
                .forEach(ip -> ip.assignedObjectId().ifPresent(
                        id -> found.computeIfAbsent(id, k -> new ArrayList<>()).add(ip)));
        return interfaceIds.stream().map(id -> List.copyOf(found.getOrDefault(id, List.of()))).toList();
    }

    private IpAddress createAlone(NewIp ip) {
        return IpAddress.from(api.http().post(IP_ADDRESSES, body(ip)));
    }

    private List<IpAddress> createEach(List<NewIp> ips) {
        ArrayNode body = NetBoxApi.array();
        ips.forEach(ip -> body.add(body(ip)));
        List<IpAddress> created = new ArrayList<>();
        api.http().post(IP_ADDRESSES, body).forEach(ip -> created.add(IpAddress.from(ip)));
        return created;
    }

    private static ObjectNode body(NewIp ip) {
        return NetBoxApi.object()
                .put("address", ip.cidr())
                .put("status", "active")
                .put("assigned_object_type", "dcim.interface")
                .put("assigned_object_id", ip.interfaceId())
                .put("description", ip.description())
                .put("vrf", ip.vrfId().orElse(null));
    }

    /** The prefixes containing {@code host}, asked of NetBox each time; the most specific of them. */
    private Optional<PrefixIndex.Prefix> longestPrefixAsked(String host) {
        int address = Ipv4Address.parse(host)
                .orElseThrow(() -> new IllegalArgumentException("not an IPv4 address: " + host)).bits();
        return PrefixIndex.longest(prefixes(NetBoxQuery.of("contains", host)).stream()
                .map(l -> PrefixIndex.Prefix.parse(l.cidr(), l.vrf())).flatMap(Optional::stream)
                .filter(p -> p.contains(address)).toList());
    }

    /** Every IPv4 prefix: the plan {@link PrefixIndex} keeps. */
    private List<PrefixIndex.Listed> allPrefixes() {
        return prefixes(NetBoxQuery.of("family", "4"));
    }

    private List<PrefixIndex.Listed> prefixes(NetBoxQuery filter) {
        return api.http().getAll(PREFIXES, filter.and("fields", "prefix,vrf")).stream().map(NetBoxIpam::listed).toList();
    }

    private static PrefixIndex.Listed listed(JsonNode p) {
        return new PrefixIndex.Listed(p.path("prefix").asText(),
                p.path("vrf").isObject() ? Optional.of(p.path("vrf").path("id").asLong()) : Optional.empty());
    }
}
