package io.bmpipeline.dhcp;

/** Why a captured frame did not become a DHCP message. Each is counted; none is an error of the tap. */
public enum DropReason {
    TRUNCATED,
    NOT_IPV4,
    IP_HEADER_INVALID,
    IP_FRAGMENT,
    NOT_UDP,
    NOT_DHCP_PORT,
    DHCPV6,
    BOOTP_TOO_SHORT,
    NOT_ETHERNET_HARDWARE,
    BAD_MAGIC_COOKIE,
    OPTION_OVERRUN,
    NO_MESSAGE_TYPE
}
