package io.bmpipeline.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.lifecycle.FlapLimiter;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.netbox.IpAddress;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.LiveNetBox;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer skips its "already journaled?" read only on an event's first delivery. A redelivery
 * (attempt 2, or a bus that does not count) of a lease whose first attempt died after its journal
 * entry finishes the promotion without a second entry — in the live NetBox.
 */
class DiscoveryReplayTest {

    private static final BmcInterfacePattern BMC = new BmcInterfacePattern(Pattern.compile("(?i)bmc|ilo|idrac"));

    private NetBoxClient netbox;
    private NetBoxFixture fixture;
    private DiscoveryDecider decider;
    private DiscoveryWriter writer;
    private String net;

    @BeforeEach
    void seed() {
        netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV2());
        fixture = new NetBoxFixture(netbox);
        decider = new DiscoveryDecider(netbox, BMC, BmcFilter.acceptAll());
        writer = new DiscoveryWriter(netbox, new FlapLimiter(Duration.ofHours(1), 1000), Clock.systemUTC());
        net = fixture.netWithPrefix();
    }

    @AfterEach
    void clean() {
        for (String host : List.of(net + ".20", net + ".21")) {
            netbox.ipam().addresses(host).forEach(ip -> netbox.ipam().deleteAddress(ip.id()));
        }
        fixture.close();
    }

    private BmcLease lease(String suffix) {
        int h = fixture.tag().hashCode();
        MacAddress mac = MacAddress.of(String.format("94:57:A5:%02X:%02X:%02X", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff));
        return new BmcLease("lease-" + fixture.tag() + "-" + suffix, mac, net + ".20", OptionalInt.of(24),
                Optional.empty(), Optional.empty(), "test-tap", Instant.now());
    }

    @Test
    void aLeaseDeliveredAgainFindsItsFirstEntryAndFinishesTheJobWithoutASecond() {
        BmcLease lease = lease("r");
        var device = fixture.device(fixture.serial("r"), "offline", "iLO", "eth0");
        netbox.interfaces().setMac(device.iface("iLO"), lease.mac());

        // The first delivery (of this tap, or of the other tap of an HA pair) wrote its journal entry and died
        // before the address and the status.
        netbox.journal().write(device.id(), JournalEntry.Kind.SUCCESS, "offline → discovered [lease " + lease.leaseId() + "]");

        var redelivered = assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(lease));
        assertEquals("PROMOTE", redelivered.branch());
        writer.promote(redelivered);

        var after = netbox.devices().byId(device.id()).orElseThrow();
        assertEquals("discovered", after.status());
        assertEquals(net + ".20/24", after.oobIpAddress().orElseThrow());
        List<IpAddress> ips = netbox.ipam().addresses(net + ".20");
        assertEquals(1, ips.size());
        List<JournalEntry> journal = netbox.journal().entries(device.id());
        assertEquals(1, journal.size(), "the redelivery found the first attempt's entry: " + journal);
    }

    @Test
    void aPromotionAppliedBeforeACrashIsAnnouncedAgainWithItsOwnIdWhenTheLeaseComesBack() {
        BmcLease lease = lease("a");
        var device = fixture.device(fixture.serial("a"), "offline", "iLO", "eth0");
        netbox.interfaces().setMac(device.iface("iLO"), lease.mac());
        var first = assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(lease));
        List<Publication> announced = writer.promote(first);
        assertEquals(1, announced.size());
        // The process died here: NetBox has the promotion, the bus never heard of the announcement.

        var again = assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(lease));
        assertEquals("NO_OP", again.branch(), "discovered with the same IP: nothing to write");
        List<Publication> reannounced = writer.nothing(again);

        assertEquals(1, reannounced.size());
        assertEquals(announced.getFirst().topic(), reannounced.getFirst().topic());
        assertEquals(announced.getFirst().envelope().id(), reannounced.getFirst().envelope().id(),
                "the same id: a bus that has the first announcement drops this one");
        assertEquals(EventTypes.DEVICE_STATE_CHANGED, reannounced.getFirst().envelope().type());
        assertEquals("discovered", reannounced.getFirst().envelope().data().get("newStatus").asText());
        assertEquals(1, netbox.journal().entries(device.id()).size(), "nothing written again");

        // A renewal (another lease event) of the same BMC announces nothing.
        assertEquals(List.of(), writer.nothing(assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(lease("b")))));
    }

    @Test
    void aLeaseOlderThanTheOneTheBmcIpCameFromNeverRollsItBack() {
        BmcLease stale = lease("old");
        Instant seen = stale.seenAt();
        var device = fixture.device(fixture.serial("late"), "offline", "iLO", "eth0");
        netbox.interfaces().setMac(device.iface("iLO"), stale.mac());
        BmcLease newer = new BmcLease("lease-" + fixture.tag() + "-new", stale.mac(), net + ".21", OptionalInt.of(24),
                Optional.empty(), Optional.empty(), "test-tap", seen.plusSeconds(5));
        writer.promote(assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(newer)));

        // The older lease comes back: redriven from the dead letters, or late from the other tap of an HA pair.
        var late = assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(stale));
        assertEquals("NO_OP", late.branch());
        assertEquals("lease-older-than-recorded-ip", late.rule().id());
        assertEquals(List.of(), writer.nothing(late), "nothing to announce: nothing was applied");
        var after = netbox.devices().byId(device.id()).orElseThrow();
        assertEquals(net + ".21/24", after.oobIpAddress().orElseThrow());
        assertEquals(List.of(), netbox.ipam().addresses(net + ".20"), "no address created for the late lease");

        // A lease seen after the recorded one moves the BMC IP as before.
        BmcLease later = new BmcLease("lease-" + fixture.tag() + "-later", stale.mac(), net + ".20", OptionalInt.of(24),
                Optional.empty(), Optional.empty(), "test-tap", seen.plusSeconds(10));
        var refresh = assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(later));
        assertEquals("REFRESH_BMC_IP", refresh.branch());
        writer.recordBmcIp(refresh);
        var moved = netbox.devices().byId(device.id()).orElseThrow();
        assertEquals(net + ".20/24", moved.oobIpAddress().orElseThrow());
        assertEquals(Optional.of(seen.plusSeconds(10)), moved.oobIpDescription().flatMap(LeaseStamp::seenAt));
    }

    @Test
    void aHostnameFromTheWireReadsAsTextInTheJournalNeverAsMarkdown() {
        BmcLease plain = lease("md");
        BmcLease lease = new BmcLease(plain.leaseId(), plain.mac(), plain.ip(), plain.maskBits(),
                Optional.of("*x*[click](http://evil.example)<b>"), Optional.of("iDRAC_9"), "test-tap", plain.seenAt());
        var device = fixture.device(fixture.serial("md"), "offline", "iLO", "eth0");
        netbox.interfaces().setMac(device.iface("iLO"), lease.mac());
        writer.promote(assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(lease)));
        String comments = netbox.journal().entries(device.id()).getFirst().comments();
        assertTrue(comments.contains("hostname \\*x\\*\\[click\\](http://evil.example)&lt;b&gt;"), comments);
        assertTrue(comments.contains("vendor class iDRAC\\_9"), comments);
    }

    @Test
    void aBmcPortThatBecomesCurrentAgainCarriesItsNewLeaseTime() {
        BmcLease base = lease("two-ports");
        Instant t = base.seenAt();
        var device = fixture.device(fixture.serial("2p"), "offline", "iLO", "BMC");
        MacAddress first = base.mac();
        MacAddress second = MacAddress.of(first.value().substring(0, 15) + "EE");
        netbox.interfaces().setMac(device.iface("iLO"), first);
        netbox.interfaces().setMac(device.iface("BMC"), second);
        java.util.function.BiFunction<MacAddress, String, java.util.function.Function<Instant, BmcLease>> lease =
                (mac, host) -> at -> new BmcLease("lease-" + fixture.tag() + "-" + mac + "-" + at, mac, net + host,
                        OptionalInt.of(24), Optional.empty(), Optional.empty(), "test-tap", at);
        writer.promote(assertInstanceOf(DiscoveryCase.Decided.class, decider.decide(lease.apply(first, ".20").apply(t))));
        writer.recordBmcIp(assertInstanceOf(DiscoveryCase.Decided.class,
                decider.decide(lease.apply(second, ".21").apply(t.plusSeconds(30)))));
        // Back to the first port: its address, still on iLO, becomes the BMC IP again, stamped with this lease.
        writer.recordBmcIp(assertInstanceOf(DiscoveryCase.Decided.class,
                decider.decide(lease.apply(first, ".20").apply(t.plusSeconds(50)))));
        assertEquals(net + ".20/24", netbox.devices().byId(device.id()).orElseThrow().oobIpAddress().orElseThrow());
        // A lease of the second port from between the two arrives late: it must not move the IP back.
        var late = assertInstanceOf(DiscoveryCase.Decided.class,
                decider.decide(lease.apply(second, ".21").apply(t.plusSeconds(40))));
        assertEquals("lease-older-than-recorded-ip", late.rule().id());
    }
}
