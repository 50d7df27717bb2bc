package io.bmpipeline.netbox;

import java.util.Optional;

/** The NetBox prefix a leased address falls in: its length, and its VRF (empty: the global table). */
public record IpPrefix(int length, Optional<Long> vrfId) {}
