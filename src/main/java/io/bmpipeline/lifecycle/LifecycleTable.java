package io.bmpipeline.lifecycle;

import static io.bmpipeline.lifecycle.Conflict.BMC_MAC_ON_SEVERAL_DEVICES;
import static io.bmpipeline.lifecycle.Conflict.LEASED_IP_NOT_FREE;
import static io.bmpipeline.lifecycle.Conflict.LEASED_IP_ON_ANOTHER_BMC;
import static io.bmpipeline.lifecycle.DeviceStatus.ACTIVE;
import static io.bmpipeline.lifecycle.DeviceStatus.DISCOVERED;
import static io.bmpipeline.lifecycle.DeviceStatus.OFFLINE;
import static io.bmpipeline.lifecycle.DeviceStatus.READY;
import static io.bmpipeline.lifecycle.DeviceStatus.STAGED;
import static io.bmpipeline.lifecycle.LifecycleEvent.Kind.BMC_LEASE_OBSERVED;
import static io.bmpipeline.lifecycle.LifecycleEvent.Kind.HARDENING_FAILED;
import static io.bmpipeline.lifecycle.LifecycleEvent.Kind.HARDENING_SUCCEEDED;
import static io.bmpipeline.lifecycle.LifecycleEvent.Kind.PXE_STEP_REPORTED;
import static io.bmpipeline.lifecycle.LifecycleEvent.Kind.PXE_VALIDATION_FAILED;
import static io.bmpipeline.lifecycle.LifecycleEvent.Kind.PXE_VALIDATION_PASSED;
import static io.bmpipeline.lifecycle.LifecycleEvent.Kind.TENANT_DELIVERED;
import static io.bmpipeline.lifecycle.RecordedBmcIp.ABSENT;
import static io.bmpipeline.lifecycle.RecordedBmcIp.DIFFERENT;
import static io.bmpipeline.lifecycle.RecordedBmcIp.FROM_LATER_LEASE;
import static io.bmpipeline.lifecycle.RecordedBmcIp.SAME;

