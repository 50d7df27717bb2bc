package io.bmpipeline.discovery;

import java.util.List;
import java.util.Locale;

/**
 * The outer layers of "is this lease a BMC's?" (DESIGN §3): configured OUI prefixes and option 60
 * vendor classes. OUIs alone are unreliable (shared with host NICs, rebranded by ODMs), so these
 * only decide what an unknown MAC is reported as; a MAC NetBox knows as a BMC's is always one.
 * With nothing configured every unknown lease counts as a BMC nobody expected.
 */
public record BmcFilter(List<String> ouiPrefixes, List<String> vendorClasses) {

    public BmcFilter {
        ouiPrefixes = ouiPrefixes.stream().map(p -> p.strip().toUpperCase(Locale.ROOT).replace('-', ':')).toList();
        vendorClasses = vendorClasses.stream().map(v -> v.strip().toLowerCase(Locale.ROOT)).toList();
    }

    public static BmcFilter acceptAll() {
        return new BmcFilter(List.of(), List.of());
    }

    public boolean looksLikeBmc(BmcLease lease) {
        if (ouiPrefixes.isEmpty() && vendorClasses.isEmpty()) {
            return true;
        }
        String mac = lease.mac().value();
        if (ouiPrefixes.stream().anyMatch(mac::startsWith)) {
            return true;
        }
        return lease.vendorClass().map(v -> v.toLowerCase(Locale.ROOT))
                .map(v -> vendorClasses.stream().anyMatch(v::startsWith)).orElse(false);
    }
}
