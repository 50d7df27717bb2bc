package io.bmpipeline.events;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Prunes each topic's log: events older than the topic's max age, and all but its newest max-events, are deleted
 * unless some group still owes them (a pending or dead-lettered delivery). Works in slices of {@link #SLICE}
 * sequence numbers, one short transaction each, releasing the bus lock in between, so the tap and the consumers
 * never wait for more than one slice.
 */
final class H2Retention {

    static final int SLICE = 2_000;

    private H2Retention() {}

    static long prune(H2Store store, EventBus.Retention retention, Instant now) {
        long removed = 0;
        for (String topic : topics(store)) {
            EventBus.Retention.Limits limits = retention.of(topic);
            long[] range = range(store, topic, limits, now);
            if (range == null) {
                continue;
            }
            for (long from = range[0]; from <= range[1]; from += SLICE) {
                removed += deleteSlice(store, topic, from, Math.min(from + SLICE - 1, range[1]));
            }
        }
        return removed;
    }

    private static List<String> topics(H2Store store) {
        return underLock(store, "list the topics", () -> {
            List<String> topics = new ArrayList<>();
            try (PreparedStatement select = store.connection().prepareStatement("SELECT DISTINCT topic FROM bus_event");
                 ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    topics.add(rs.getString(1));
                }
            }
            return topics;
        });
    }

    /** The oldest sequence of the topic and the newest one past its limits; null when nothing is past them. */
    private static long[] range(H2Store store, String topic, EventBus.Retention.Limits limits, Instant now) {
        return underLock(store, "find what " + topic + " keeps", () -> {
            long oldest;
            long pastAge = -1;
            long pastCount = -1;
            try (PreparedStatement first = store.connection().prepareStatement(
                    "SELECT MIN(seq) FROM bus_event WHERE topic = ?")) {
                first.setString(1, topic);
                try (ResultSet rs = first.executeQuery()) {
                    rs.next();
                    oldest = rs.getLong(1);
                    if (rs.wasNull()) {
                        return null;
                    }
                }
            }
            try (PreparedStatement aged = store.connection().prepareStatement(
                    "SELECT MAX(seq) FROM bus_event WHERE topic = ? AND published_at < ?")) {
                aged.setString(1, topic);
                aged.setLong(2, now.minus(limits.maxAge()).toEpochMilli());
                try (ResultSet rs = aged.executeQuery()) {
                    rs.next();
                    long seq = rs.getLong(1);
                    pastAge = rs.wasNull() ? -1 : seq;
                }
            }
            try (PreparedStatement counted = store.connection().prepareStatement(
                    "SELECT seq FROM bus_event WHERE topic = ? ORDER BY seq DESC OFFSET ? ROWS FETCH FIRST 1 ROW ONLY")) {
                counted.setString(1, topic);
                counted.setLong(2, limits.maxEvents());
                try (ResultSet rs = counted.executeQuery()) {
                    if (rs.next()) {
                        pastCount = rs.getLong(1);
                    }
                }
            }
            long newest = Math.max(pastAge, pastCount);
            return newest < oldest ? null : new long[] {oldest, newest};
        });
    }

    private static long deleteSlice(H2Store store, String topic, long from, long to) {
        return underLock(store, "prune " + topic, () -> {
            try (PreparedStatement delete = store.connection().prepareStatement(
                    "DELETE FROM bus_event e WHERE e.topic = ? AND e.seq BETWEEN ? AND ? "
                            + "AND NOT EXISTS (SELECT 1 FROM bus_delivery d WHERE d.seq = e.seq)")) {
                delete.setString(1, topic);
                delete.setLong(2, from);
                delete.setLong(3, to);
                long deleted = delete.executeUpdate();
                store.connection().commit();
                return deleted;
            }
        });
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private static <T> T underLock(H2Store store, String what, Work<T> work) {
        store.lock().lock();
        try {
            store.requireOpen();
            return work.run();
        } catch (SQLException e) {
            store.rollbackQuietly();
            throw store.failure("retention: cannot " + what + " in " + store.path(), e);
        } finally {
            store.lock().unlock();
        }
    }
}
