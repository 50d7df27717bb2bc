package io.bmpipeline.events;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A consumer group; its in-flight keys live in memory, so a restart makes every unacknowledged event due again. */
final class H2Subscription implements Subscription {

    private static final String HEAD_OF_KEY = "NOT EXISTS (SELECT 1 FROM bus_delivery p WHERE p.topic = d.topic "
            + "AND p.grp = d.grp AND p.state = 'P' AND p.partition_key = d.partition_key AND p.seq < d.seq)";

    private final H2Store store;
    private final String topic;
    private final String group;
    private final RetryPolicy retry;
    /**
     * Key → the delivery in flight for it. A delivery is its sequence and attempt: the same event polled again
     * after a retry is another delivery, and a late release of the first must not free the second.
     */
    private final Map<String, InFlight> inFlight = new HashMap<>();
    /** Idle consumers wait here; a publish on the topic wakes one. Apart from the bus lock: publishing never waits. */
    private final java.util.concurrent.locks.ReentrantLock idle = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition published = idle.newCondition();

    H2Subscription(H2Store store, String topic, String group, RetryPolicy retry) {
        this.store = store;
        this.topic = topic;
        this.group = group;
        this.retry = retry;
    }

    RetryPolicy retry() {
        return retry;
    }

    /** Wakes one idle consumer of this group. */
    void signalPublished() {
        idle.lock();
        try {
            published.signal();
        } finally {
            idle.unlock();
        }
    }

    @Override
    public void wakeAll() {
        idle.lock();
        try {
            published.signalAll();
        } finally {
            idle.unlock();
        }
    }

