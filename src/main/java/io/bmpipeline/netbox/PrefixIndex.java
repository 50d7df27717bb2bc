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

    /** One IPv4 prefix: network bits, length and VRF (empty: the global table). */
    record Prefix(int network, int length, java.util.Optional<Long> vrf) {
        boolean contains(int address) {
            int mask = length == 0 ? 0 : -1 << (32 - length);
            return (address & mask) == (network & mask);
        }

        static java.util.Optional<Prefix> parse(String cidr, java.util.Optional<Long> vrf) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                return java.util.Optional.empty();
            }
            try {
                int length = Integer.parseInt(cidr.substring(slash + 1));
                return Ipv4Address.parse(cidr.substring(0, slash))
                        .filter(a -> length >= 0 && length <= 32)
                        .map(a -> new Prefix(a.bits(), length, vrf));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        }
    }

    /** A prefix as NetBox lists it: CIDR and VRF. */
    record Listed(String cidr, java.util.Optional<Long> vrf) {}

    private final Supplier<List<Listed>> load;
    private final long maxAgeNanos;
    private List<Prefix> prefixes;
    private long loadedAt;

    PrefixIndex(Supplier<List<Listed>> load, Duration maxAge) {
        this.load = load;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /** The most specific prefix containing {@code host}, across VRFs; the global table's wins a tie. */
    synchronized java.util.Optional<Prefix> longestContaining(String host) {
        int address = Ipv4Address.parse(host)
                .orElseThrow(() -> new IllegalArgumentException("not an IPv4 address: " + host)).bits();
        long now = System.nanoTime();
        if (prefixes == null || now - loadedAt > maxAgeNanos) {
            prefixes = load.get().stream().map(l -> Prefix.parse(l.cidr(), l.vrf())).flatMap(java.util.Optional::stream)
                    .toList();
            loadedAt = now;
        }
        return longest(prefixes.stream().filter(p -> p.contains(address)).toList());
    }

    static java.util.Optional<Prefix> longest(List<Prefix> containing) {
        return containing.stream().max(java.util.Comparator.comparingInt(Prefix::length)
                .thenComparing(p -> p.vrf().isEmpty())
                .thenComparing(p -> -p.vrf().orElse(0L)));
    }
}
