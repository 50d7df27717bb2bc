package io.bmpipeline.netbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * NetBox's REST dialect as the parts of {@link NetBoxClient} speak it, over {@link NetBoxHttp}: the running
 * version (read once), the field selection of reads, lists of many keys split into batched requests, and the
 * JSON bodies of writes.
 */
final class NetBoxApi {

    /** Keys per batched lookup. */
    static final int BATCH = 100;

    /**
     * Bytes of filter values per batched lookup: with the path and the field selection the request line
     * stays under gunicorn's default limit of 4094 bytes (NetBox answers a longer one with a bare 400).
     */
    static final int QUERY_BUDGET = 3500;

    static final String DEVICES = "api/dcim/devices/";
    static final String INTERFACES = "api/dcim/interfaces/";
    static final String MAC_ADDRESSES = "api/dcim/mac-addresses/";
    static final String IP_ADDRESSES = "api/ipam/ip-addresses/";
    static final String PREFIXES = "api/ipam/prefixes/";
    static final String JOURNAL_ENTRIES = "api/extras/journal-entries/";

    /**
     * What NetBox 4.0+ serializes for us ({@code fields=}): only what our records read. The records
     * are the same; NetBox skips the nested objects, counters and custom fields it would render,
     * which is most of its time on a read. Never on a write: NetBox applies the selection to the
     * request body too, and would drop every field not selected (found out the hard way).
     */
    private static final Map<String, String> FIELDS_READ = Map.of(
            DEVICES, Device.FIELDS,
            INTERFACES, DeviceInterface.FIELDS,
            MAC_ADDRESSES, "id,mac_address,assigned_object_type,assigned_object_id",
            IP_ADDRESSES, IpAddress.FIELDS,
            JOURNAL_ENTRIES, JournalEntry.FIELDS);

    private final NetBoxHttp http;
    private final AtomicReference<NetBoxVersion> version;

    NetBoxApi(NetBoxHttp http, AtomicReference<NetBoxVersion> version) {
        this.http = http;
        this.version = version;
    }

    NetBoxHttp http() {
        return http;
    }

    /** Reads the version from {@code /api/status/} once; later calls reuse it. */
    NetBoxVersion version() {
        NetBoxVersion known = version.get();
        return known != null ? known : refreshVersion();
    }

    /** Re-reads {@code /api/status/}: for health checks, which must see NetBox as it is now. */
    NetBoxVersion refreshVersion() {
        NetBoxVersion now = NetBoxVersion.parse(http.get("api/status/", NetBoxQuery.empty()).path("netbox-version").asText());
        version.set(now);
        return now;
    }

    /** Every object of {@code collection} matching {@code query}, page by page. */
    <T> List<T> list(String collection, NetBoxQuery query, Function<JsonNode, T> reader) {
        return http.getAll(collection, selecting(collection, query)).stream().map(reader).toList();
    }

    /**
     * The objects of {@code collection} whose {@code key} is one of {@code values}, in as few requests as
     * {@link #batches} allows; {@code query} makes each request's filter from its batch of values.
     */
    <T> List<T> listInBatches(String collection, String key, Collection<String> values,
                              Function<List<String>, NetBoxQuery> query, Function<JsonNode, T> reader) {
        List<T> found = new ArrayList<>();
        for (List<String> batch : batches(values, key)) {
            found.addAll(list(collection, query.apply(batch), reader));
        }
        return found;
    }

    /** As above, filtering on {@code key} alone. */
    <T> List<T> listInBatches(String collection, String key, Collection<String> values, Function<JsonNode, T> reader) {
        return listInBatches(collection, key, values, batch -> NetBoxQuery.of(key, batch), reader);
    }

    /** The object {@code id} of {@code collection}; empty when NetBox has none. */
    <T> Optional<T> byId(String collection, long id, Function<JsonNode, T> reader) {
        try {
            return Optional.of(reader.apply(http.get(collection + id + "/", selecting(collection, NetBoxQuery.empty()))));
        } catch (NetBoxException.NotFound e) {
            return Optional.empty();
        }
    }

    /**
     * {@code query} and, for the objects our records read, the field selection, once the version is
     * known to have it (the service learns it at start; no request is made just to find out).
     */
    private NetBoxQuery selecting(String collection, NetBoxQuery query) {
        String fields = FIELDS_READ.get(collection);
        NetBoxVersion known = version.get();
        return fields == null || known == null || !known.atLeast(4, 0) ? query : query.and("fields", fields);
    }

    static ObjectNode object() {
        return NetBoxHttp.json().createObjectNode();
    }

    static ArrayNode array() {
        return NetBoxHttp.json().createArrayNode();
    }

    /** The distinct values, as text, for one filter that takes many. */
    static <T> List<String> distinct(Collection<T> keys, Function<T, String> text) {
        return keys.stream().map(text).distinct().toList();
    }

    /** The answer a bulk request owes for {@code what}; NetBox leaving it out is a bug, not an outage. */
    static <T> T requireAnswer(T answer, String what) {
        if (answer == null) {
            throw new IllegalStateException("NetBox's bulk answer lacks " + what);
        }
        return answer;
    }

    /** The distinct values in runs of at most {@link #BATCH}, whose filter values fit {@link #QUERY_BUDGET}. */
    static List<List<String>> batches(Collection<String> values, String key) {
        List<List<String>> batches = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int used = 0;
        for (String value : new LinkedHashSet<>(values)) {
            int cost = key.length() + 2 + NetBoxQuery.encode(value).length(); // "&key=value"
            if (!current.isEmpty() && (current.size() == BATCH || used + cost > QUERY_BUDGET)) {
                batches.add(current);
                current = new ArrayList<>();
                used = 0;
            }
            current.add(value);
            used += cost;
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }
}