    @Override
    public void awaitPublication(java.time.Duration max) throws InterruptedException {
        idle.lock();
        try {
            published.await(max.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } finally {
            idle.unlock();
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
        return pollMany(now, 1).stream().findFirst();
    }

    private record Due(long seq, int attempt, String stored, Instant publishedAt) {}

    /** One query for up to {@code max} due events: a key's head only, so each key appears at most once. */
    @Override
    public List<Delivery> pollMany(Instant now, int max) {
        Objects.requireNonNull(now, "now");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        store.lock().lock();
        try {
            store.requireOpen();
            while (true) {
                String sql = "SELECT d.seq, d.attempts, d.partition_key, e.envelope, e.published_at "
                        + "FROM bus_delivery d JOIN bus_event e ON e.seq = d.seq "
                        + "WHERE d.topic = ? AND d.grp = ? AND d.state = 'P' AND d.next_attempt_at <= ? AND "
                        + HEAD_OF_KEY + notInFlight() + " ORDER BY d.topic, d.grp, d.state, d.seq LIMIT " + max; // bus_delivery_due's order: no sort
                List<Due> due = new ArrayList<>();
                try (PreparedStatement select = store.connection().prepareStatement(sql)) {
                    int i = bindGroup(select);
                    select.setLong(i++, now.toEpochMilli());
                    for (String key : inFlight.keySet()) {
                        select.setString(i++, key);
                    }
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            due.add(new Due(rs.getLong(1), rs.getInt(2) + 1, rs.getString(4),
                                    Instant.ofEpochMilli(rs.getLong(5))));
                        }
                    }
                }
                if (due.isEmpty()) {
                    return List.of();
                }
                List<Delivery> deliveries = new ArrayList<>(due.size());
                // Counted before handling, so an event that kills the process still runs out of attempts.
                try (PreparedStatement count = store.connection().prepareStatement(
                        "UPDATE bus_delivery SET attempts = ? WHERE topic = ? AND grp = ? AND seq = ?")) {
                    for (Due d : due) {
                        EventEnvelope envelope;
                        try {
                            envelope = EventEnvelope.parse(d.stored());
                        } catch (InvalidEnvelopeException e) {
                            // Only this bus writes the column; a row it cannot read back is set aside, not retried.
                            markDead(d.seq(), "stored envelope unreadable: " + e.getMessage(), now);
                            continue;
                        }
                        count.setInt(1, d.attempt());
                        count.setString(2, topic);
                        count.setString(3, group);
                        count.setLong(4, d.seq());
                        count.executeUpdate();
                        deliveries.add(new Delivery(topic, group, d.seq(), d.attempt(), d.publishedAt(), envelope));
                    }
                }
                store.connection().commit();
                for (Delivery delivery : deliveries) {
                    inFlight.put(delivery.key(), new InFlight(delivery.sequence(), delivery.attempt()));
                }
                if (!deliveries.isEmpty()) {
                    return deliveries;
                }
            }
        } catch (SQLException e) {
            store.rollbackQuietly();
            throw store.failure("cannot poll " + topic + " for group " + group, e);
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public void ack(Delivery delivery) {
        finish(delivery, "acknowledge", () -> {
            try (PreparedStatement delete = store.connection().prepareStatement(
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
            try (PreparedStatement update = store.connection().prepareStatement(
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
        store.lock().lock();
        try {
            store.requireOpen();
            String sql = "SELECT MIN(d.next_attempt_at) FROM bus_delivery d WHERE d.topic = ? AND d.grp = ? "
                    + "AND d.state = 'P' AND " + HEAD_OF_KEY + notInFlight();
            try (PreparedStatement select = store.connection().prepareStatement(sql)) {
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
            throw store.failure("cannot read the schedule of " + topic + "/" + group, e);
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public Status status() {
        store.lock().lock();
        try {
            store.requireOpen();
            long pending;
            long retrying;
            long dead;
            try (PreparedStatement counts = store.connection().prepareStatement(
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
            try (PreparedStatement last = store.connection().prepareStatement(
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
            try (PreparedStatement first = store.connection().prepareStatement(
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
            throw store.failure("cannot read the status of " + topic + "/" + group, e);
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public List<DeadLetter> deadLetters() {
        store.lock().lock();
        try {
            store.requireOpen();
            List<DeadLetter> letters = new ArrayList<>();
            try (PreparedStatement select = store.connection().prepareStatement(
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
            throw store.failure("cannot list dead letters of " + topic + "/" + group, e);
        } finally {
            store.lock().unlock();
        }
    }

    @Override
    public boolean redrive(long sequence) {
        store.lock().lock();
        try {
            store.requireOpen();
            try (PreparedStatement update = store.connection().prepareStatement(
                    "UPDATE bus_delivery SET state = 'P', attempts = 1, next_attempt_at = 0, last_error = NULL, "
                            + "failed_at = NULL WHERE topic = ? AND grp = ? AND seq = ? AND state = 'D'")) {
                bindRow(update, sequence);
                boolean changed = update.executeUpdate() == 1;
                store.connection().commit();
                return changed;
            }
        } catch (SQLException e) {
            store.rollbackQuietly();
            throw store.failure("cannot redrive event #" + sequence + " of " + topic + "/" + group, e);
        } finally {
            store.lock().unlock();
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
        store.lock().lock();
        try {
            if (!delivery.topic().equals(topic) || !delivery.group().equals(group)
                    || !InFlight.of(delivery).equals(inFlight.get(delivery.key()))) {
                throw new EventBusException("cannot " + action + " event #" + delivery.sequence() + " ("
                        + delivery.envelope().id() + "): it is not in flight for " + topic + "/" + group);
            }
            try {
                // Inside: a store that cannot be written now (H2 closed it) must free the key all the same.
                store.requireOpen();
                write.run();
                store.connection().commit();
            } catch (SQLException e) {
                store.rollbackQuietly();
                throw store.failure("cannot " + action + " event #" + delivery.sequence() + " of "
                        + topic + "/" + group, e);
            } finally {
                // Whether or not the write landed, the key is free: a pending row is simply delivered again.
                inFlight.remove(delivery.key());
            }
        } finally {
            store.lock().unlock();
        }
    }

    private void release(Delivery delivery) {
        store.lock().lock();
        try {
            inFlight.remove(delivery.key(), InFlight.of(delivery));
        } finally {
            store.lock().unlock();
        }
    }

    private void markDead(long seq, String reason, Instant now) throws SQLException {
        try (PreparedStatement update = store.connection().prepareStatement(
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