import io.bmpipeline.lifecycle.Decision.AssignBmcIp;
import io.bmpipeline.lifecycle.Decision.IpWrite;
import io.bmpipeline.lifecycle.Decision.NoOp;
import io.bmpipeline.lifecycle.Decision.Promote;
import io.bmpipeline.lifecycle.Decision.Quarantine;
import io.bmpipeline.lifecycle.Decision.RecordStep;
import io.bmpipeline.lifecycle.Decision.RefreshBmcIp;
import io.bmpipeline.lifecycle.Decision.ReportFailure;
import io.bmpipeline.lifecycle.Decision.Stage;
import io.bmpipeline.lifecycle.Decision.Warn;
import io.bmpipeline.lifecycle.Decision.Warning;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The lifecycle authority: the one declared table of {@code status × event → decision}. Every lifecycle decision
 * of the pipeline is a lookup here; the diagrams in {@code docs/} are generated from {@link #rules()}
 * ({@link LifecycleDiagrams}).
 *
 * <p>The rows partition the input space: for every status and every possible event value
 * ({@link LifecycleEvent#all()}) exactly one row matches, which construction checks. So rows can be read one at a
 * time, in any order, and a new row that overlaps an old one, or a new event nobody decided, fails at start and in
 * every test rather than being shadowed silently.
 *
 * <p>Adding a phase: add the event kind to {@link LifecycleEvent}, then rows here for every status (the
 * construction check lists what is missing).
 */
public final class LifecycleTable {

    private static final Set<DeviceStatus> ALL_STATUSES = EnumSet.allOf(DeviceStatus.class);
    private static final Set<DeviceStatus> UNTOUCHABLE = DeviceStatus.UNTOUCHABLE;

    /** The pipeline's table. */
    public static final LifecycleTable STANDARD = new LifecycleTable(List.of(

            // ---- Identity conflicts come first in reading, and in every status (DESIGN §2) -----------------------
            // No write is safe when we cannot tell which device the lease belongs to, whatever the status.
            rule("lease-bmc-mac-on-several-devices", ALL_STATUSES, BMC_LEASE_OBSERVED,
                    Guard.conflict(BMC_MAC_ON_SEVERAL_DEVICES), new Quarantine(BMC_MAC_ON_SEVERAL_DEVICES),
                    "the leased BMC MAC is recorded on several devices; nothing written until a person fixes NetBox"),
            rule("lease-ip-on-another-bmc", ALL_STATUSES, BMC_LEASE_OBSERVED,
                    Guard.conflict(LEASED_IP_ON_ANOTHER_BMC), new Quarantine(LEASED_IP_ON_ANOTHER_BMC),
                    "the leased IP is the BMC IP of a device with another BMC MAC; nothing written until a person "
                            + "resolves which machine owns it"),
            rule("lease-ip-not-free", ALL_STATUSES, BMC_LEASE_OBSERVED,
                    Guard.conflict(LEASED_IP_NOT_FREE), new Quarantine(LEASED_IP_NOT_FREE),
                    "NetBox has the leased IP reserved, deprecated or given to something that is no BMC, in the BMC "
                            + "network's VRF; nothing written until a person reconciles DHCP and IPAM"),

            // ---- Late leases: an older lease never overwrites a newer one --------------------------------------------
            // The bus orders a MAC's leases, not a device's: a device leasing from two BMC MACs, or a dead letter
            // redriven after newer leases were applied, brings a lease older than the one NetBox's BMC IP came from.
            rule("lease-older-than-recorded-ip", DeviceStatus.LIFECYCLE, BMC_LEASE_OBSERVED,
                    Guard.noConflict(FROM_LATER_LEASE), new NoOp(),
                    "lease older than the one the recorded BMC IP came from (delivered late or redriven); nothing changed"),

            // ---- Phase 0, the spec's table row by row ------------------------------------------------------------
            // Row 1: offline → promote to discovered, assign BMC IP. The lease is the first proof that the machine
            // is racked and powered; an IP recorded before that was a plan, the lease is the fact.
            rule("offline-lease-promotes-and-assigns-ip", OFFLINE, BMC_LEASE_OBSERVED, Guard.noConflict(ABSENT),
                    new Promote(DISCOVERED, IpWrite.ASSIGN),
                    "first BMC lease of an offline device: discovered, BMC IP recorded"),
            rule("offline-lease-promotes-ip-already-recorded", OFFLINE, BMC_LEASE_OBSERVED, Guard.noConflict(SAME),
                    new Promote(DISCOVERED, IpWrite.KEEP),
                    "first BMC lease of an offline device whose BMC IP was already recorded: discovered"),
            rule("offline-lease-promotes-and-replaces-ip", OFFLINE, BMC_LEASE_OBSERVED, Guard.noConflict(DIFFERENT),
                    new Promote(DISCOVERED, IpWrite.REPLACE),
                    "first BMC lease of an offline device: discovered, the planned BMC IP replaced by the leased one"),

            // Row 2: discovered → refresh BMC IP. Until the device is staged nothing else relies on its BMC IP, so
            // the lease wins. Refreshing to the IP already recorded writes nothing, and deciding no-op for it keeps
            // replays and renewals from journaling again.
            rule("discovered-lease-refreshes-ip", DISCOVERED, BMC_LEASE_OBSERVED, Guard.noConflict(DIFFERENT),
                    new RefreshBmcIp(),
                    "BMC of a discovered device leased a new IP: recorded BMC IP refreshed"),
            rule("discovered-lease-records-missing-ip", DISCOVERED, BMC_LEASE_OBSERVED, Guard.noConflict(ABSENT),
                    new AssignBmcIp(),
                    "discovered device had no BMC IP on record: leased IP recorded"),
            rule("discovered-lease-same-ip", DISCOVERED, BMC_LEASE_OBSERVED, Guard.noConflict(SAME),
                    new NoOp(),
                    "BMC lease confirms the recorded BMC IP"),

            // Rows 3–5: active → assign when nothing is recorded, nothing when it matches, warn when it differs.
            rule("active-lease-assigns-missing-ip", ACTIVE, BMC_LEASE_OBSERVED, Guard.noConflict(ABSENT),
                    new AssignBmcIp(),
                    "active device had no BMC IP on record: leased IP recorded, status unchanged"),
            rule("active-lease-same-ip", ACTIVE, BMC_LEASE_OBSERVED, Guard.noConflict(SAME),
                    new NoOp(),
                    "BMC lease confirms the recorded BMC IP"),
            rule("active-lease-different-ip-warns", ACTIVE, BMC_LEASE_OBSERVED, Guard.noConflict(DIFFERENT),
                    new Warn(Warning.BMC_IP_MISMATCH),
                    "BMC of an active device leased another IP than the one on record; not changed, check DHCP"),

            // staged and ready, which the spec's table does not name, follow the active rows: from staging on,
            // later phases (hardening over Redfish, operators, tenants' tooling) reach the machine at its recorded
            // BMC IP, so a different lease is more likely a DHCP mistake or a cloned MAC than a legitimate move,
            // and a person decides. Filling a missing IP changes nothing anyone relies on, so it is done.
            rule("staged-or-ready-lease-assigns-missing-ip", EnumSet.of(STAGED, READY), BMC_LEASE_OBSERVED,
                    Guard.noConflict(ABSENT), new AssignBmcIp(),
                    "device had no BMC IP on record: leased IP recorded, status unchanged"),
            rule("staged-or-ready-lease-same-ip", EnumSet.of(STAGED, READY), BMC_LEASE_OBSERVED,
                    Guard.noConflict(SAME), new NoOp(),
                    "BMC lease confirms the recorded BMC IP"),
            rule("staged-or-ready-lease-different-ip-warns", EnumSet.of(STAGED, READY), BMC_LEASE_OBSERVED,
                    Guard.noConflict(DIFFERENT), new Warn(Warning.BMC_IP_MISMATCH),
                    "BMC leased another IP than the one on record after discovery; not changed, check DHCP"),

            // Row 6: any other state → journal warning, no action (DESIGN §2: planned, failed, decommissioning,
            // inventory and operators' own statuses belong to people).
            rule("untouchable-lease-warns", UNTOUCHABLE, BMC_LEASE_OBSERVED, Guard.noConflict(),
                    new Warn(Warning.UNTOUCHABLE_STATUS),
                    "BMC lease for a device whose status the pipeline does not manage; nothing changed"),

            // ---- Phase 1: PXE validation (spec: "on overall pass the device transitions to staged") --------------
            // A step result is recorded while the device is in Phase 1: discovered, or staged and validated again
            // (a re-run replaces the figures; staged is kept). The callback API refuses (409) a step or report for
            // a device whose row here warns, so these warnings come only from a status changed in NetBox meanwhile.
            rule("phase1-step-recorded", EnumSet.of(DISCOVERED, STAGED), PXE_STEP_REPORTED, Guard.ANY,
                    new RecordStep(Stage.PXE_VALIDATION),
                    "PXE validation step result recorded; status kept"),
            rule("step-out-of-order-warns", EnumSet.of(OFFLINE, READY, ACTIVE), PXE_STEP_REPORTED, Guard.ANY,
                    new Warn(Warning.OUT_OF_ORDER),
                    "PXE validation step does not fit the device's status; nothing recorded"),
            rule("discovered-validation-passed-stages", DISCOVERED, PXE_VALIDATION_PASSED, Guard.ANY,
                    new Promote(STAGED, IpWrite.KEEP),
                    "every PXE validation step passed: staged"),
            rule("staged-validation-passed-again", STAGED, PXE_VALIDATION_PASSED, Guard.ANY,
                    new NoOp(),
                    "PXE validation passed for a device already staged"),
            // Forward path only: a device never discovered is not staged on a report alone (its BMC was never
            // seen), and a ready or active device is never moved back.
            rule("validation-passed-out-of-order-warns", EnumSet.of(OFFLINE, READY, ACTIVE), PXE_VALIDATION_PASSED,
                    Guard.ANY, new Warn(Warning.OUT_OF_ORDER),
                    "PXE validation report does not fit the device's status; nothing changed"),
            // A failure keeps the status: the device stays where a re-run can pick it up, and staged is not undone
            // by a later failed re-run (forward path only) — the danger entry tells the operator.
            rule("validation-failed-reported", EnumSet.of(DISCOVERED, STAGED), PXE_VALIDATION_FAILED, Guard.ANY,
                    new ReportFailure(Stage.PXE_VALIDATION),
                    "PXE validation failed; status kept"),
            rule("validation-failed-out-of-order-warns", EnumSet.of(OFFLINE, READY, ACTIVE), PXE_VALIDATION_FAILED,
                    Guard.ANY, new Warn(Warning.OUT_OF_ORDER),
                    "PXE validation report does not fit the device's status; nothing changed"),

            // ---- Phase 2: hardening ("on completion the device transitions to ready") ------------------------------
            rule("staged-hardening-succeeded-readies", STAGED, HARDENING_SUCCEEDED, Guard.ANY,
                    new Promote(READY, IpWrite.KEEP),
                    "hardening playbook succeeded: ready"),
            rule("ready-hardening-succeeded-again", READY, HARDENING_SUCCEEDED, Guard.ANY,
                    new NoOp(),
                    "hardening succeeded for a device already ready"),
            rule("hardening-succeeded-out-of-order-warns", EnumSet.of(OFFLINE, DISCOVERED, ACTIVE),
                    HARDENING_SUCCEEDED, Guard.ANY, new Warn(Warning.OUT_OF_ORDER),
                    "hardening result does not fit the device's status; nothing changed"),
            // A failed re-run on a ready device is news an operator must see, but ready is never demoted.
            rule("hardening-failed-reported", EnumSet.of(STAGED, READY), HARDENING_FAILED, Guard.ANY,
                    new ReportFailure(Stage.HARDENING),
                    "hardening playbook failed; status kept"),
            rule("hardening-failed-out-of-order-warns", EnumSet.of(OFFLINE, DISCOVERED, ACTIVE), HARDENING_FAILED,
                    Guard.ANY, new Warn(Warning.OUT_OF_ORDER),
                    "hardening result does not fit the device's status; nothing changed"),

            // ---- Delivery ------------------------------------------------------------------------------------------
            rule("ready-delivered-activates", READY, TENANT_DELIVERED, Guard.ANY,
                    new Promote(ACTIVE, IpWrite.KEEP),
                    "delivered to its tenant: active"),
            rule("active-delivered-again", ACTIVE, TENANT_DELIVERED, Guard.ANY,
                    new NoOp(),
                    "delivery reported for a device already active"),
            rule("delivered-out-of-order-warns", EnumSet.of(OFFLINE, DISCOVERED, STAGED), TENANT_DELIVERED,
                    Guard.ANY, new Warn(Warning.OUT_OF_ORDER),
                    "delivery does not fit the device's status (only a ready device is delivered); nothing changed"),

            // ---- Statuses owned by people, for every phase event ----------------------------------------------------
            rule("untouchable-phase-event-warns", UNTOUCHABLE,
                    EnumSet.of(PXE_STEP_REPORTED, PXE_VALIDATION_PASSED, PXE_VALIDATION_FAILED, HARDENING_SUCCEEDED,
                            HARDENING_FAILED,
                            TENANT_DELIVERED),
                    Guard.ANY, new Warn(Warning.UNTOUCHABLE_STATUS),
                    "event for a device whose status the pipeline does not manage; nothing changed")
    ));

    private final List<Rule> rules;
    private final Map<DeviceStatus, Map<LifecycleEvent, Rule>> index;

    /** Builds a table and checks that its rows partition every status × event; fails naming each gap or overlap. */
    public LifecycleTable(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        this.index = index(this.rules);
    }

    /** The rows, in declaration order. */
    public List<Rule> rules() {
        return rules;
    }

    /** The one row that decides this status and event. */
    public Rule ruleFor(DeviceStatus status, LifecycleEvent event) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(event, "event");
        Rule rule = index.get(status).get(event);
        if (rule == null) {
            // LifecycleEvent is sealed and finite and construction checked every value: unreachable.
            throw new IllegalStateException("no rule for " + status + " × " + event);
        }
        return rule;
    }

    /** What to do with a device in {@code status} on {@code event}. */
    public Decision decide(DeviceStatus status, LifecycleEvent event) {
        return ruleFor(status, event).decision();
    }

    /** The decision for a device NetBox reports with the raw status value {@code netboxStatus}. */
    public Rule ruleFor(String netboxStatus, LifecycleEvent event) {
        return ruleFor(DeviceStatus.fromNetBox(netboxStatus), event);
    }

    private static Rule rule(String id, Set<DeviceStatus> from, LifecycleEvent.Kind on, Guard guard,
                             Decision decision, String why) {
        return new Rule(id, from, EnumSet.of(on), guard, decision, why);
    }

    private static Rule rule(String id, DeviceStatus from, LifecycleEvent.Kind on, Guard guard,
                             Decision decision, String why) {
        return new Rule(id, EnumSet.of(from), EnumSet.of(on), guard, decision, why);
    }

    private static Rule rule(String id, Set<DeviceStatus> from, Set<LifecycleEvent.Kind> on, Guard guard,
                             Decision decision, String why) {
        return new Rule(id, from, on, guard, decision, why);
    }

    private static Map<DeviceStatus, Map<LifecycleEvent, Rule>> index(List<Rule> rules) {
        List<String> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Rule rule : rules) {
            if (!ids.add(rule.id())) {
                problems.add("rule id '" + rule.id() + "' used twice");
            }
            if (!rule.guard().isAny() && !rule.on().equals(EnumSet.of(BMC_LEASE_OBSERVED))) {
                problems.add("rule '" + rule.id() + "' guards on lease facts but is not only for lease events");
            }
            if (rule.decision() instanceof Promote promote) {
                for (DeviceStatus from : rule.from()) {
                    if (!from.precedes(promote.to())) {
                        problems.add("rule '" + rule.id() + "' moves " + from + " to " + promote.to()
                                + ", which is not forward on the lifecycle path");
                    }
                }
            }
        }
        Map<Rule, Integer> uses = new HashMap<>();
        Map<DeviceStatus, Map<LifecycleEvent, Rule>> index = new EnumMap<>(DeviceStatus.class);
        for (DeviceStatus status : DeviceStatus.values()) {
            Map<LifecycleEvent, Rule> byEvent = new LinkedHashMap<>();
            for (LifecycleEvent event : LifecycleEvent.all()) {
                List<Rule> matching = rules.stream().filter(r -> r.matches(status, event)).toList();
                if (matching.isEmpty()) {
                    problems.add("no rule for " + status + " × " + event);
                } else if (matching.size() > 1) {
                    problems.add("several rules for " + status + " × " + event + ": "
                            + matching.stream().map(Rule::id).toList());
                } else {
                    byEvent.put(event, matching.getFirst());
                    uses.merge(matching.getFirst(), 1, Integer::sum);
                }
            }
            index.put(status, Map.copyOf(byEvent));
        }
        for (Rule rule : rules) {
            if (!uses.containsKey(rule)) {
                problems.add("rule '" + rule.id() + "' decides nothing (every input it matches has another rule)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("lifecycle table is not a partition of status × event:\n  "
                    + String.join("\n  ", problems));
        }
        return index;
    }
}
