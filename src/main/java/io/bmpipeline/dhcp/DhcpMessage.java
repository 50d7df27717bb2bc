package io.bmpipeline.dhcp;

import io.bmpipeline.address.Ipv4Address;
import io.bmpipeline.address.MacAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A DHCPv4 message as parsed off the wire: the BOOTP header, the options the pipeline uses, and
 * where the frame came from. Empty address fields are {@link Ipv4Address#ANY}. Option 82's sub-options come twice:
 * {@code relayAgentHex} has every one's raw bytes in hex, {@code relayAgent} the printable ones as text (so ASCII "13"
 * and the byte 0x13 never look alike). {@code vlan} is the outer (802.1ad service, or only) tag, {@code innerVlan}
 * the customer tag of a double-tagged frame, -1 when there is none.
 */
public record DhcpMessage(
        int op, long xid, MacAddress chaddr, int messageType,
        Ipv4Address ciaddr, Ipv4Address yiaddr, Ipv4Address siaddr, Ipv4Address giaddr,
        Optional<Ipv4Address> serverId, Optional<Ipv4Address> requestedIp, OptionalLong leaseSeconds,
        OptionalInt subnetMaskBits, Optional<String> hostname, Optional<String> vendorClass,
        Optional<String> clientId, Map<Integer, String> relayAgent, Map<Integer, String> relayAgentHex,
        MacAddress sourceMac, Ipv4Address sourceIp, Ipv4Address destinationIp, int sourcePort, int destinationPort,
        int vlan, int innerVlan, String interfaceName, Instant capturedAt) {

    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    /** Relay agent information (option 82) sub-option: the relay's circuit id. */
    public static final int RELAY_CIRCUIT_ID = 1;
    /** Relay agent information (option 82) sub-option: the relay's remote id. */
    public static final int RELAY_REMOTE_ID = 2;

    public boolean isAck() {
        return op == 2 && messageType == ACK;
    }

    public boolean isRequest() {
        return op == 1 && messageType == REQUEST;
    }

    public boolean relayed() {
        return !giaddr.isAny();
    }
}
