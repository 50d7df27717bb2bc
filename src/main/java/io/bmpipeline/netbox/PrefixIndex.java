package io.bmpipeline.netbox;

import io.bmpipeline.address.Ipv4Address;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * NetBox's IPv4 prefixes, held for a short while so that a burst of leases asks NetBox for its
 * prefix plan once, not once per lease. The most specific prefix containing an address is then
 * found here. A prefix an operator adds shows within {@code maxAge}.
 */
final class PrefixIndex {

    /** One IPv4 prefix: network bits and length. */
    record Prefix(int network, int length) {
        boolean contains(int address) {
            int mask = length == 0 ? 0 : -1 << (32 - length);
            return (address & mask) == (network & mask);
        }

        static java.util.Optional<Prefix> parse(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                return java.util.Optional.empty();
            }
            try {
                int length = Integer.parseInt(cidr.substring(slash + 1));
                return Ipv4Address.parse(cidr.substring(0, slash))
                        .filter(a -> length >= 0 && length <= 32)
                        .map(a -> new Prefix(a.bits(), length));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        }
    }

    private final Supplier<List<String>> load;
    private final long maxAgeNanos;
    private List<Prefix> prefixes;
    private long loadedAt;

    PrefixIndex(Supplier<List<String>> load, Duration maxAge) {
        this.load = load;
        this.maxAgeNanos = maxAge.toNanos();
    }

    synchronized OptionalInt longestContaining(String host) {
        int address = Ipv4Address.parse(host)
                .orElseThrow(() -> new IllegalArgumentException("not an IPv4 address: " + host)).bits();
        long now = System.nanoTime();
        if (prefixes == null || now - loadedAt > maxAgeNanos) {
            prefixes = load.get().stream().map(Prefix::parse).flatMap(java.util.Optional::stream).toList();
            loadedAt = now;
        }
        return prefixes.stream().filter(p -> p.contains(address)).mapToInt(Prefix::length).max();
    }
}
