package io.bmpipeline.events;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.function.Consumer;
import org.h2.api.ErrorCode;

/**
 * Reads a topic's log as a report sees it (reconciliation, audit), on a connection of its own: H2 gives it a
 * consistent snapshot (MVCC) and the bus's lock is never taken, so a long report does not stall the tap or the
 * consumers. A stopped service's store is opened read-only, which another reader may share but a running service
 * may not.
 */
final class H2LogReader {

    /** Rows per page: bounds memory however long the log is. */
    private static final int PAGE = 1000;

    private H2LogReader() {}

    /** Reads the log of a running bus's store, at {@code url}, on a connection of its own. */
    static void replay(String url, Path path, String topic, String type, Consumer<LoggedEvent> reader) {
        try (Connection own = new org.h2.Driver().connect(url, H2Store.credentials())) {
            replay(own, topic, type, reader);
        } catch (SQLException e) {
            throw new EventBusException("cannot read " + topic + " from " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the log of a bus whose service is stopped, without changing it. The store is held only while reading.
     *
     * @throws EventBusException naming the store when there is none at {@code path}, or when it is in use (the
     *                           service runs: ask it instead)
     */
    static void replayStopped(Path path, String topic, String type, Consumer<LoggedEvent> reader) {
        Path absolute = path.toAbsolutePath().normalize();
        String url = "jdbc:h2:file:" + absolute + ";ACCESS_MODE_DATA=r;IFEXISTS=TRUE";
        try (Connection connection = new org.h2.Driver().connect(url, H2Store.credentials())) {
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT val FROM bus_meta WHERE name = 'schema'")) {
                if (!rs.next() || !String.valueOf(H2Store.SCHEMA_VERSION).equals(rs.getString(1))) {
                    throw new EventBusException("event bus store " + absolute + ".mv.db is not schema "
                            + H2Store.SCHEMA_VERSION);
                }
            }
            replay(connection, topic, type, reader);
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

    /** Pages through the topic by sequence; the type is matched as text first, then exactly on the parsed envelope. */
    private static void replay(Connection connection, String topic, String type, Consumer<LoggedEvent> reader)
            throws SQLException {
        String like = "%\"type\":\"" + type.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "\"%";
        long after = 0;
        try (PreparedStatement page = connection.prepareStatement(
                "SELECT seq, published_at, envelope FROM bus_event WHERE topic = ? AND seq > ? AND envelope LIKE ? "
                        + "ORDER BY seq LIMIT " + PAGE)) {
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
                if (rows < PAGE) {
                    return;
                }
            }
        }
    }
}
