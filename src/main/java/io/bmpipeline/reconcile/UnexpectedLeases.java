package io.bmpipeline.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.LoggedEvent;
import io.bmpipeline.events.Topics;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Folds the {@code bm.dhcp.lease.unexpected} events of the bus's log into one {@link UnexpectedLease} per MAC, and
 * carries the result between the service and the command line as JSON. The events live on
 * {@link Topics#DEVICE_STATE}, where discovery publishes them.
 */
public final class UnexpectedLeases implements Consumer<LoggedEvent> {

    public static final String TOPIC = Topics.DEVICE_STATE;
    public static final String TYPE = EventTypes.DHCP_LEASE_UNEXPECTED;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<MacAddress, UnexpectedLease> byMac = new HashMap<>();

    /** Every MAC of the bus's log. */
    public static List<UnexpectedLease> of(EventBus bus) {
        UnexpectedLeases fold = new UnexpectedLeases();
        bus.replay(TOPIC, TYPE, fold);
        return fold.leases();
    }

    @Override
    public void accept(LoggedEvent event) {
        add(event.envelope());
    }

    /** Adds one event; an event without a readable MAC or IP names no machine and is skipped. */
    public void add(EventEnvelope event) {
        JsonNode data = event.data();
        Optional<MacAddress> mac = MacAddress.parse(data.path("mac").asText(null));
        String ip = data.path("ip").asText("");
        if (mac.isEmpty() || ip.isEmpty()) {
            return;
        }
        // When the lease was seen on the wire (capture time); events from before that field existed carry only
        // the time discovery handled them.
        Instant at = instant(data.path("seenAt")).orElse(event.time());
        Optional<String> hostname = text(data, "hostname");
        Optional<String> vendorClass = text(data, "vendorClass");
        byMac.merge(mac.get(), new UnexpectedLease(mac.get(), ip, hostname, vendorClass, at, at, 1),
                (known, one) -> known.plus(ip, hostname, vendorClass, at));
    }

    /** Most recently seen first; equal times by MAC, so the order is stable. */
    public List<UnexpectedLease> leases() {
        List<UnexpectedLease> all = new ArrayList<>(byMac.values());
        all.sort(Comparator.comparing(UnexpectedLease::lastSeen).reversed()
                .thenComparing(l -> l.mac().value()));
        return all;
    }

    // ---- JSON (the service's answer, and the seenNotExpected entries of the report) ------------------------------

    /** One lease as the report's JSON shows it: absent hostname or vendor class are {@code null}, never missing. */
    public static ObjectNode toJson(UnexpectedLease lease, ObjectNode into) {
        into.put("mac", lease.mac().value())
                .put("ip", lease.ip())
                .put("hostname", lease.hostname().orElse(null))
                .put("vendorClass", lease.vendorClass().orElse(null))
                .put("firstSeen", lease.firstSeen().toString())
                .put("lastSeen", lease.lastSeen().toString())
                .put("count", lease.count());
        return into;
    }

    public static String toJson(List<UnexpectedLease> leases) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("leases");
        leases.forEach(l -> toJson(l, array.addObject()));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@link #toJson(List)}; anything else is an {@link IllegalArgumentException} naming what is wrong. */
    public static List<UnexpectedLease> fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.path("leases").isArray()) {
            throw new IllegalArgumentException("no \"leases\" array");
        }
        List<UnexpectedLease> leases = new ArrayList<>();
        for (JsonNode node : root.path("leases")) {
            MacAddress mac = MacAddress.parse(node.path("mac").asText(null))
                    .orElseThrow(() -> new IllegalArgumentException("lease without a MAC: " + node));
            leases.add(new UnexpectedLease(mac, node.path("ip").asText(""), text(node, "hostname"),
                    text(node, "vendorClass"),
                    instant(node.path("firstSeen")).orElseThrow(() -> new IllegalArgumentException("no firstSeen: " + node)),
                    instant(node.path("lastSeen")).orElseThrow(() -> new IllegalArgumentException("no lastSeen: " + node)),
                    node.path("count").asLong()));
        }
        return leases;
    }

    private static Optional<String> text(JsonNode data, String field) {
        JsonNode node = data.path(field);
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static Optional<Instant> instant(JsonNode node) {
        if (!node.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(node.asText()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
