package io.bmpipeline.discovery;

import io.bmpipeline.netbox.Markdown;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.Topics;
import io.bmpipeline.lifecycle.Decision;
import io.bmpipeline.lifecycle.FlapLimiter;
import io.bmpipeline.lifecycle.LifecycleTable;
import io.bmpipeline.lifecycle.Rule;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The writes of each branch of the discovery router. Each write compares before it writes, and
 * each journal entry carries the lease's event id, so an event handled twice (at-least-once
 * delivery, a crash between two writes) leaves one IP, one transition and one journal entry.
 * The journal entry goes first: if the process dies after it, the replay finds it and does the rest.
 */
public final class DiscoveryWriter {

    /** The end of every journal entry this writer makes: "Rule RULE-ID [lease LEASE-ID]". */
    private static final java.util.regex.Pattern APPLIED_RULE =
            java.util.regex.Pattern.compile("Rule (\\S+) \\[lease ([^\\]]+)\\]");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DiscoveryWriter.class);

    /** Unknown MACs renew every few hours: their log line once an hour per MAC, DEBUG in between. */
    private final io.bmpipeline.config.OncePerWindow unknownMacLines =
            new io.bmpipeline.config.OncePerWindow(java.time.Duration.ofHours(1), 100_000);

    private final NetBoxClient netbox;
    private final BmcAddressWriter addresses;
    private final FlapLimiter flapLimiter;
    private final Clock clock;

    public DiscoveryWriter(NetBoxClient netbox, FlapLimiter flapLimiter, Clock clock) {
        this.netbox = netbox;
        this.addresses = new BmcAddressWriter(netbox);
        this.flapLimiter = flapLimiter;
        this.clock = clock;
    }

    /** PROMOTE: journal, BMC IP as the rule says, then the status. */
    public List<Publication> promote(DiscoveryCase.Decided c) {
        Decision.Promote promote = (Decision.Promote) c.decision();
        String to = promote.to().netboxValue();
        String change = c.device().status() + " → " + to;
        journalOnce(c, JournalEntry.Kind.SUCCESS, change + ", BMC IP " + c.lease().ip());
        // The status goes in the same PATCH as oob_ip: one write, and never one without the other.
        // c.device() was read for this decision; a replay re-reads it and finds the status done.
        boolean statusWritten = false;
        if (promote.bmcIp() != Decision.IpWrite.KEEP) {
            Optional<Boolean> recorded = recordAddress(c, Optional.of(to));
            if (recorded.isEmpty()) {
                return List.of(); // NetBox changed under the decision: refused and said so; nothing more is written
            }
            statusWritten = recorded.get();
        }
        if (!statusWritten && !c.device().status().equals(to)) {
            netbox.devices().setStatus(c.device().id(), to);
        }
        LOG.infof("%s: %s %s [%s]", lease(c), c.device().label(), change + ", BMC IP " + c.lease().ip(), c.rule().id());
        io.bmpipeline.config.Meters.discoveryLatency(java.time.Duration.between(c.lease().seenAt(), clock.instant()));
        return announce(c, Optional.of(to));
    }

    /**
     * ASSIGN_BMC_IP and REFRESH_BMC_IP: the lease's address becomes the recorded BMC IP. The flap limiter spares
     * the journal a line per flap; the event still goes out, every time.
     */
    public List<Publication> recordBmcIp(DiscoveryCase.Decided c) {
        boolean admitted = admitted(c);
        String change = "BMC IP " + c.device().oobIpAddress().orElse("none") + " → " + c.lease().ip();
        if (admitted) {
            journalOnce(c, JournalEntry.Kind.INFO, change);
        }
        if (recordAddress(c, Optional.empty()).isEmpty()) {
            return List.of();
        }
        io.bmpipeline.config.Meters.discoveryLatency(java.time.Duration.between(c.lease().seenAt(), clock.instant()));
        LOG.logf(admitted ? org.jboss.logging.Logger.Level.INFO : org.jboss.logging.Logger.Level.DEBUG,
                "%s: %s %s [%s]", lease(c), c.device().label(), change, c.rule().id());
        return announce(c, Optional.empty());
    }

    /** WARN: a journal warning, at most once per window per device; the event every time; nothing else changes. */
    public List<Publication> warn(DiscoveryCase.Decided c) {
        String what = "BMC leased " + c.lease().ip() + ", NetBox records "
                + c.device().oobIpAddress().orElse("no BMC IP") + " (status " + c.device().status() + "); not changed";
        boolean admitted = admitted(c);
        if (admitted) {
            journalOnce(c, JournalEntry.Kind.WARNING, what);
        }
        LOG.logf(admitted ? org.jboss.logging.Logger.Level.WARN : org.jboss.logging.Logger.Level.DEBUG,
                "%s: %s %s [%s]", lease(c), c.device().label(), what, c.rule().id());
        return announce(c, Optional.empty());
    }

    /** QUARANTINE: nothing written but a danger entry (once per window) and an alert (every time). */
    public List<Publication> quarantine(DiscoveryCase.Decided c) {
        List<Publication> out = new ArrayList<>(announce(c, Optional.empty()));
        out.add(new Publication(Topics.HW_ALERTS, envelope(c, EventTypes.DEVICE_QUARANTINED, Optional.empty())));
        if (!admitted(c)) {
            LOG.debugf("%s: %s quarantined again, nothing written [%s]", lease(c), c.device().label(), c.rule().id());
            return out;
        }
        if (c.otherDevicesWithMac().isEmpty() && c.claim().heldByDevice().isEmpty()) {
            String detail = "leased IP " + c.lease().ip() + ": " + c.claim().notFree().orElse("not free in NetBox");
            journalOnce(c, JournalEntry.Kind.DANGER, "quarantined, nothing written: " + detail);
            LOG.warnf("%s: %s quarantined, nothing written: %s [%s]", lease(c), c.device().label(), detail, c.rule().id());
            return out;
        }
        // Every device in the conflict gets the entry, each naming the others: any of them is where a person looks.
        List<Long> others = !c.otherDevicesWithMac().isEmpty() ? c.otherDevicesWithMac()
                : List.of(c.claim().heldByDevice().orElseThrow());
        java.util.Map<Long, String> names = new java.util.LinkedHashMap<>();
        names.put(c.device().id(), c.device().label());
        others.forEach(id -> names.put(id,
                netbox.devices().byId(id).map(io.bmpipeline.netbox.Device::label).orElse("device #" + id)));
        String detail = !c.otherDevicesWithMac().isEmpty()
                ? "BMC MAC " + c.lease().mac() + " is on devices " + String.join(", ", names.values())
                : "leased IP " + c.lease().ip() + " is assigned in NetBox to " + names.get(others.getFirst())
                        + ", not to " + c.device().label();
        for (long device : names.keySet()) {
            journalOnce(device, c, JournalEntry.Kind.DANGER, "quarantined, nothing written: " + detail);
        }
        LOG.warnf("%s: quarantined, nothing written: %s [%s]", lease(c), detail, c.rule().id());
        return out;
    }

    /** SEEN_NOT_EXPECTED: nothing to write; reported so reconciliation and operators see it. */
    public List<Publication> seenNotExpected(DiscoveryCase.SeenNotExpected c) {
        BmcLease lease = c.lease();
        ObjectNode data = JSON.createObjectNode().put("mac", lease.mac().value()).put("ip", lease.ip())
                .put("observedBy", lease.observedBy()).put("seenAt", lease.seenAt().toString());
        lease.hostname().ifPresent(h -> data.put("hostname", h));
        lease.vendorClass().ifPresent(v -> data.put("vendorClass", v));
        if (!c.knownOn().isEmpty()) {
            var knownOn = data.putArray("knownOn");
            c.knownOn().forEach(i -> knownOn.add(i.label()));
        }
        LOG.logf(unknownMacLines.admit(lease.mac().value(), clock.instant()).isPresent()
                        ? org.jboss.logging.Logger.Level.INFO : org.jboss.logging.Logger.Level.DEBUG,
                "%s: no BMC interface in NetBox has this MAC%s; reported as seen, not expected", lease(lease),
                knownOn(c.knownOn()));
        return List.of(new Publication(Topics.DEVICE_STATE, EventEnvelope.of(
                EventEnvelope.deterministicId(lease.leaseId(), EventTypes.DHCP_LEASE_UNEXPECTED), "bm-pipeline/discovery",
                EventTypes.DHCP_LEASE_UNEXPECTED, lease.mac().value(), clock.instant(), data)));
    }

    /**
     * NOT_A_BMC: nothing to write or announce. Said at INFO, once an hour per MAC, when NetBox has the MAC on a device's
     * other interface (a host NIC leasing on the BMC segment is worth a look) or on the management port of a device
     * whose role has no BMCs, at DEBUG otherwise.
     */
    public List<Publication> notABmc(DiscoveryCase.NotABmc c) {
        boolean worthALine = !c.knownOn().isEmpty()
                && unknownMacLines.admit(c.lease().mac().value(), clock.instant()).isPresent();
        org.jboss.logging.Logger.Level level = worthALine ? org.jboss.logging.Logger.Level.INFO
                : org.jboss.logging.Logger.Level.DEBUG;
        LOG.logf(level, "%s: not a BMC (%s)%s", lease(c.lease()),
                c.outOfRole().orElse("no BMC interface has the MAC, and it looks like none"), knownOn(c.knownOn()));
        return List.of();
    }

    /**
     * NO_OP: the lease confirms what NetBox records. When NetBox records it because of this very lease — its journal
     * entry is there: the lease was applied before and the process died before the bus heard it was done — the
     * change it made is announced again. Announcements have deterministic ids, so one that did go out is a
     * duplicate the bus drops; one that did not goes out now. Every applied transition is announced at least once.
     */
    public List<Publication> nothing(DiscoveryCase c) {
        if (!(c instanceof DiscoveryCase.Decided d) || !(d.decision() instanceof Decision.NoOp)) {
            return List.of();
        }
        Optional<Rule> applied = netbox.journal().entries(d.device().id(), writtenSince(d.lease())).stream()
                .map(e -> APPLIED_RULE.matcher(e.comments()))
                .filter(m -> m.find() && m.group(2).equals(d.lease().leaseId()))
                .findFirst()
                .flatMap(m -> LifecycleTable.STANDARD.rules().stream().filter(r -> r.id().equals(m.group(1))).findFirst());
        if (applied.isEmpty()) {
            // A late lease ignored is news to whoever redrove it; a renewal confirming the record is not.
            LOG.logf(d.rule().id().equals("lease-older-than-recorded-ip") ? org.jboss.logging.Logger.Level.INFO
                            : org.jboss.logging.Logger.Level.DEBUG,
                    "%s: %s %s [%s]", lease(d), d.device().label(), d.decision().label(), d.rule().id());
            return List.of();
        }
        LOG.infof("%s: %s was applied by an earlier attempt of this lease (rule %s); announced again", lease(d),
                d.device().label(), applied.get().id());
        var earlier = new DiscoveryCase.Decided(d.lease(), d.device(), d.bmc(), applied.get(), d.otherDevicesWithMac(),
                d.claim());
        Optional<String> newStatus = earlier.decision() instanceof Decision.Promote p
                ? Optional.of(p.to().netboxValue()) : Optional.empty();
        return announce(earlier, newStatus);
    }

    /**
     * NetBox refused a write's content (400): retrying cannot help. The device's journal and the
     * alert topic get NetBox's own words and the object that was refused.
     */
    public List<Publication> rejected(DiscoveryCase c,
            @org.apache.camel.ExchangeProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT) NetBoxException.Rejected refusal) {
        ObjectNode data = JSON.createObjectNode()
                .put("request", refusal.request())
                .put("status", refusal.status())
                .put("errors", refusal.errors().toString())
                .put("attempted", refusal.attempted())
                .put("bmcMac", c.lease().mac().value())
                .put("bmcIp", c.lease().ip());
        String subject = c.lease().mac().value();
        if (c instanceof DiscoveryCase.Decided d) {
            data.put("deviceId", d.device().id());
            subject = d.device().serial().isEmpty() ? subject : d.device().serial();
            journalOnce(d, JournalEntry.Kind.DANGER, "NetBox refused " + refusal.request() + ": " + refusal.errors()
                    + " (attempted " + refusal.attempted() + ")");
        }
        LOG.warnf("%s: NetBox refused %s (HTTP %d): %s", lease(c.lease()), refusal.request(), refusal.status(),
                refusal.errors());
        return List.of(new Publication(Topics.HW_ALERTS, EventEnvelope.of(
                EventEnvelope.deterministicId(c.lease().leaseId(), EventTypes.NETBOX_WRITE_REFUSED), "bm-pipeline/discovery",
                EventTypes.NETBOX_WRITE_REFUSED, subject, clock.instant(), data)));
    }

    /**
     * Records the lease's address (and the new status with oob_ip): whether the status was written; empty when NetBox
     * refused the address (taken meanwhile, or not free), which is journaled and logged here.
     */
    private Optional<Boolean> recordAddress(DiscoveryCase.Decided c, Optional<String> newStatus) {
        var outcome = addresses.record(c.device(), c.bmc(), c.lease().ip(), c.claim(), c.lease().maskBits(),
                c.lease().seenAt(), newStatus);
        // The claim the decision was taken on refuses the address: no row records then, but should one, nothing is
        // written and it is said.
        if (outcome instanceof BmcAddressWriter.Outcome.HeldByOtherDevice held) {
            String holder = netbox.devices().byId(held.otherDeviceId()).map(io.bmpipeline.netbox.Device::label)
                    .orElse("device #" + held.otherDeviceId());
            journalOnce(c, JournalEntry.Kind.DANGER, "leased IP " + c.lease().ip()
                    + " was taken by " + holder + " while this lease was applied; not recorded");
            LOG.warnf("%s: %s: the IP was taken by %s meanwhile; not recorded", lease(c), c.device().label(), holder);
            return Optional.empty();
        }
        if (outcome instanceof BmcAddressWriter.Outcome.NotFree notFree) {
            journalOnce(c, JournalEntry.Kind.DANGER, "leased IP " + c.lease().ip() + ": " + notFree.why()
                    + " (changed while this lease was applied); not recorded");
            LOG.warnf("%s: %s: %s meanwhile; not recorded", lease(c), c.device().label(), notFree.why());
            return Optional.empty();
        }
        if (outcome instanceof BmcAddressWriter.Outcome.Recorded recorded && !recorded.unassigned().isEmpty()) {
            LOG.infof("%s: %s planned BMC IP %s taken off %s, replaced by the lease", lease(c), c.device().label(),
                    String.join(", ", recorded.unassigned()), c.bmc().name());
        }
        return Optional.of(newStatus.isPresent());
    }

    private boolean admitted(DiscoveryCase.Decided c) {
        Optional<Decision.Journal> journal = c.decision().journal();
        if (journal.isEmpty() || journal.get().policy() == Decision.JournalPolicy.EVERY_TIME) {
            return true;
        }
        return flapLimiter.admit(Long.toString(c.device().id()), c.decision(), clock.instant())
                instanceof FlapLimiter.Admission.Journal;
    }

    /**
     * Writes the entry unless one for this lease event is already there. Always asked: no bus can promise an event
     * is new everywhere (two taps of an HA pair each deliver the lease for the first time; so does a capture
     * replayed into a fresh store, or a delivery count lost in a crash).
     */
    private void journalOnce(DiscoveryCase.Decided c, JournalEntry.Kind kind, String what) {
        journalOnce(c.device().id(), c, kind, what);
    }

    /** As above, on {@code deviceId}'s journal (a conflict is written on every device in it). */
    private void journalOnce(long deviceId, DiscoveryCase.Decided c, JournalEntry.Kind kind, String what) {
        String marker = "[lease " + c.lease().leaseId() + "]";
        boolean written = netbox.journal().entries(deviceId, writtenSince(c.lease())).stream()
                .anyMatch(e -> e.comments().contains(marker));
        if (!written) {
            BmcLease lease = c.lease();
            netbox.journal().write(deviceId, kind, what + ". " + c.rule().why()
                    + ". Lease: MAC " + lease.mac() + ", IP " + lease.ip()
                    + lease.hostname().map(h -> ", hostname " + Markdown.escape(h)).orElse("")
                    + lease.vendorClass().map(v -> ", vendor class " + Markdown.escape(v)).orElse("")
                    + ", seen by " + lease.observedBy() + " at " + lease.seenAt()
                    + ". Rule " + c.rule().id() + " " + marker);
        }
    }

    private List<Publication> announce(DiscoveryCase.Decided c, Optional<String> newStatus) {
        return c.decision().announcement()
                .map(a -> List.of(new Publication(a.topic(), envelope(c, a.type(), newStatus))))
                .orElse(List.of());
    }

    private EventEnvelope envelope(DiscoveryCase.Decided c, String type, Optional<String> newStatus) {
        ObjectNode data = JSON.createObjectNode()
                .put("deviceId", c.device().id())
                .put("serial", c.device().serial())
                .put("status", c.device().status())
                .put("decision", c.decision().label())
                .put("rule", c.rule().id())
                .put("bmcMac", c.lease().mac().value())
                .put("bmcIp", c.lease().ip());
        newStatus.ifPresent(s -> data.put("newStatus", s));
        String subject = c.device().serial().isEmpty() ? c.lease().mac().value() : c.device().serial();
        return EventEnvelope.of(EventEnvelope.deterministicId(c.lease().leaseId(), type), "bm-pipeline/discovery",
                type, subject, clock.instant(), data);
    }

    /**
     * A lease's journal entry can only have been written after the lease was seen: the marker is looked for among the
     * entries NetBox created since then, less an hour for the clocks of the tap's host and NetBox's to differ, not
     * through a device's whole journal.
     */
    private static Optional<java.time.Instant> writtenSince(BmcLease lease) {
        return Optional.of(lease.seenAt().minus(java.time.Duration.ofHours(1)));
    }

    /** How a log line names the lease: "lease MAC → IP". */
    private static String lease(BmcLease lease) {
        return "lease " + lease.mac() + " → " + lease.ip();
    }

    private static String lease(DiscoveryCase.Decided c) {
        return lease(c.lease());
    }

    private static String knownOn(List<io.bmpipeline.netbox.DeviceInterface> interfaces) {
        return interfaces.isEmpty() ? "" : " (NetBox has it on " + String.join(", ",
                interfaces.stream().map(io.bmpipeline.netbox.DeviceInterface::label).toList()) + ", not a BMC)";
    }
}
