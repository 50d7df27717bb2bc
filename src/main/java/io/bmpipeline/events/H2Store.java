package io.bmpipeline.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.api.ErrorCode;
import org.jboss.logging.Logger;

/**
 * The bus's file: one H2 database (MVStore) and two JDBC connections, each used under its own lock. Publishing has a
 * connection of its own, so a burst from the tap never queues behind hundreds of consumers polling (H2's MVCC keeps
 * the two apart: publishing inserts rows no poll has seen yet); consumer groups, retention and subscribing share the
 * other. The bus is the only user of its file (H2 locks it against other processes).
 *
 * <p>Durability, exactly: a commit reaches H2's in-memory store at once and the file within {@link #WRITE_DELAY_MS}
 * (H2's background writer). {@link #awaitDurable} writes what is committed and fsyncs the file; the bus calls it
 * before {@code publish} returns, so a published event survives a crash of the process and a power loss. Acks,
 * retry schedules and delivery counts are not synced on their own: a crash or power loss may undo the last
 * {@link #WRITE_DELAY_MS} of them, and those events are delivered again, possibly counted as a first delivery —
 * consumers are idempotent and never trust the count to skip a check. The background writer is also what compacts
 * the file; without it (H2's {@code WRITE_DELAY=0}) the file grew by 20–40 KB per event and never shrank while open.
 *
 * <p>A write H2 cannot make (the disk full, an I/O error) makes H2 close the database for good: every later
 * statement fails, freeing the disk or not. The store notices ({@link #failure}) and opens the file again at its next
 * use, at most once a second: H2 recovers what was last on disk, which holds every event a publish returned for.
 * What was committed and not yet synced then is gone — a publish that did not return, an ack (delivered again) — and
 * a publish still waiting for its fsync fails rather than return for an event the reopened file does not hold.
 */
final class H2Store implements AutoCloseable {

    static final int SCHEMA_VERSION = 1;
    /** H2's background write and compaction period. */
    static final int WRITE_DELAY_MS = 500;
    /**
     * How long H2 keeps a replaced chunk before reusing its space. H2's default (45 s) assumes the OS may hold writes
     * back that long; every chunk a publish depends on is fsynced, so 2 s is safe and keeps the file small under load.
     */
    static final int RETENTION_TIME_MS = 2_000;

    /** The least time between two attempts to open a file H2 closed: each attempt reads the whole file. */
    static final java.time.Duration REOPEN_EVERY = java.time.Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(H2Store.class);

    private final Path path;
    private final String url;
    private final Clock clock;
    /** The three connections are replaced, all at once, when H2 closed the database under them. */
    private volatile Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Connection publishing;
    private final ReentrantLock publishLock = new ReentrantLock();
    /** Group commit: the publish commits counted, those known on disk, and whether an fsync is under way. */
    private volatile Connection syncing;
    private final ReentrantLock syncLock = new ReentrantLock();
    private final java.util.concurrent.locks.Condition synced = syncLock.newCondition();
    private final java.util.concurrent.atomic.AtomicLong commits = new java.util.concurrent.atomic.AtomicLong();
    private long durable;
    /** Commits up to this one were made in a database H2 closed before they reached the disk: never durable. */
    private long lostUpTo;
    private boolean syncUnderWay;
    private volatile boolean closed;
    /** Why H2 closed the database under the store, until it is open again; null while it is open. */
    private volatile String lost;
    private long lastReopen = Long.MIN_VALUE;
    /** Since H2 first closed the database and until a sync works again: said once each, however often it closes. */
    private final Object trouble = new Object();
    private long troubleSince;
    private int closures;

    private H2Store(Path path, String url, Clock clock, Connection connection, Connection publishing,
                    Connection syncing) {
        this.path = path;
        this.url = url;
        this.clock = clock;
        this.connection = connection;
        this.publishing = publishing;
        this.syncing = syncing;
    }

