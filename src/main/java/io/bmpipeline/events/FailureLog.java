package io.bmpipeline.events;

import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * What a consumer group says in the log while its events fail: one line when failures start, one a minute while
 * they go on (how many attempts failed meanwhile and the latest reason), one when an event succeeds again. A NetBox
 * outage during a burst of 500 leases is then a handful of lines, not a line (or a stack trace) per attempt; each
 * attempt's failure is at DEBUG. Safe for the group's threads.
 */
final class FailureLog {

    static final Duration SUMMARY_EVERY = Duration.ofMinutes(1);

    private final Logger log;
    private final String group;
    private Instant failingSince;
    private Instant lastSummary;
    private long failuresSinceSummary;
    private long failuresInAll;

    FailureLog(Logger log, String topic, String group) {
        this.log = log;
        this.group = "bus:" + topic + " group " + group;
    }

    /** {@code what} failed (an event's attempt, a poll) for {@code reason}. */
    synchronized void failed(String what, String reason, Instant now) {
        log.debugf("%s: %s failed: %s", group, what, reason);
        failuresInAll++;
        if (failingSince == null) {
            failingSince = now;
            lastSummary = now;
            failuresSinceSummary = 0;
            log.warnf("%s: events failing, retried with backoff until they pass: %s", group, reason);
            return;
        }
        failuresSinceSummary++;
        if (!now.isBefore(lastSummary.plus(SUMMARY_EVERY))) {
            log.warnf("%s: still failing after %d s, %d failed attempt(s) in the last %d s; latest: %s", group,
                    Duration.between(failingSince, now).toSeconds(), failuresSinceSummary,
                    Duration.between(lastSummary, now).toSeconds(), reason);
            lastSummary = now;
            failuresSinceSummary = 0;
        }
    }

    synchronized void succeeded(Instant now) {
        if (failingSince != null) {
            log.infof("%s: events pass again after %d s of failures (%d failed attempt(s))", group,
                    Duration.between(failingSince, now).toSeconds(), failuresInAll);
            failingSince = null;
            failuresInAll = 0;
        }
    }
}
