package io.bmpipeline.dhcp;

import java.time.Instant;

/**
 * One link-layer frame as captured, live or from a file, starting at the Ethernet header.
 * {@code vlan} is the 802.1Q id the kernel reported out of band (PACKET_AUXDATA), or -1; a tag
 * still inside the frame (pcap files) is read by the parser.
 */
public record CapturedFrame(byte[] data, Instant capturedAt, String interfaceName, int vlan, boolean outgoing) {

    public static final int NO_VLAN = -1;
}
