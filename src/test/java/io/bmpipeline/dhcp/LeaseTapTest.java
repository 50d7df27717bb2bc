package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.bmpipeline.address.MacAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaseTapTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private final LeaseTap tap = new LeaseTap(new LeaseTap.Allowlist(Set.of("10.66.0.2"), Set.of()),
            Duration.ofSeconds(10), Duration.ofSeconds(60));

    @Test
    void hostnameAndVendorClassComeFromTheRequestWhenTheAckLacksThem() {
        tap.accept(DhcpFrameBuilder.request().xid(7).chaddr("94:57:A5:00:00:09").option(12, "ilo-u9")
                .option(60, "CPQRIB3").frame(T0));
        var lease = assertInstanceOf(TapOutcome.Lease.class,
                tap.accept(DhcpFrameBuilder.ack().xid(7).chaddr("94:57:A5:00:00:09").frame(T0.plusMillis(5)))).event();
        assertEquals(Optional.of("ilo-u9"), lease.hostname());
        assertEquals(Optional.of("CPQRIB3"), lease.vendorClass());
        assertEquals(MacAddress.of("94:57:A5:00:00:09"), lease.mac());
        assertEquals("10.66.0.100", lease.ip());
        assertEquals(24, lease.maskBits().orElseThrow());
    }

    @Test
    void ackHostnameIsTheFallback() {
        var lease = assertInstanceOf(TapOutcome.Lease.class,
                tap.accept(DhcpFrameBuilder.ack().xid(8).option(12, "from-ack").frame(T0))).event();
        assertEquals(Optional.of("from-ack"), lease.hostname());
    }

    @Test
    void ackFromAServerNotOnTheAllowlistIsSpoofed() {
        var spoofed = assertInstanceOf(TapOutcome.Spoofed.class,
                tap.accept(DhcpFrameBuilder.ack().from("66:66:66:66:66:66", 10, 66, 0, 66).frame(T0)));
        assertEquals("10.66.0.66", spoofed.ack().sourceIp().toString());
        assertEquals(1, tap.spoofed());
        assertEquals(0, tap.leases());
    }

    @Test
    void sameLeaseSeenTwiceWithinTheWindowIsOneEvent() {
        assertInstanceOf(TapOutcome.Lease.class, tap.accept(DhcpFrameBuilder.ack().xid(9).frame(T0)));
        assertEquals(TapOutcome.IgnoreReason.DUPLICATE, assertInstanceOf(TapOutcome.Ignored.class,
                tap.accept(DhcpFrameBuilder.ack().xid(9).frame(T0.plusSeconds(1)))).reason());
        assertInstanceOf(TapOutcome.Lease.class, tap.accept(DhcpFrameBuilder.ack().xid(9).frame(T0.plusSeconds(120))));
    }

    @Test
    void informAcksAreIgnored() {
        assertEquals(TapOutcome.IgnoreReason.INFORM_ACK, assertInstanceOf(TapOutcome.Ignored.class,
                tap.accept(DhcpFrameBuilder.ack().yiaddr(0, 0, 0, 0).frame(T0))).reason());
    }

    @Test
    void haPairTapsPublishTheSameLeaseId() {
        var a = assertInstanceOf(TapOutcome.Lease.class, tap.accept(DhcpFrameBuilder.ack().xid(11).frame(T0))).event();
        LeaseTap other = new LeaseTap(LeaseTap.Allowlist.anyServer(), Duration.ofSeconds(10), Duration.ofSeconds(60));
        var b = assertInstanceOf(TapOutcome.Lease.class, other.accept(DhcpFrameBuilder.ack().xid(11).frame(T0))).event();
        assertEquals(a.leaseId(), b.leaseId());
    }
}
