package io.bmpipeline.dhcp;

import io.bmpipeline.address.Ipv4Address;
import io.bmpipeline.address.MacAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Frame in, {@link TapOutcome} out: parse, remember each client's REQUEST (its hostname and vendor
 * class), accept ACKs only from allowed servers, and pass each lease commit once. Memory is bounded:
 * pending REQUESTs and recent leases live in size-capped maps that also expire by age.
 * One instance per consumer thread.
 */
public final class LeaseTap {

    /** Allowed DHCP servers by source IP or MAC; empty means every server is trusted (say so at start). */
    public record Allowlist(Set<String> serverIps, Set<MacAddress> serverMacs) {
        public static Allowlist anyServer() {
            return new Allowlist(Set.of(), Set.of());
        }

        public boolean trustsEveryone() {
            return serverIps.isEmpty() && serverMacs.isEmpty();
        }

        boolean admits(DhcpMessage ack) {
            return trustsEveryone() || serverIps.contains(ack.sourceIp().toString()) || serverMacs.contains(ack.sourceMac());
        }
    }

    private record RequestKey(long xid, MacAddress mac) {}

    private record Request(Optional<String> hostname, Optional<String> vendorClass, Instant seen) {}

    private record LeaseKey(long xid, MacAddress mac, Ipv4Address ip) {}

    private static final int MAX_PENDING = 65_536;

    private final DhcpFrameParser parser = new DhcpFrameParser();
    private final Allowlist allowlist;
    private final Duration requestMemory;
    private final Duration dedupWindow;
    private final Map<RequestKey, Request> requests = boundedMap();
    private final Map<LeaseKey, Instant> recentLeases = boundedMap();
    private final Map<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
    private final Map<TapOutcome.IgnoreReason, LongAdder> ignored = new EnumMap<>(TapOutcome.IgnoreReason.class);
    private final LongAdder leases = new LongAdder();
    private final LongAdder spoofed = new LongAdder();

    public LeaseTap(Allowlist allowlist, Duration requestMemory, Duration dedupWindow) {
        this.allowlist = allowlist;
        this.requestMemory = requestMemory;
        this.dedupWindow = dedupWindow;
        for (DropReason r : DropReason.values()) {
            drops.put(r, new LongAdder());
        }
        for (TapOutcome.IgnoreReason r : TapOutcome.IgnoreReason.values()) {
            ignored.put(r, new LongAdder());
        }
    }

    public TapOutcome accept(CapturedFrame frame) {
        ParsedFrame parsed = parser.parse(frame);
        if (parsed instanceof ParsedFrame.Dropped drop) {
            drops.get(drop.reason()).increment();
            return new TapOutcome.Dropped(drop);
        }
        DhcpMessage m = ((ParsedFrame.Message) parsed).message();
        if (m.isRequest()) {
            requests.put(new RequestKey(m.xid(), m.chaddr()), new Request(m.hostname(), m.vendorClass(), m.capturedAt()));
            return ignore(TapOutcome.IgnoreReason.NOT_AN_ACK);
        }
        if (!m.isAck()) {
            return ignore(TapOutcome.IgnoreReason.NOT_AN_ACK);
        }
        if (m.yiaddr().isAny()) {
            return ignore(TapOutcome.IgnoreReason.INFORM_ACK);
        }
        if (!allowlist.admits(m)) {
            spoofed.increment();
            return new TapOutcome.Spoofed(m);
        }
        LeaseKey key = new LeaseKey(m.xid(), m.chaddr(), m.yiaddr());
        Instant before = recentLeases.get(key);
        if (before != null && Duration.between(before, m.capturedAt()).abs().compareTo(dedupWindow) <= 0) {
            return ignore(TapOutcome.IgnoreReason.DUPLICATE);
        }
        recentLeases.put(key, m.capturedAt());
        Request request = requests.remove(new RequestKey(m.xid(), m.chaddr()));
        if (request != null && Duration.between(request.seen(), m.capturedAt()).abs().compareTo(requestMemory) > 0) {
            request = null;
        }
        Optional<String> hostname = request != null && request.hostname().isPresent() ? request.hostname() : m.hostname();
        Optional<String> vendorClass = request != null && request.vendorClass().isPresent()
                ? request.vendorClass() : m.vendorClass();
        leases.increment();
        return new TapOutcome.Lease(new DhcpLeaseEvent(m.chaddr(), m.yiaddr().toString(), hostname, vendorClass,
                m.serverId().map(Ipv4Address::toString), m.sourceIp().toString(),
                m.relayed() ? Optional.of(m.giaddr().toString()) : Optional.empty(), m.relayAgent(), m.relayAgentHex(),
                m.vlan(), m.innerVlan(),
                m.leaseSeconds(), m.subnetMaskBits(), m.xid(), m.interfaceName(), m.capturedAt()));
    }

    private TapOutcome ignore(TapOutcome.IgnoreReason reason) {
        ignored.get(reason).increment();
        return new TapOutcome.Ignored(reason);
    }

    public long leases() {
        return leases.sum();
    }

    public long spoofed() {
        return spoofed.sum();
    }

    public long dropped(DropReason reason) {
        return drops.get(reason).sum();
    }

    public long ignored(TapOutcome.IgnoreReason reason) {
        return ignored.get(reason).sum();
    }

    private static <K, V> Map<K, V> boundedMap() {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > MAX_PENDING;
            }
        };
    }
}
