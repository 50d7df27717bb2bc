package io.bmpipeline.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.discovery.DiscoveryCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.ExchangeProperty;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * Which MACs leased, and what discovery decided: one {@link LeaseSighting} per MAC, kept on disk beside the event
 * store ({@code bm.lease-sightings.path}, an H2 MVStore file) and updated by the discovery route after each lease it
 * handled. {@code manifest reconcile} reads it whole; nothing scans the event log for it. Lines whose MAC has not
 * leased for {@code max-age} are dropped (at open and then hourly), so the file holds at most the MACs of that
 * window. Each update is committed to the file before the route goes on (not fsynced: a power loss may cost the
 * last few lines, which the BMCs' next renewals write again).
 */
public final class LeaseSightings implements AutoCloseable {

    /** The file the store keeps: {@code <path>.mv.db}, as for the event store. */
    public static final String SUFFIX = ".mv.db";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAP = "lease-sightings";
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final Path path;
    private final Duration maxAge;
    private final Clock clock;
    private volatile Opened opened;
    private volatile Instant nextPrune = Instant.MIN;

    private record Opened(MVStore store, MVMap<String, String> byMac) {}

    private LeaseSightings(Path path, Duration maxAge, Clock clock) {
        this.path = path;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Opens (or creates) the service's store now. The file may be held by one process at a time. */
    public static LeaseSightings open(Path path, Duration maxAge, Clock clock) {
        LeaseSightings sightings = new LeaseSightings(path, maxAge, clock);
        sightings.opened();
        return sightings;
    }

    /**
     * The store, opened when first used: an operator's command that runs beside the service (and so never records a
     * lease) must not take the file the running service holds.
     */
    public static LeaseSightings openOnFirstUse(Path path, Duration maxAge, Clock clock) {
        return new LeaseSightings(path, maxAge, clock);
    }

    private Opened opened() {
        Opened now = opened;
        if (now == null) {
            synchronized (this) {
                if (opened == null) {
                    Path file = file(path);
                    try {
                        if (file.getParent() != null) {
                            Files.createDirectories(file.getParent());
                        }
                        MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
                        opened = new Opened(store, store.openMap(MAP));
                    } catch (java.io.IOException | MVStoreException e) {
                        throw new IllegalStateException("lease sightings " + file + ": " + message(e), e);
                    }
                }
                now = opened;
            }
            pruneIfDue();
        }
        return now;
    }

    /**
     * Every line of a stopped service's store, read-only. {@link Unreadable} when there is no such store or another
     * process holds it (the service runs after all).
     */
    public static List<LeaseSighting> readStopped(Path path) throws Unreadable {
        Path file = file(path);
        if (!Files.isRegularFile(file)) {
            throw new Unreadable("no such store: " + file.toAbsolutePath().normalize());
        }
        MVStore store;
        try {
            store = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        } catch (MVStoreException e) {
            throw new Unreadable("store " + file.toAbsolutePath().normalize() + " cannot be read: " + message(e));
        }
        try {
            if (!store.hasMap(MAP)) {
                return List.of();
            }
            return sorted(store.<String, String>openMap(MAP).values().stream().map(LeaseSightings::parse).toList());
        } finally {
            store.close();
        }
    }

    /** The store could not be read; the message says which file and why. */
    public static final class Unreadable extends Exception {
        public Unreadable(String message) {
            super(message);
        }
    }

    /** The discovery route's step after a branch wrote NetBox: what it decided for this lease. */
    public void decided(@ExchangeProperty("bmCase") DiscoveryCase c) {
        record(c, c.branch());
    }

    /** The discovery route's step when NetBox refused the branch's write. */
    public void refused(@ExchangeProperty("bmCase") DiscoveryCase c) {
        record(c, LeaseSighting.REJECTED);
    }

    void record(DiscoveryCase c, String decision) {
        var lease = c.lease();
        Optional<String> rule = Optional.empty();
        Optional<String> device = Optional.empty();
        if (c instanceof DiscoveryCase.Decided d) {
            rule = Optional.of(d.rule().id());
            device = d.device().name().or(() -> Optional.of(d.device().serial()).filter(s -> !s.isEmpty()));
        }
        add(new LeaseSighting(lease.mac(), lease.ip(), lease.hostname(), lease.vendorClass(), lease.seenAt(),
                lease.seenAt(), 1, decision, rule, device));
    }

    void add(LeaseSighting one) {
        Opened store = opened();
        store.byMac().compute(one.mac().value(), (k, known) -> toJson(known == null ? one : parse(known).plus(one)));
        store.store().commit();
        pruneIfDue();
    }

    /** Every line, most recently seen first (equal times by MAC). */
    public List<LeaseSighting> all() {
        return sorted(opened().byMac().values().stream().map(LeaseSightings::parse).toList());
    }

    /** Drops the lines whose MAC has not leased for {@code max-age}; how many. */
    int prune() {
        Opened store = opened();
        Instant oldest = clock.instant().minus(maxAge);
        int dropped = 0;
        for (var entry : store.byMac().entrySet()) {
            if (parse(entry.getValue()).lastSeen().isBefore(oldest)
                    && store.byMac().remove(entry.getKey(), entry.getValue())) {
                dropped++;
            }
        }
        if (dropped > 0) {
            store.store().commit();
        }
        return dropped;
    }

    private void pruneIfDue() {
        Instant now = clock.instant();
        if (now.isAfter(nextPrune)) {
            nextPrune = now.plus(PRUNE_EVERY);
            prune();
        }
    }

    @Override
    public synchronized void close() {
        if (opened != null) {
            opened.store().close();
        }
    }

    private static Path file(Path path) {
        return Path.of(path + SUFFIX);
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static List<LeaseSighting> sorted(List<LeaseSighting> lines) {
        List<LeaseSighting> all = new ArrayList<>(lines);
        all.sort(Comparator.comparing(LeaseSighting::lastSeen).reversed().thenComparing(l -> l.mac().value()));
        return all;
    }

    // ---- JSON: the stored lines, the service's answer, and the report's entries ---------------------------------

    /** One line as JSON: absent optional fields are {@code null}, never missing. */
    public static ObjectNode toJson(LeaseSighting s, ObjectNode into) {
        into.put("mac", s.mac().value())
                .put("ip", s.ip())
                .put("hostname", s.hostname().orElse(null))
                .put("vendorClass", s.vendorClass().orElse(null))
                .put("firstSeen", s.firstSeen().toString())
                .put("lastSeen", s.lastSeen().toString())
                .put("count", s.count())
                .put("decision", s.decision())
                .put("rule", s.rule().orElse(null))
                .put("device", s.device().orElse(null));
        return into;
    }

    private static String toJson(LeaseSighting s) {
        return write(toJson(s, JSON.createObjectNode()));
    }

    public static String toJson(List<LeaseSighting> sightings) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("sightings");
        sightings.forEach(s -> toJson(s, array.addObject()));
        return write(root);
    }

    /** Reads {@link #toJson(List)}; anything else is an {@link IllegalArgumentException} naming what is wrong. */
    public static List<LeaseSighting> fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.path("sightings").isArray()) {
            throw new IllegalArgumentException("no \"sightings\" array");
        }
        List<LeaseSighting> sightings = new ArrayList<>();
        for (JsonNode node : root.path("sightings")) {
            sightings.add(fromJson(node));
        }
        return sightings;
    }

    private static LeaseSighting parse(String stored) {
        try {
            return fromJson(JSON.readTree(stored));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lease sightings: a stored line is not JSON: " + e.getOriginalMessage());
        }
    }

    private static LeaseSighting fromJson(JsonNode node) {
        MacAddress mac = MacAddress.parse(node.path("mac").asText(null))
                .orElseThrow(() -> new IllegalArgumentException("sighting without a MAC: " + node));
        Function<String, Instant> at = field -> instant(node.path(field))
                .orElseThrow(() -> new IllegalArgumentException("no " + field + ": " + node));
        return new LeaseSighting(mac, node.path("ip").asText(""), text(node, "hostname"), text(node, "vendorClass"),
                at.apply("firstSeen"), at.apply("lastSeen"), node.path("count").asLong(),
                text(node, "decision").orElseThrow(() -> new IllegalArgumentException("no decision: " + node)),
                text(node, "rule"), text(node, "device"));
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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
