package io.bmpipeline.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.h2.api.ErrorCode;

/**
 * The embedded, durable bus (DESIGN §1): an H2 database in a local file used as an outbox. Every event is a row of
 * {@code bus_event} in publish order; every consumer group has a row per event it still owes in {@code bus_delivery},
 * with its attempt count and next-attempt time. Only the oldest unfinished row of a key is deliverable, which gives
 * per-key order; acknowledging deletes the group's row, so after a restart exactly the unacknowledged events are
 * delivered again. The log itself is kept for replay and audit until {@link #prune retention} removes what no group
 * still owes.
 *
 * <p>The pieces: {@link H2Store} (the file, its connection and lock, durability), {@link H2Subscription} (a consumer
 * group), {@link H2LogReader} (reading the log apart from the groups), {@link H2Retention} (pruning). This class
 * publishes and ties them together.
 *
 * <p>Native image: Quarkus does not support H2's embedded engine in a native executable; this bus is for JVM mode.
 */
public final class H2EventBus implements EventBus {

    /** The longest envelope stored, in characters; the H2 column limit, far above any real event. */
    public static final int MAX_ENVELOPE_CHARS = 1_000_000;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,255}");

    private final H2Store store;
    private final Map<String, H2Subscription> subscriptions = new java.util.concurrent.ConcurrentHashMap<>();

    private H2EventBus(H2Store store) {
        this.store = store;
    }

    /**
     * Opens (creating if needed) the bus stored at {@code path}: H2 keeps it in {@code path + ".mv.db"}.
     *
     * @throws EventBusException naming the path when the store cannot be opened (in use by another process,
     *                           unwritable folder, not an H2 file)
     */
    public static H2EventBus open(Path path, Clock clock) {
        return new H2EventBus(H2Store.open(path, clock));
    }

    public static H2EventBus open(Path path) {
        return open(path, Clock.systemUTC());
    }

    /**
     * As {@link #open(Path)}, waiting up to {@code whileInUse} for the store to be free: an operator's report
     * ({@link #replayStopped}) holds it for a moment, and the service starting in that moment must not fail.
     */
    public static H2EventBus open(Path path, Duration whileInUse) {
        long deadline = System.nanoTime() + whileInUse.toNanos();
        while (true) {
            try {
                return open(path, Clock.systemUTC());
            } catch (EventBusException e) {
                if (!(e.getCause() instanceof SQLException sql) || sql.getErrorCode() != ErrorCode.DATABASE_ALREADY_OPEN_1
                        || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EventBusException("interrupted while waiting for the event bus store " + path + " to be free", e);
            }
        }
    }

    /**
     * Reads the log of a bus whose service is stopped, without changing it; a service starting meanwhile waits for
     * the store ({@link #open(Path, Duration)}).
     *
     * @throws EventBusException naming the store when there is none at {@code path}, or when it is in use (the
     *                           service runs: ask it instead)
     */
    public static void replayStopped(Path path, String topic, String type, Consumer<LoggedEvent> reader) {
        H2LogReader.replayStopped(path, topic, type, reader);
    }

    /** Where the store lives, without H2's {@code .mv.db} suffix. */
    public Path path() {
        return store.path();
    }

    @Override
    public Published publish(String topic, EventEnvelope envelope) {
        return publishAll(topic, List.of(envelope)).getFirst();
    }

    /**
     * One transaction for the whole list, and an fsync shared with every publisher that committed meanwhile: how the
     * tap makes a burst durable at the wire's pace while discovery publishes what it did.
     */
    @Override
    public List<Published> publishAll(String topic, List<EventEnvelope> envelopes) {
        requireName(topic, "topic");
        Objects.requireNonNull(envelopes, "envelopes");
        List<String> json = new ArrayList<>(envelopes.size());
        for (EventEnvelope envelope : envelopes) {
            Objects.requireNonNull(envelope, "envelope");
            String text = envelope.toJson();
            if (text.length() > MAX_ENVELOPE_CHARS) {
                throw new EventBusException("event " + envelope.id() + " on " + topic + " is " + text.length()
                        + " characters; the bus stores at most " + MAX_ENVELOPE_CHARS);
            }
            json.add(text);
        }
        if (envelopes.isEmpty()) {
            return List.of();
        }
        List<Published> results = new ArrayList<>(envelopes.size());
        long ticket;
        store.publishLock().lock();
        try {
            store.requireOpen();
            Connection c = store.publishing();
            Set<String> stored = storedIds(c, topic, envelopes);
            long before;
            try (PreparedStatement last = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM bus_event");
                 ResultSet rs = last.executeQuery()) {
                rs.next();
                before = rs.getLong(1);
            }
            int inserted = 0;
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO bus_event (topic, event_id, partition_key, published_at, envelope) VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < envelopes.size(); i++) {
                    EventEnvelope envelope = envelopes.get(i);
                    if (!stored.add(envelope.id())) {
                        results.add(Published.DUPLICATE);
                        continue;
                    }
                    insert.setString(1, topic);
                    insert.setString(2, envelope.id());
                    insert.setString(3, envelope.partitionKey());
                    insert.setLong(4, store.clock().millis());
                    insert.setString(5, json.get(i));
                    insert.addBatch();
                    inserted++;
                    results.add(Published.STORED);
                }
                if (inserted > 0) {
                    insert.executeBatch();
                }
            }
            if (inserted > 0) {
                // Publishers hold the publish lock, so every sequence past `before` is this call's.
                try (PreparedStatement fanOut = c.prepareStatement(
                        "INSERT INTO bus_delivery (topic, grp, seq, partition_key, state, attempts, next_attempt_at) "
                                + "SELECT e.topic, g.grp, e.seq, e.partition_key, 'P', 0, 0 FROM bus_event e "
                                + "JOIN bus_group g ON g.topic = e.topic WHERE e.topic = ? AND e.seq > ?")) {
                    fanOut.setString(1, topic);
                    fanOut.setLong(2, before);
                    fanOut.executeUpdate();
                }
            }
            store.publishing().commit();
            ticket = store.committed();
        } catch (SQLException e) {
            H2Store.rollbackQuietly(store.publishing());
            throw store.failure(envelopes.size() + " event(s) (first " + envelopes.getFirst().id() + ") on "
                    + topic + " not stored in " + store.path(), e);
        } finally {
            store.publishLock().unlock();
        }
        // Outside the publish lock: publishers arriving meanwhile commit and share the next fsync (group commit).
        store.awaitDurable(ticket);
        for (H2Subscription subscription : subscriptions.values()) {
            if (subscription.topic().equals(topic)) {
                subscription.signalPublished(); // one idle consumer of each group wakes, not all of them
            }
        }
        return results;
    }

    /** The ids of {@code envelopes} already on {@code topic}, in one query per few hundred. */
    private static Set<String> storedIds(Connection c, String topic, List<EventEnvelope> envelopes) throws SQLException {
        Set<String> stored = new HashSet<>();
        for (int from = 0; from < envelopes.size(); from += 100) {
            List<EventEnvelope> part = envelopes.subList(from, Math.min(from + 100, envelopes.size()));
            // Pairs, which H2 looks up in the (topic, event_id) index one by one. "topic = ? AND event_id IN (…)"
            // with more than one id is planned as topic = ? alone: a scan of the topic's whole log per publish.
            try (PreparedStatement select = c.prepareStatement("SELECT event_id FROM bus_event WHERE (topic, event_id) IN ("
                    + String.join(", ", java.util.Collections.nCopies(part.size(), "(?, ?)")) + ")")) {
                for (int i = 0; i < part.size(); i++) {
                    select.setString(2 * i + 1, topic);
                    select.setString(2 * i + 2, part.get(i).id());
                }
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        stored.add(rs.getString(1));
                    }
                }
            }
        }
        return stored;
    }

    @Override
    public List<Subscription> subscriptions() {
        store.lock().lock();
        try {
            store.requireOpen();
            return List.copyOf(subscriptions.values());
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public Subscription subscribe(String topic, String group, RetryPolicy retry) {
        requireName(topic, "topic");
        requireName(group, "group");
        Objects.requireNonNull(retry, "retry");
        // Both locks: a publish's fan-out and a new group's backfill must not interleave.
        store.publishLock().lock();
        store.lock().lock();
        try {
            store.requireOpen();
            String key = topic + "\u0000" + group;
            H2Subscription existing = subscriptions.get(key);
            if (existing != null) {
                if (!existing.retry().equals(retry)) {
                    throw new EventBusException("group " + group + " on " + topic + " is already subscribed with "
                            + existing.retry() + "; one retry policy per group");
                }
                return existing;
            }
            boolean known;
            try (PreparedStatement find = store.connection().prepareStatement(
                    "SELECT 1 FROM bus_group WHERE topic = ? AND grp = ?")) {
                find.setString(1, topic);
                find.setString(2, group);
                try (ResultSet rs = find.executeQuery()) {
                    known = rs.next();
                }
            }
            if (!known) {
                try (PreparedStatement create = store.connection().prepareStatement(
                        "INSERT INTO bus_group (topic, grp, created_at) VALUES (?, ?, ?)");
                     PreparedStatement backfill = store.connection().prepareStatement(
                             "INSERT INTO bus_delivery (topic, grp, seq, partition_key, state, attempts, next_attempt_at) "
                                     + "SELECT topic, ?, seq, partition_key, 'P', 0, 0 FROM bus_event WHERE topic = ?")) {
                    create.setString(1, topic);
                    create.setString(2, group);
                    create.setLong(3, store.clock().millis());
                    create.executeUpdate();
                    backfill.setString(1, group);
                    backfill.setString(2, topic);
                    backfill.executeUpdate();
                }
                store.connection().commit();
            }
            H2Subscription subscription = new H2Subscription(store, topic, group, retry);
            subscriptions.put(key, subscription);
            return subscription;
        } catch (SQLException e) {
            store.rollbackQuietly();
            throw store.failure("cannot subscribe group " + group + " to " + topic + " in " + store.path(), e);
        } finally {
            store.lock().unlock();
            store.publishLock().unlock();
        }
    }

    @Override
    public void replay(String topic, String type, Consumer<LoggedEvent> reader) {
        requireName(topic, "topic");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reader, "reader");
        store.lock().lock();
        try {
            store.requireOpen();
        } finally {
            store.lock().unlock();
        }
        H2LogReader.replay(store.url(), store.path(), topic, type, reader);
    }

    /**
     * Removes from each topic's log the events past its retention that no group still owes; events pending or
     * dead-lettered in any group are never removed, whatever their age.
     *
     * @return events removed
     */
    @Override
    public long prune(Retention retention, Instant now) {
        return H2Retention.prune(store, retention, now);
    }

    @Override
    public Storage storage() {
        try {
            long size = Files.exists(store.file()) ? Files.size(store.file()) : 0;
            return new Storage(store.file(), size, Files.getFileStore(store.file()).getUsableSpace());
        } catch (IOException e) {
            throw new EventBusException("event bus store " + store.file() + ": cannot read its size or free space: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        store.close();
    }

    private static void requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1–255 of [A-Za-z0-9._-]");
        }
    }
}
