package io.bmpipeline.dhcp.live;

/**
 * The kernel's count for one capture socket since it opened (PACKET_STATISTICS, accumulated because
 * reading it resets it): frames that passed the filter, and those of them lost because the socket
 * buffer was full.
 */
public record CaptureStatistics(long passedFilter, long dropped) {}