    /**
     * Opens (creating if needed) the store at {@code path}: H2 keeps it in {@code path + ".mv.db"}.
     *
     * @throws EventBusException naming the path when it cannot be opened (in use by another process, unwritable
     *                           folder, not an H2 file, another schema)
     */
    static H2Store open(Path path, Clock clock) {
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
        String url = "jdbc:h2:file:" + absolute + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=" + WRITE_DELAY_MS
                + ";RETENTION_TIME=" + RETENTION_TIME_MS;
        Connection connection;
        Connection publishing;
        Connection syncing;
        try {
            connection = new org.h2.Driver().connect(url, credentials());
            connection.setAutoCommit(false);
            publishing = new org.h2.Driver().connect(url, credentials());
            publishing.setAutoCommit(false);
            syncing = new org.h2.Driver().connect(url, credentials());
        } catch (SQLException e) {
            String why = e.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1
                    ? "in use by another process" : e.getMessage();
            throw new EventBusException("event bus store " + absolute + ".mv.db cannot be opened: " + why, e);
        }
        H2Store store = new H2Store(absolute, url, clock, connection, publishing, syncing);
        store.createSchema();
        return store;
    }

    static Properties credentials() {
        Properties credentials = new Properties();
        credentials.setProperty("user", "sa");
        credentials.setProperty("password", "");
        return credentials;
    }

    Path path() {
        return path;
    }

    /** The H2 file itself. */
    Path file() {
        return Path.of(path + ".mv.db");
    }

    String url() {
        return url;
    }

    Clock clock() {
        return clock;
    }

    ReentrantLock lock() {
        return lock;
    }

    /** The consumers' connection; only to be used while holding {@link #lock()}. */
    Connection connection() {
        return connection;
    }

    /** Guards {@link #publishing()}; taken before {@link #lock()} where both are needed. */
    ReentrantLock publishLock() {
        return publishLock;
    }

    /** The publishers' connection; only to be used while holding {@link #publishLock()}. */
    Connection publishing() {
        return publishing;
    }

    /** Counts a publish commit (call right after it, holding {@link #publishLock()}); the ticket to wait for. */
    long committed() {
        return commits.incrementAndGet();
    }

    /**
     * Returns once the publish commit {@code ticket} is on disk (written and fsynced). Group commit: one waiter at a
     * time runs the fsync for everything committed so far, the others wait for it and need none of their own, so an
     * fsync's cost is shared by every publisher that committed meanwhile.
     *
     * @throws EventBusException when the store could not be synced (the caller's input is not durable)
     */
    void awaitDurable(long ticket) {
        syncLock.lock();
        try {
            while (durable < ticket) {
                if (ticket <= lostUpTo) {
                    throw new EventBusException("event bus store " + path + ": opened again after H2 closed it; "
                            + "this commit did not reach the disk");
                }
                if (syncUnderWay) {
                    synced.awaitUninterruptibly();
                    continue;
                }
                syncUnderWay = true;
                long covered = commits.get();
                syncLock.unlock();
                boolean done = false;
                try {
                    try (Statement s = syncing.createStatement()) {
                        s.execute("CHECKPOINT SYNC");
                    }
                    done = true;
                } catch (SQLException e) {
                    throw failure("event bus store " + path + ": cannot sync to disk", e);
                } finally {
                    syncLock.lock();
                    syncUnderWay = false;
                    if (done) {
                        durable = Math.max(durable, covered);
                    }
                    synced.signalAll();
                }
                troubleOver();
            }
        } finally {
            syncLock.unlock();
        }
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
                    + "envelope VARCHAR(" + H2EventBus.MAX_ENVELOPE_CHARS + ") NOT NULL, "
                    + "CONSTRAINT bus_event_topic_id UNIQUE (topic, event_id))");
            // Retention walks a topic's log oldest first.
            s.execute("CREATE INDEX IF NOT EXISTS bus_event_topic_seq ON bus_event (topic, seq)");
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
            // Retention keeps every event some group still owes (pending or dead).
            s.execute("CREATE INDEX IF NOT EXISTS bus_delivery_seq ON bus_delivery (seq)");
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

