package io.bmpipeline.testbed;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts what the service under test logs (INFO and above) while it runs in the test's JVM: the outage tests bound
 * the lines an outage costs and require none with a stack trace. The lines themselves go in the failure message.
 */
public final class LogCount extends Handler {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger traces = new AtomicInteger();

    private LogCount() {}

    public static LogCount start() {
        LogCount count = new LogCount();
        Logger.getLogger("").addHandler(count);
        return count;
    }

    public void stop() {
        Logger.getLogger("").removeHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.INFO.intValue()
                && record.getLoggerName() != null && !record.getLoggerName().startsWith("io.quarkus.test")) {
            lines.add(record.getLevel() + " " + record.getLoggerName() + ": " + message(record));
            if (record.getThrown() != null) {
                traces.incrementAndGet();
            }
        }
    }

    /** JBoss Logging's printf-style records keep the pattern and the parameters apart; the line as printed. */
    private static String message(LogRecord record) {
        if (record instanceof org.jboss.logmanager.ExtLogRecord ext) {
            return ext.getFormattedMessage();
        }
        return record.getMessage();
    }

    public int lines() {
        return lines.size();
    }

    public int lines(Class<?> logger) {
        return lines(logger, "");
    }

    public int lines(Class<?> logger, String containing) {
        return (int) lines.stream().filter(l -> l.contains(" " + logger.getName() + ": ") && l.contains(containing))
                .count();
    }

    /** The lines containing {@code text}, whoever logged them. */
    public int linesContaining(String text) {
        return (int) lines.stream().filter(l -> l.contains(text)).count();
    }

    public int withStackTrace() {
        return traces.get();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    @Override
    public String toString() {
        return lines.size() + " line(s): " + String.join(" | ", lines);
    }
}
