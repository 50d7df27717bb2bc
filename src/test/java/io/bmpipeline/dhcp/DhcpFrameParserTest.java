package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DhcpFrameParserTest {

    private final DhcpFrameParser parser = new DhcpFrameParser();

    private DhcpMessage message(DhcpFrameBuilder builder) {
        return assertInstanceOf(ParsedFrame.Message.class, parser.parse(builder.frame())).message();
    }

    private ParsedFrame.Dropped dropped(byte[] bytes) {
        return assertInstanceOf(ParsedFrame.Dropped.class,
                parser.parse(new CapturedFrame(bytes, Instant.EPOCH, "eth1", CapturedFrame.NO_VLAN, false)));
    }

    @Test
    void ackFieldsAreRead() {
        DhcpMessage m = message(DhcpFrameBuilder.ack().xid(0xCAFEBABEL).chaddr("D0:94:66:12:34:56").yiaddr(10, 66, 0, 42)
                .option(12, "idrac-abc").option(60, "iDRAC"));
        assertTrue(m.isAck());
        assertEquals(0xCAFEBABEL, m.xid());
        assertEquals(MacAddress.of("D0:94:66:12:34:56"), m.chaddr());
        assertEquals("10.66.0.42", m.yiaddr().toString());
        assertEquals(Optional.of("10.66.0.2"), m.serverId().map(Object::toString));
        assertEquals(3600, m.leaseSeconds().orElseThrow());
        assertEquals(24, m.subnetMaskBits().orElseThrow());
        assertEquals(Optional.of("idrac-abc"), m.hostname());
        assertEquals(Optional.of("iDRAC"), m.vendorClass());
        assertEquals("10.66.0.2", m.sourceIp().toString());
        assertEquals(67, m.sourcePort());
        assertEquals(-1, m.vlan());
        assertEquals("eth1", m.interfaceName());
    }

    @Test
    void inFrameVlanTagsAreReadAndTheOuterOneWins() {
        assertEquals(42, message(DhcpFrameBuilder.ack().vlan(42)).vlan());
        assertEquals(-1, message(DhcpFrameBuilder.ack().vlan(42)).innerVlan());
        DhcpMessage qinq = message(DhcpFrameBuilder.ack().vlan(100).vlan(42));
        assertEquals(100, qinq.vlan(), "the service (outer) tag");
        assertEquals(42, qinq.innerVlan(), "and the customer tag inside it");
    }

    @Test
    void aKernelTagAndATagInTheFrameAreBothKept() {
        byte[] bytes = DhcpFrameBuilder.ack().vlan(42).bytes();
        var m = assertInstanceOf(ParsedFrame.Message.class, parser.parse(new CapturedFrame(bytes, Instant.EPOCH, "eth1", 7,
                false))).message();
        assertEquals(7, m.vlan());
        assertEquals(42, m.innerVlan());
    }

    @Test
    void hostnamesAreReadAsUtf8ElseLatin1AndControlCharactersNeverPass() {
        assertEquals(Optional.of("Jean\u2019s-iPhone"),
                message(DhcpFrameBuilder.ack().option(12, bytes("Jean\u2019s-iPhone", StandardCharsets.UTF_8))).hostname());
        assertEquals(Optional.of("Jos\u00e9"), message(DhcpFrameBuilder.ack().option(12, 'J', 'o', 's', 0xE9)).hostname(),
                "not UTF-8: Latin-1");
        assertEquals(Optional.of("a?b?"), message(DhcpFrameBuilder.ack().option(12, 'a', 0x07, 'b', 0x1B)).hostname());
        assertEquals(Optional.of("x?y"), message(DhcpFrameBuilder.ack().option(12, 'x', 0xC2, 0x85, 'y')).hostname(),
                "a C1 control character in UTF-8 too");
        assertEquals(Optional.of("a?b?c"), message(DhcpFrameBuilder.ack().option(12,
                bytes("a\u202Eb\u2028c", StandardCharsets.UTF_8))).hostname(), "a bidi override and a line separator");
    }

    private static int[] bytes(String text, java.nio.charset.Charset charset) {
        byte[] raw = text.getBytes(charset);
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] & 0xff;
        }
        return out;
    }

    @Test
    void vlanFromTheKernelIsKept() {
        byte[] bytes = DhcpFrameBuilder.ack().bytes();
        var parsed = parser.parse(new CapturedFrame(bytes, Instant.EPOCH, "eth1", 7, false));
        assertEquals(7, assertInstanceOf(ParsedFrame.Message.class, parsed).message().vlan());
    }

    @Test
    void ipHeaderOptionsAndEthernetPaddingAreSkipped() {
        assertEquals("10.66.0.100", message(DhcpFrameBuilder.ack().ipOptionsWords(3).padding(40)).yiaddr().toString());
    }

    @Test
    void relayedAckCarriesGiaddrAndOption82SubOptions() {
        DhcpMessage m = message(DhcpFrameBuilder.ack().relayed(10, 77, 0, 1)
                .option(82, 1, 4, 'e', 't', 'h', '2', 2, 3, 0xAA, 0xBB, 0xCC));
        assertTrue(m.relayed());
        assertEquals("10.77.0.1", m.giaddr().toString());
        assertEquals(Map.of(1, "eth2"), m.relayAgent(), "printable sub-options as text");
        assertEquals(Map.of(1, "65746832", 2, "aabbcc"), m.relayAgentHex(), "every sub-option as hex");
    }

    @Test
    void option82TextAndBytesNeverLookAlike() {
        DhcpMessage m = message(DhcpFrameBuilder.ack().relayed(10, 77, 0, 1).option(82, 1, 2, '1', '3', 2, 1, 0x13));
        assertEquals(Map.of(1, "13"), m.relayAgent());
        assertEquals(Map.of(1, "3133", 2, "13"), m.relayAgentHex());
    }

    @Test
    void overloadedOptionsInFileAndSnameAreRead() {
        DhcpMessage m = message(DhcpFrameBuilder.ack().option(52, 3)
                .inFile(12, 4, 'h', 'o', 's', 't', 255)
                .inSname(60, 5, 'i', 'D', 'R', 'A', 'C', 255));
        assertEquals(Optional.of("host"), m.hostname());
        assertEquals(Optional.of("iDRAC"), m.vendorClass());
    }

    @Test
    void splitLongOptionsAreConcatenated() {
        DhcpMessage m = message(DhcpFrameBuilder.ack().option(12, "ilo-").option(12, "rack7-u12"));
        assertEquals(Optional.of("ilo-rack7-u12"), m.hostname());
    }

    @Test
    void padsAndAMissingEndAreTolerated() {
        DhcpMessage m = message(DhcpFrameBuilder.ack().raw(0, 0, 0).option(12, "x").noEnd());
        assertEquals(Optional.of("x"), m.hostname());
    }

    @Test
    void everyTruncationIsADropNeverAnException() {
        byte[] full = DhcpFrameBuilder.ack().option(12, "bmc-1").option(60, "CPQRIB3").bytes();
        for (int length = 0; length < full.length - 1; length++) {
            byte[] cut = java.util.Arrays.copyOf(full, length);
            ParsedFrame parsed = parser.parse(new CapturedFrame(cut, Instant.EPOCH, "eth1", -1, false));
            // Cutting only the end option still leaves a valid message; anything shorter must be a drop.
            if (parsed instanceof ParsedFrame.Dropped drop) {
                assertTrue(drop.offset() >= 0 && drop.offset() <= full.length, drop.toString());
            }
        }
        assertEquals(DropReason.TRUNCATED, dropped(java.util.Arrays.copyOf(full, 10)).reason());
        assertEquals(DropReason.TRUNCATED, dropped(java.util.Arrays.copyOf(full, 100)).reason());
    }

    @Test
    void fragmentsAreDropped() {
        assertEquals(DropReason.IP_FRAGMENT, dropped(DhcpFrameBuilder.ack().fragment(0x2000).bytes()).reason());
        assertEquals(DropReason.IP_FRAGMENT, dropped(DhcpFrameBuilder.ack().fragment(185).bytes()).reason());
    }

    @Test
    void badMagicCookieIsDroppedNamingTheOffset() {
        var drop = dropped(DhcpFrameBuilder.ack().cookie(0x63825364).bytes());
        assertEquals(DropReason.BAD_MAGIC_COOKIE, drop.reason());
        assertEquals(14 + 20 + 8 + 236, drop.offset());
    }

    @Test
    void nonEthernetHardwareAddressesAreNotBmcs() {
        assertEquals(DropReason.NOT_ETHERNET_HARDWARE, dropped(DhcpFrameBuilder.ack().hlen(20).bytes()).reason());
    }

    @Test
    void optionRunningPastThePacketIsDropped() {
        assertEquals(DropReason.OPTION_OVERRUN, dropped(DhcpFrameBuilder.ack().raw(12, 200, 'x').noEnd().bytes()).reason());
    }

    @Test
    void otherUdpAndDhcpv6AreDropped() {
        assertEquals(DropReason.NOT_DHCP_PORT, dropped(DhcpFrameBuilder.ack().ports(53, 68).bytes()).reason());
        assertEquals(DropReason.DHCPV6, dropped(DhcpFrameBuilder.ack().ports(547, 546).bytes()).reason());
    }

    @Test
    void messageWithoutTypeIsDropped() {
        byte[] bytes = new DhcpFrameBuilder().option(12, "x").bytes();
        assertEquals(DropReason.NO_MESSAGE_TYPE, dropped(bytes).reason());
    }
}
