package io.bmpipeline.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.h2.api.ErrorCode;

/**
 * The embedded, durable bus (DESIGN §1): an H2 database in a local file (MVStore) used as an outbox. Every event is a
 * row of {@code bus_event} in publish order; every consumer group has a row per event it still owes in
 * {@code bus_delivery}, with its attempt count and next-attempt time. Only the oldest unfinished row of a key is
 * deliverable, which gives per-device order; acknowledging deletes the group's row, so after a restart exactly the
 * unacknowledged events are delivered again. The event log itself is kept (replay, audit).
 *
 * <p>One JDBC connection, used under one lock: the bus is the only user of its file (H2 locks it against other
 * processes), its statements are short, and one writer keeps publish order and the in-flight bookkeeping trivially
 * consistent. Reports read the log ({@link #replay}) on a second connection of their own, outside the lock; an
 * operator's command reads a stopped service's store read-only ({@link #replayStopped}). {@code WRITE_DELAY=0}
 * makes every commit reach the file before the call returns, so an event survives the process being killed right
 * after {@link #publish} returned.
 *
 * <p>Native image: Quarkus does not support H2's embedded engine in a native executable; this bus is for JVM mode,
 * and the Kafka implementation of {@link EventBus} is the native and scale-out path.
 */
public final class H2EventBus implements EventBus {

