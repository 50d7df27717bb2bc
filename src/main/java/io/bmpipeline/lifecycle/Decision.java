package io.bmpipeline.lifecycle;

import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.Topics;
import io.bmpipeline.netbox.JournalEntry;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the lifecycle decided for one device and one event. A decision is data: it names the branch a route
 * takes ({@link #kind()}), the NetBox objects that branch may write, the journal entry it leaves and the event
 * it announces. It carries nothing from the event's payload (IP, MAC): the caller has those.
 */
public sealed interface Decision {

    Kind kind();

    /** A short human description, used in diagrams and journal entries. */
    String label();

    /** The NetBox objects this decision may write; empty means the device is left exactly as it is. */
    Set<NetBoxWrite> writes();

    /** The journal entry on the device, if any. */
    Optional<Journal> journal();

    /** The event announcing the outcome, if any. A no-op announces nothing, so replays stay silent. */
    Optional<Announcement> announcement();

    /** The branch names, one per record below; stable strings for a content-based router. */
    enum Kind {
        PROMOTE, ASSIGN_BMC_IP, REFRESH_BMC_IP, NO_OP, WARN, QUARANTINE, REPORT_FAILURE, RECORD_STEP
    }

    enum NetBoxWrite {
        /** The device's status field. */
        STATUS,
        /** The IPAM address assigned to the device's BMC interface. */
        BMC_IP,
        /** The device's {@code oob_ip}, pointed at the BMC IP. */
        OOB_IP,
        /** The pipeline's key in the device's local config context (the figures a phase measured). */
        LOCAL_CONTEXT
    }

    /** What happens to the BMC IP alongside a promotion. */
    enum IpWrite {
        /** NetBox already records the leased IP, or the event has no IP. */
        KEEP,
        /** Nothing recorded: record the leased IP. */
        ASSIGN,
        /** Another IP recorded: record the leased IP in its place. */
        REPLACE
    }

    /**
     * Journal entries that a flapping or repeating input would otherwise repeat are limited per device and
     * per decision ({@link FlapLimiter}); the rest are written every time.
     */
    enum JournalPolicy {
        EVERY_TIME, ONCE_PER_WINDOW
    }

    record Journal(JournalEntry.Kind kind, JournalPolicy policy) {
        public Journal {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(policy, "policy");
        }
    }

    /** Where and as what the outcome is published. */
    record Announcement(String topic, String type) {
        public Announcement {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(type, "type");
        }
    }

    /** Why a warning was journaled instead of a change. */
    enum Warning {
        BMC_IP_MISMATCH("BMC IP differs from record"),
        UNTOUCHABLE_STATUS("status not managed by the pipeline"),
        OUT_OF_ORDER("event out of order for the status");

        private final String label;

        Warning(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A phase whose failure is reported on the device. */
    enum Stage {
        PXE_VALIDATION("PXE validation"), HARDENING("hardening");

        private final String label;

        Stage(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Move the device forward to {@code to}, and record its BMC IP as {@code bmcIp} says. */
    record Promote(DeviceStatus to, IpWrite bmcIp) implements Decision {
        public Promote {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(bmcIp, "bmcIp");
            if (!to.isLifecycle() || to == DeviceStatus.OFFLINE) {
                throw new IllegalArgumentException("cannot promote to " + to);
            }
        }

        @Override
        public Kind kind() {
            return Kind.PROMOTE;
        }

        @Override
        public String label() {
            return switch (bmcIp) {
                case KEEP -> "promote to " + to;
                case ASSIGN -> "promote to " + to + " + assign BMC IP";
                case REPLACE -> "promote to " + to + " + replace BMC IP";
            };
        }

        @Override
        public Set<NetBoxWrite> writes() {
            return bmcIp == IpWrite.KEEP ? EnumSet.of(NetBoxWrite.STATUS)
                    : EnumSet.of(NetBoxWrite.STATUS, NetBoxWrite.BMC_IP, NetBoxWrite.OOB_IP);
        }

        @Override
        public Optional<Journal> journal() {
            return Optional.of(new Journal(JournalEntry.Kind.SUCCESS, JournalPolicy.EVERY_TIME));
        }

        @Override
        public Optional<Announcement> announcement() {
            return Optional.of(new Announcement(Topics.DEVICE_STATE, EventTypes.DEVICE_STATE_CHANGED));
        }
    }

    /** Record the leased IP as the BMC IP where none is recorded; the status stays. */
    record AssignBmcIp() implements Decision {
        @Override
        public Kind kind() {
            return Kind.ASSIGN_BMC_IP;
        }

        @Override
        public String label() {
            return "assign BMC IP";
        }

        @Override
        public Set<NetBoxWrite> writes() {
            return EnumSet.of(NetBoxWrite.BMC_IP, NetBoxWrite.OOB_IP);
        }

        @Override
        public Optional<Journal> journal() {
            return Optional.of(new Journal(JournalEntry.Kind.INFO, JournalPolicy.EVERY_TIME));
        }

        @Override
        public Optional<Announcement> announcement() {
            return Optional.of(new Announcement(Topics.DEVICE_STATE, EventTypes.DEVICE_BMC_IP_RECORDED));
        }
    }

    /**
     * Replace the recorded BMC IP with the leased one; the status stays. The write happens every time (NetBox must
     * show where the BMC is now), but a BMC that flaps between addresses journals once per window, not per lease.
     */
    record RefreshBmcIp() implements Decision {
        @Override
        public Kind kind() {
            return Kind.REFRESH_BMC_IP;
        }

        @Override
        public String label() {
            return "refresh BMC IP";
        }

        @Override
        public Set<NetBoxWrite> writes() {
            return EnumSet.of(NetBoxWrite.BMC_IP, NetBoxWrite.OOB_IP);
        }

        @Override
        public Optional<Journal> journal() {
            return Optional.of(new Journal(JournalEntry.Kind.INFO, JournalPolicy.ONCE_PER_WINDOW));
        }

        @Override
        public Optional<Announcement> announcement() {
            return Optional.of(new Announcement(Topics.DEVICE_STATE, EventTypes.DEVICE_BMC_IP_RECORDED));
        }
    }

    /** Nothing to do: NetBox already says what the event says. Replays of an applied event land here. */
    record NoOp() implements Decision {
        @Override
        public Kind kind() {
            return Kind.NO_OP;
        }

        @Override
        public String label() {
            return "no action";
        }

        @Override
        public Set<NetBoxWrite> writes() {
            return EnumSet.noneOf(NetBoxWrite.class);
        }

        @Override
        public Optional<Journal> journal() {
            return Optional.empty();
        }

        @Override
        public Optional<Announcement> announcement() {
            return Optional.empty();
        }
    }

    /**
     * Change nothing, journal a warning that says why. Warnings come from inputs that repeat (DHCP renewals, replayed
     * callbacks), so each is journaled at most once per device and window.
     */
    record Warn(Warning warning) implements Decision {
        public Warn {
            Objects.requireNonNull(warning, "warning");
        }

        @Override
        public Kind kind() {
            return Kind.WARN;
        }

        @Override
        public String label() {
            return "warn, no change: " + warning.label();
        }

        @Override
        public Set<NetBoxWrite> writes() {
            return EnumSet.noneOf(NetBoxWrite.class);
        }

        @Override
        public Optional<Journal> journal() {
            return Optional.of(new Journal(JournalEntry.Kind.WARNING, JournalPolicy.ONCE_PER_WINDOW));
        }

        @Override
        public Optional<Announcement> announcement() {
            return Optional.of(new Announcement(Topics.DEVICE_STATE, EventTypes.DEVICE_WARNING));
        }
    }

    /** Write nothing, journal danger on every device involved, raise an alert for a human. */
    record Quarantine(Conflict conflict) implements Decision {
        public Quarantine {
            Objects.requireNonNull(conflict, "conflict");
            if (conflict == Conflict.NONE) {
                throw new IllegalArgumentException("quarantine needs a conflict");
            }
        }

        @Override
        public Kind kind() {
            return Kind.QUARANTINE;
        }

        @Override
        public String label() {
            return "quarantine: " + conflict.label();
        }

        @Override
        public Set<NetBoxWrite> writes() {
            return EnumSet.noneOf(NetBoxWrite.class);
        }

        @Override
        public Optional<Journal> journal() {
            return Optional.of(new Journal(JournalEntry.Kind.DANGER, JournalPolicy.ONCE_PER_WINDOW));
        }

        @Override
        public Optional<Announcement> announcement() {
            return Optional.of(new Announcement(Topics.HW_ALERTS, EventTypes.DEVICE_QUARANTINED));
        }
    }

    /** Keep the status (never backwards), journal the failure as danger so an operator sees it. */
    record ReportFailure(Stage stage) implements Decision {
        public ReportFailure {
            Objects.requireNonNull(stage, "stage");
        }

        @Override
        public Kind kind() {
            return Kind.REPORT_FAILURE;
        }

        @Override
        public String label() {
            return "report " + stage.label() + " failure, status kept";
        }

        @Override
        public Set<NetBoxWrite> writes() {
            return EnumSet.noneOf(NetBoxWrite.class);
        }

        @Override
        public Optional<Journal> journal() {
            return Optional.of(new Journal(JournalEntry.Kind.DANGER, JournalPolicy.EVERY_TIME));
        }

        @Override
        public Optional<Announcement> announcement() {
            return Optional.of(new Announcement(Topics.DEVICE_STATE, EventTypes.DEVICE_STAGE_FAILED));
        }
    }

    /**
     * Record one step's result: its figures in the device's local config context and a journal entry that says what
     * was measured, the status unchanged. The entry's kind follows the step's verdict (success for a pass, warning
     * for a pass with findings, danger for a fail or error); the one given here is a pass's.
     */
    record RecordStep(Stage stage) implements Decision {
        public RecordStep {
            Objects.requireNonNull(stage, "stage");
        }

        @Override
        public Kind kind() {
            return Kind.RECORD_STEP;
        }

        @Override
        public String label() {
            return "record " + stage.label() + " step, status kept";
        }

        @Override
        public Set<NetBoxWrite> writes() {
            return EnumSet.of(NetBoxWrite.LOCAL_CONTEXT);
        }

        @Override
        public Optional<Journal> journal() {
            return Optional.of(new Journal(JournalEntry.Kind.SUCCESS, JournalPolicy.EVERY_TIME));
        }

        @Override
        public Optional<Announcement> announcement() {
            return Optional.empty();
        }
    }
}