    /**
     * Throws when the store was closed; opens the file again when H2 closed it under the store (see {@link #failure}),
     * or throws saying why it is not open yet. Call while holding {@link #lock()} or {@link #publishLock()}.
     */
    void requireOpen() {
        if (closed) {
            throw new EventBusException("event bus " + path + " is closed");
        }
        if (lost == null) {
            return;
        }
        // Reopening replaces every connection: it needs both locks, taken in their order. A consumer holding only
        // lock() must not wait for publishLock (a publisher may hold it and wait for lock()): it tries, or fails now.
        if (publishLock.isHeldByCurrentThread()) {
            lock.lock();
            try {
                reopen();
            } finally {
                lock.unlock();
            }
        } else if (publishLock.tryLock()) {
            try {
                reopen();
            } finally {
                publishLock.unlock();
            }
        } else {
            throw new EventBusException("event bus store " + path + " is being opened again after H2 closed it ("
                    + lost + ")");
        }
    }

    /**
     * The exception for a statement that failed with {@code e}. When H2 closed the database (a write it could not
     * make), the store is marked to be opened again at its next use, and the message says why in a few words instead
     * of H2's nested text.
     */
    EventBusException failure(String what, SQLException e) {
        if (!closedByH2(e)) {
            return new EventBusException(what + ": " + e.getMessage(), e);
        }
        String why = rootCause(e);
        synchronized (trouble) {
            if (lost == null) {
                lost = why;
                if (closures++ == 0) {
                    troubleSince = System.nanoTime();
                    LOG.warnf("event bus store %s: H2 closed it after a failed write (%s); opened again when next "
                            + "used, at most once a second", path, why);
                }
            }
        }
        return new EventBusException(what + ": H2 closed the store after a failed write (" + why + ")", e);
    }

    /** A sync worked: what was committed reaches the disk. Ends (and says) a time of H2 closing the store. */
    private void troubleOver() {
        synchronized (trouble) {
            if (closures > 0 && lost == null) {
                LOG.infof("event bus store %s: writes reach the disk again after %d s (H2 closed it %d time(s))", path,
                        java.time.Duration.ofNanos(System.nanoTime() - troubleSince).toSeconds(), closures);
                closures = 0;
            }
        }
    }

    private static boolean closedByH2(SQLException e) {
        if (e.getErrorCode() == ErrorCode.DATABASE_IS_CLOSED) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.h2.mvstore.MVStoreException) {
                return true;
            }
        }
        return false;
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
        return root instanceof java.io.IOException ? message : root.getClass().getSimpleName() + ": " + message;
    }

    /** Opens the file again after H2 closed it; holding both locks. Throws while it cannot be opened (still full). */
    private void reopen() {
        long now = System.nanoTime();
        if (lastReopen != Long.MIN_VALUE && now - lastReopen < REOPEN_EVERY.toNanos()) {
            throw new EventBusException("event bus store " + path + " is closed by H2 (" + lost + "); opened again "
                    + "within a second");
        }
        lastReopen = now;
        closeQuietly();
        Connection c = null;
        Connection p = null;
        Connection y = null;
        try {
            c = new org.h2.Driver().connect(url, credentials());
            c.setAutoCommit(false);
            p = new org.h2.Driver().connect(url, credentials());
            p.setAutoCommit(false);
            y = new org.h2.Driver().connect(url, credentials());
        } catch (SQLException e) {
            for (Connection opened : new Connection[] {y, p, c}) {
                closeQuietly(opened);
            }
            throw new EventBusException("event bus store " + path + " is closed by H2 (" + lost
                    + ") and cannot be opened again yet: " + rootCause(e), e);
        }
        syncLock.lock();
        try {
            connection = c;
            publishing = p;
            syncing = y;
            lostUpTo = commits.get();
            synced.signalAll();
        } finally {
            syncLock.unlock();
        }
        synchronized (trouble) {
            lost = null;
        }
    }

    void rollbackQuietly() {
        rollbackQuietly(connection);
    }

    static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // The original failure is what the caller needs to see.
        }
    }

    @Override
    public void close() {
        publishLock.lock();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                closeQuietly();
            }
        } finally {
            lock.unlock();
            publishLock.unlock();
        }
    }

    private void closeQuietly() {
        for (Connection c : new Connection[] {syncing, publishing, connection}) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // Closing after a failure: nothing more to report than the failure itself.
        }
    }
}