    /** The longest envelope stored, in characters; the H2 column limit, far above any real event. */
    public static final int MAX_ENVELOPE_CHARS = 1_000_000;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,255}");
    private static final int SCHEMA_VERSION = 1;
    /** Rows per page when replaying a topic: bounds memory however long the log is. */
    private static final int REPLAY_PAGE = 1000;

    private final Path path;
    private final String url;
    private final Clock clock;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, H2Subscription> subscriptions = new HashMap<>();
    private boolean closed;

    private H2EventBus(Path path, String url, Clock clock, Connection connection) {
        this.path = path;
        this.url = url;
        this.clock = clock;
        this.connection = connection;
    }

    /**
     * Opens (creating if needed) the bus stored at {@code path}: H2 keeps it in {@code path + ".mv.db"}.
     *
     * @throws EventBusException naming the path when the store cannot be opened (in use by another process,
     *                           unwritable folder, not an H2 file)
     */
    public static H2EventBus open(Path path, Clock clock) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(clock, "clock");
        Path absolute = path.toAbsolutePath().normalize();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new EventBusException("event bus store " + absolute + ": cannot create its folder: " + e, e);
        }
        // DB_CLOSE_ON_EXIT=FALSE: the application closes the bus after its consumers stop, not H2's shutdown hook.
        String url = "jdbc:h2:file:" + absolute + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
        Connection connection;
        try {
            connection = new org.h2.Driver().connect(url, credentials());
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            String why = e.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1
                    ? "in use by another process" : e.getMessage();
            throw new EventBusException("event bus store " + absolute + ".mv.db cannot be opened: " + why, e);
        }
        H2EventBus bus = new H2EventBus(absolute, url, clock, connection);
        bus.createSchema();
        return bus;
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
     * Reads the log of a bus whose service is stopped, without changing it: H2 opens the file read-only, which
     * another reader may share but a running service may not. The store is held only while reading; a service
     * starting meanwhile waits for it ({@link #open(Path, Duration)}).
     *
     * @throws EventBusException naming the store when there is none at {@code path}, or when it is in use (the
     *                           service runs: ask it instead)
     */
    public static void replayStopped(Path path, String topic, String type, Consumer<LoggedEvent> reader) {
        Path absolute = path.toAbsolutePath().normalize();
        String url = "jdbc:h2:file:" + absolute + ";ACCESS_MODE_DATA=r;IFEXISTS=TRUE";
        try (Connection connection = new org.h2.Driver().connect(url, credentials())) {
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT val FROM bus_meta WHERE name = 'schema'")) {
                if (!rs.next() || !String.valueOf(SCHEMA_VERSION).equals(rs.getString(1))) {
                    throw new EventBusException("event bus store " + absolute + ".mv.db is not schema " + SCHEMA_VERSION);
                }
            }
            replay(connection, absolute, topic, type, reader);
        } catch (SQLException e) {
            String why = switch (e.getErrorCode()) {
                case ErrorCode.DATABASE_ALREADY_OPEN_1 -> "in use by another process (the service is running)";
                case ErrorCode.DATABASE_NOT_FOUND_WITH_IF_EXISTS_1, ErrorCode.DATABASE_NOT_FOUND_1 -> "no such store";
                case ErrorCode.TABLE_OR_VIEW_NOT_FOUND_1, ErrorCode.TABLE_OR_VIEW_NOT_FOUND_DATABASE_EMPTY_1 ->
                        "not an event bus store";
                default -> e.getMessage();
            };
            throw new EventBusException("event bus store " + absolute + ".mv.db cannot be read: " + why, e);
        }
    }

    private static Properties credentials() {
        Properties credentials = new Properties();
        credentials.setProperty("user", "sa");
        credentials.setProperty("password", "");
        return credentials;
    }

    /** Where the store lives, without H2's {@code .mv.db} suffix. */
    public Path path() {
        return path;
    }

    private void createSchema() {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bus_meta (name VARCHAR(64) PRIMARY KEY, val VARCHAR(255) NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS bus_event ("
                    + "seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                    + "topic VARCHAR(255) NOT NULL, "
                    + "event_id VARCHAR(1024) NOT NULL, "
                    + "partition_key VARCHAR(1024) NOT NULL, "
                    + "published_at BIGINT NOT NULL, "
                    + "envelope VARCHAR(" + MAX_ENVELOPE_CHARS + ") NOT NULL, "
                    + "CONSTRAINT bus_event_topic_id UNIQUE (topic, event_id))");
            s.execute("CREATE TABLE IF NOT EXISTS bus_group ("
                    + "topic VARCHAR(255) NOT NULL, grp VARCHAR(255) NOT NULL, created_at BIGINT NOT NULL, "
                    + "PRIMARY KEY (topic, grp))");
            s.execute("CREATE TABLE IF NOT EXISTS bus_delivery ("
                    + "topic VARCHAR(255) NOT NULL, grp VARCHAR(255) NOT NULL, seq BIGINT NOT NULL, "
                    + "partition_key VARCHAR(1024) NOT NULL, "
                    + "state CHAR(1) NOT NULL, "            // P pending, D dead letter; acknowledged rows are deleted
                    + "attempts INT NOT NULL, "            // deliveries so far
                    + "next_attempt_at BIGINT NOT NULL, "  // epoch millis; 0 = now
                    + "last_error VARCHAR(4000), failed_at BIGINT, "
                    + "PRIMARY KEY (topic, grp, seq))");
            // Due rows in publish order (the poll scan), and a key's earlier pending rows (the head-of-key probe).
            s.execute("CREATE INDEX IF NOT EXISTS bus_delivery_due ON bus_delivery (topic, grp, state, seq)");
            s.execute("CREATE INDEX IF NOT EXISTS bus_delivery_key ON bus_delivery (topic, grp, state, partition_key, seq)");
            try (ResultSet rs = s.executeQuery("SELECT val FROM bus_meta WHERE name = 'schema'")) {
                if (!rs.next()) {
                    s.execute("INSERT INTO bus_meta (name, val) VALUES ('schema', '" + SCHEMA_VERSION + "')");
                } else if (!String.valueOf(SCHEMA_VERSION).equals(rs.getString(1))) {
                    throw new EventBusException("event bus store " + path + " has schema " + rs.getString(1)
                            + ", this version reads schema " + SCHEMA_VERSION);
                }
            }
            connection.commit();
        } catch (SQLException e) {
            closeQuietly();
            throw new EventBusException("event bus store " + path + ": cannot create its tables: " + e.getMessage(), e);
        }
    }

    @Override
    public Published publish(String topic, EventEnvelope envelope) {
        requireName(topic, "topic");
        Objects.requireNonNull(envelope, "envelope");
        String json = envelope.toJson();
        if (json.length() > MAX_ENVELOPE_CHARS) {
            throw new EventBusException("event " + envelope.id() + " on " + topic + " is " + json.length()
                    + " characters; the bus stores at most " + MAX_ENVELOPE_CHARS);
        }
        lock.lock();
        try {
            requireOpen();
            try (PreparedStatement exists = connection.prepareStatement(
                    "SELECT 1 FROM bus_event WHERE topic = ? AND event_id = ?")) {
                exists.setString(1, topic);
                exists.setString(2, envelope.id());
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return Published.DUPLICATE;
                    }
                }
            }
            long seq;
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO bus_event (topic, event_id, partition_key, published_at, envelope) VALUES (?, ?, ?, ?, ?)",
                    new String[] {"SEQ"})) {
                insert.setString(1, topic);
                insert.setString(2, envelope.id());
                insert.setString(3, envelope.partitionKey());
                insert.setLong(4, clock.millis());
                insert.setString(5, json);
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    seq = keys.getLong(1);
                }
            }
            try (PreparedStatement fanOut = connection.prepareStatement(
                    "INSERT INTO bus_delivery (topic, grp, seq, partition_key, state, attempts, next_attempt_at) "
                            + "SELECT topic, grp, ?, ?, 'P', 0, 0 FROM bus_group WHERE topic = ?")) {
                fanOut.setLong(1, seq);
                fanOut.setString(2, envelope.partitionKey());
                fanOut.setString(3, topic);
                fanOut.executeUpdate();
            }
            connection.commit();
            // One idle consumer of each group on the topic wakes, instead of all of them polling.
            for (H2Subscription subscription : subscriptions.values()) {
                if (subscription.topic.equals(topic)) {
                    subscription.published.signal();
                }
            }
            return Published.STORED;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new EventBusException("event " + envelope.id() + " on " + topic + " not stored in " + path + ": "
                    + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Subscription> subscriptions() {
        lock.lock();
        try {
            requireOpen();
            return List.copyOf(subscriptions.values());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Subscription subscribe(String topic, String group, RetryPolicy retry) {
        requireName(topic, "topic");
        requireName(group, "group");
        Objects.requireNonNull(retry, "retry");
        lock.lock();
        try {
            requireOpen();
            String key = topic + "\u0000" + group;
            H2Subscription existing = subscriptions.get(key);
            if (existing != null) {
                if (!existing.retry.equals(retry)) {
                    throw new EventBusException("group " + group + " on " + topic + " is already subscribed with "
                            + existing.retry + "; one retry policy per group");
                }
                return existing;
            }
            boolean known;
            try (PreparedStatement find = connection.prepareStatement(
                    "SELECT 1 FROM bus_group WHERE topic = ? AND grp = ?")) {
                find.setString(1, topic);
                find.setString(2, group);
                try (ResultSet rs = find.executeQuery()) {
                    known = rs.next();
                }
            }
            if (!known) {
                try (PreparedStatement create = connection.prepareStatement(
                        "INSERT INTO bus_group (topic, grp, created_at) VALUES (?, ?, ?)");
                     PreparedStatement backfill = connection.prepareStatement(
                             "INSERT INTO bus_delivery (topic, grp, seq, partition_key, state, attempts, next_attempt_at) "
                                     + "SELECT topic, ?, seq, partition_key, 'P', 0, 0 FROM bus_event WHERE topic = ?")) {
                    create.setString(1, topic);
                    create.setString(2, group);
                    create.setLong(3, clock.millis());
                    create.executeUpdate();
                    backfill.setString(1, group);
                    backfill.setString(2, topic);
                    backfill.executeUpdate();
                }
                connection.commit();
            }
            H2Subscription subscription = new H2Subscription(topic, group, retry);
            subscriptions.put(key, subscription);
            return subscription;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new EventBusException("cannot subscribe group " + group + " to " + topic + " in " + path + ": "
                    + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * On a connection of its own: H2 gives it a consistent snapshot (MVCC) and the bus's lock is never taken, so a
     * long report does not stall the tap or the consumers.
     */
    @Override
    public void replay(String topic, String type, Consumer<LoggedEvent> reader) {
        requireName(topic, "topic");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(reader, "reader");
        lock.lock();
        try {
            requireOpen();
        } finally {
            lock.unlock();
        }
        try (Connection own = new org.h2.Driver().connect(url, credentials())) {
            replay(own, path, topic, type, reader);
        } catch (SQLException e) {
            throw new EventBusException("cannot read " + topic + " from " + path + ": " + e.getMessage(), e);
        }
    }

    /** Pages through the topic by sequence; the type is matched as text first, then exactly on the parsed envelope. */
    private static void replay(Connection connection, Path path, String topic, String type, Consumer<LoggedEvent> reader)
            throws SQLException {
        String like = "%\"type\":\"" + type.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "\"%";
        long after = 0;
        try (PreparedStatement page = connection.prepareStatement(
                "SELECT seq, published_at, envelope FROM bus_event WHERE topic = ? AND seq > ? AND envelope LIKE ? "
                        + "ORDER BY seq LIMIT " + REPLAY_PAGE)) {
            while (true) {
                page.setString(1, topic);
                page.setLong(2, after);
                page.setString(3, like);
                int rows = 0;
                try (ResultSet rs = page.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        after = rs.getLong(1);
                        EventEnvelope envelope;
                        try {
                            envelope = EventEnvelope.parse(rs.getString(3));
                        } catch (InvalidEnvelopeException e) {
                            continue; // Stored by publish, so valid; a row that is not can only be skipped.
                        }
                        if (envelope.type().equals(type)) {
                            reader.accept(new LoggedEvent(topic, after, Instant.ofEpochMilli(rs.getLong(2)), envelope));
                        }
                    }
                }
                if (rows < REPLAY_PAGE) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                closeQuietly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new EventBusException("event bus " + path + " is closed");
        }
    }

    private static void requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1–255 of [A-Za-z0-9._-]");
        }
    }

    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The original failure is what the caller needs to see.
        }
    }

    private void closeQuietly() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing after a failure: nothing more to report than the failure itself.
        }
    }

    /** A consumer group; its in-flight keys live in memory, so a restart makes every unacknowledged event due again. */
    private final class H2Subscription implements Subscription {

        private static final String HEAD_OF_KEY = "NOT EXISTS (SELECT 1 FROM bus_delivery p WHERE p.topic = d.topic "
                + "AND p.grp = d.grp AND p.state = 'P' AND p.partition_key = d.partition_key AND p.seq < d.seq)";

        private final String topic;
        private final String group;
        private final RetryPolicy retry;
        /**
         * Key → the delivery in flight for it. A delivery is its sequence and attempt: the same event polled again
         * after a retry is another delivery, and a late release of the first must not free the second.
         */
        private final Map<String, InFlight> inFlight = new HashMap<>();
        /** Signalled (under the bus lock) once per event published on the topic. */
        private final java.util.concurrent.locks.Condition published = lock.newCondition();

        H2Subscription(String topic, String group, RetryPolicy retry) {
            this.topic = topic;
            this.group = group;
            this.retry = retry;
        }

        @Override
        public void awaitPublication(java.time.Duration max) throws InterruptedException {
            lock.lock();
            try {
                published.await(max.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public String group() {
            return group;
        }

        @Override
        public Optional<Delivery> poll(Instant now) {
            Objects.requireNonNull(now, "now");
            lock.lock();
            try {
                requireOpen();
                while (true) {
                    String sql = "SELECT d.seq, d.attempts, d.partition_key, e.envelope, e.published_at "
                            + "FROM bus_delivery d JOIN bus_event e ON e.seq = d.seq "
                            + "WHERE d.topic = ? AND d.grp = ? AND d.state = 'P' AND d.next_attempt_at <= ? AND "
                            + HEAD_OF_KEY + notInFlight() + " ORDER BY d.topic, d.grp, d.state, d.seq LIMIT 1"; // bus_delivery_due's order: no sort
                    long seq;
                    int attempt;
                    String stored;
                    Instant publishedAt;
                    try (PreparedStatement select = connection.prepareStatement(sql)) {
                        int i = bindGroup(select);
                        select.setLong(i++, now.toEpochMilli());
                        for (String key : inFlight.keySet()) {
                            select.setString(i++, key);
                        }
                        try (ResultSet rs = select.executeQuery()) {
                            if (!rs.next()) {
                                return Optional.empty();
                            }
                            seq = rs.getLong(1);
                            attempt = rs.getInt(2) + 1;
                            stored = rs.getString(4);
                            publishedAt = Instant.ofEpochMilli(rs.getLong(5));
                        }
                    }
                    // Counted before handling, so an event that kills the process still runs out of attempts.
                    try (PreparedStatement count = connection.prepareStatement(
                            "UPDATE bus_delivery SET attempts = ? WHERE topic = ? AND grp = ? AND seq = ?")) {
                        count.setInt(1, attempt);
                        count.setString(2, topic);
                        count.setString(3, group);
                        count.setLong(4, seq);
                        count.executeUpdate();
                    }
                    EventEnvelope envelope;
                    try {
                        envelope = EventEnvelope.parse(stored);
                    } catch (InvalidEnvelopeException e) {
                        // Only this bus writes the column; a row it cannot read back is set aside, not retried.
                        markDead(seq, "stored envelope unreadable: " + e.getMessage(), now);
                        connection.commit();
                        continue;
                    }
                    connection.commit();
                    inFlight.put(envelope.partitionKey(), new InFlight(seq, attempt));
                    return Optional.of(new Delivery(topic, group, seq, attempt, publishedAt, envelope));
                }
            } catch (SQLException e) {
                rollbackQuietly();
                throw new EventBusException("cannot poll " + topic + " for group " + group + ": " + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void ack(Delivery delivery) {
            finish(delivery, "acknowledge", () -> {
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM bus_delivery WHERE topic = ? AND grp = ? AND seq = ?")) {
                    bindRow(delete, delivery.sequence());
                    delete.executeUpdate();
                }
            });
        }

        @Override
        public Outcome retryLater(Delivery delivery, String reason, Instant now) {
            Objects.requireNonNull(now, "now");
            String why = reason == null || reason.isBlank() ? "handler failed" : reason;
            if (retry.exhausted(delivery.attempt())) {
                String dead = why + " (gave up after " + delivery.attempt() + " attempts)";
                deadLetter(delivery, dead, now);
                return new Outcome.DeadLettered(delivery, dead);
            }
            Instant next = now.plus(retry.backoffAfter(delivery.attempt()));
            finish(delivery, "schedule a retry of", () -> {
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE bus_delivery SET next_attempt_at = ?, last_error = ?, failed_at = ? "
                                + "WHERE topic = ? AND grp = ? AND seq = ?")) {
                    update.setLong(1, next.toEpochMilli());
                    update.setString(2, truncate(why));
                    update.setLong(3, now.toEpochMilli());
                    update.setString(4, topic);
                    update.setString(5, group);
                    update.setLong(6, delivery.sequence());
                    update.executeUpdate();
                }
            });
            return new Outcome.RetryScheduled(delivery, next, why);
        }

        @Override
        public void deadLetter(Delivery delivery, String reason, Instant now) {
            Objects.requireNonNull(now, "now");
            String why = reason == null || reason.isBlank() ? "handler failed permanently" : reason;
            finish(delivery, "dead-letter", () -> markDead(delivery.sequence(), why, now));
        }

        @Override
        public Optional<Outcome> handleNext(EventHandler handler, Instant now) {
            Objects.requireNonNull(handler, "handler");
            Optional<Delivery> polled = poll(now);
            if (polled.isEmpty()) {
                return Optional.empty();
            }
            Delivery delivery = polled.get();
            try {
                try {
                    handler.handle(delivery);
                } catch (PermanentEventFailure e) {
                    deadLetter(delivery, e.getMessage(), now);
                    return Optional.of(new Outcome.DeadLettered(delivery, e.getMessage()));
                } catch (Exception e) {
                    return Optional.of(retryLater(delivery, e.toString(), now));
                }
                ack(delivery);
                return Optional.of(new Outcome.Acked(delivery));
            } finally {
                // After an Error, or the bus failing mid-way, the row is still pending: free the key so it is
                // delivered again. After a normal end the key is already free and this does nothing.
                release(delivery);
            }
        }

        @Override
        public Optional<Instant> nextAttemptAt() {
            lock.lock();
            try {
                requireOpen();
                String sql = "SELECT MIN(d.next_attempt_at) FROM bus_delivery d WHERE d.topic = ? AND d.grp = ? "
                        + "AND d.state = 'P' AND " + HEAD_OF_KEY + notInFlight();
                try (PreparedStatement select = connection.prepareStatement(sql)) {
                    int i = bindGroup(select);
                    for (String key : inFlight.keySet()) {
                        select.setString(i++, key);
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        rs.next();
                        long at = rs.getLong(1);
                        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
                    }
                }
            } catch (SQLException e) {
                throw new EventBusException("cannot read the schedule of " + topic + "/" + group + ": "
                        + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Status status() {
            lock.lock();
            try {
                requireOpen();
                long pending;
                long retrying;
                long dead;
                try (PreparedStatement counts = connection.prepareStatement(
                        "SELECT COUNT(*) FILTER (WHERE state = 'P'), "
                                + "COUNT(*) FILTER (WHERE state = 'P' AND failed_at IS NOT NULL), "
                                + "COUNT(*) FILTER (WHERE state = 'D') FROM bus_delivery WHERE topic = ? AND grp = ?")) {
                    bindGroup(counts);
                    try (ResultSet rs = counts.executeQuery()) {
                        rs.next();
                        pending = rs.getLong(1);
                        retrying = rs.getLong(2);
                        dead = rs.getLong(3);
                    }
                }
                Optional<String> lastFailure = Optional.empty();
                try (PreparedStatement last = connection.prepareStatement(
                        "SELECT last_error FROM bus_delivery WHERE topic = ? AND grp = ? AND state = 'P' "
                                + "AND failed_at IS NOT NULL ORDER BY failed_at DESC, seq DESC LIMIT 1")) {
                    bindGroup(last);
                    try (ResultSet rs = last.executeQuery()) {
                        if (rs.next()) {
                            lastFailure = Optional.ofNullable(rs.getString(1));
                        }
                    }
                }
                Optional<Instant> oldest = Optional.empty();
                try (PreparedStatement first = connection.prepareStatement(
                        "SELECT e.published_at FROM bus_delivery d JOIN bus_event e ON e.seq = d.seq "
                                + "WHERE d.topic = ? AND d.grp = ? AND d.state = 'P' ORDER BY d.seq LIMIT 1")) {
                    bindGroup(first);
                    try (ResultSet rs = first.executeQuery()) {
                        if (rs.next()) {
                            oldest = Optional.of(Instant.ofEpochMilli(rs.getLong(1)));
                        }
                    }
                }
                return new Status(pending, retrying, dead, lastFailure, oldest);
            } catch (SQLException e) {
                throw new EventBusException("cannot read the status of " + topic + "/" + group + ": "
                        + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public List<DeadLetter> deadLetters() {
            lock.lock();
            try {
                requireOpen();
                List<DeadLetter> letters = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT d.seq, d.attempts, e.published_at, e.envelope, d.last_error, d.failed_at "
                                + "FROM bus_delivery d JOIN bus_event e ON e.seq = d.seq "
                                + "WHERE d.topic = ? AND d.grp = ? AND d.state = 'D' ORDER BY d.seq")) {
                    bindGroup(select);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            EventEnvelope envelope;
                            try {
                                envelope = EventEnvelope.parse(rs.getString(4));
                            } catch (InvalidEnvelopeException e) {
                                continue; // Unreadable rows are listed by nothing that could act on them.
                            }
                            Delivery delivery = new Delivery(topic, group, rs.getLong(1), rs.getInt(2),
                                    Instant.ofEpochMilli(rs.getLong(3)), envelope);
                            letters.add(new DeadLetter(delivery, rs.getString(5), Instant.ofEpochMilli(rs.getLong(6))));
                        }
                    }
                }
                return letters;
            } catch (SQLException e) {
                throw new EventBusException("cannot list dead letters of " + topic + "/" + group + ": "
                        + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean redrive(long sequence) {
            lock.lock();
            try {
                requireOpen();
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE bus_delivery SET state = 'P', attempts = 1, next_attempt_at = 0, last_error = NULL, "
                                + "failed_at = NULL WHERE topic = ? AND grp = ? AND seq = ? AND state = 'D'")) {
                    bindRow(update, sequence);
                    boolean changed = update.executeUpdate() == 1;
                    connection.commit();
                    return changed;
                }
            } catch (SQLException e) {
                rollbackQuietly();
                throw new EventBusException("cannot redrive event #" + sequence + " of " + topic + "/" + group + ": "
                        + e.getMessage(), e);
            } finally {
                lock.unlock();
            }
        }

        private record InFlight(long sequence, int attempt) {
            static InFlight of(Delivery delivery) {
                return new InFlight(delivery.sequence(), delivery.attempt());
            }
        }

        private interface Write {
            void run() throws SQLException;
        }

        /** Runs the write that ends a delivery, then frees its key; the delivery must be the one in flight. */
        private void finish(Delivery delivery, String action, Write write) {
            Objects.requireNonNull(delivery, "delivery");
            lock.lock();
            try {
                requireOpen();
                if (!delivery.topic().equals(topic) || !delivery.group().equals(group)
                        || !InFlight.of(delivery).equals(inFlight.get(delivery.key()))) {
                    throw new EventBusException("cannot " + action + " event #" + delivery.sequence() + " ("
                            + delivery.envelope().id() + "): it is not in flight for " + topic + "/" + group);
                }
                try {
                    write.run();
                    connection.commit();
                } catch (SQLException e) {
                    rollbackQuietly();
                    throw new EventBusException("cannot " + action + " event #" + delivery.sequence() + " of "
                            + topic + "/" + group + ": " + e.getMessage(), e);
                } finally {
                    // Whether or not the write landed, the key is free: a pending row is simply delivered again.
                    inFlight.remove(delivery.key());
                }
            } finally {
                lock.unlock();
            }
        }

        private void release(Delivery delivery) {
            lock.lock();
            try {
                inFlight.remove(delivery.key(), InFlight.of(delivery));
            } finally {
                lock.unlock();
            }
        }

        private void markDead(long seq, String reason, Instant now) throws SQLException {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE bus_delivery SET state = 'D', last_error = ?, failed_at = ? "
                            + "WHERE topic = ? AND grp = ? AND seq = ?")) {
                update.setString(1, truncate(reason));
                update.setLong(2, now.toEpochMilli());
                update.setString(3, topic);
                update.setString(4, group);
                update.setLong(5, seq);
                update.executeUpdate();
            }
        }

        private String notInFlight() {
            if (inFlight.isEmpty()) {
                return "";
            }
            return " AND d.partition_key NOT IN (" + String.join(", ", java.util.Collections.nCopies(inFlight.size(), "?"))
                    + ")";
        }

        private int bindGroup(PreparedStatement statement) throws SQLException {
            statement.setString(1, topic);
            statement.setString(2, group);
            return 3;
        }

        private void bindRow(PreparedStatement statement, long seq) throws SQLException {
            statement.setString(1, topic);
            statement.setString(2, group);
            statement.setLong(3, seq);
        }

        private static String truncate(String text) {
            return text.length() <= 4000 ? text : text.substring(0, 3997) + "...";
        }
    }
}
