package io.bmpipeline.discovery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class BmcFilterTest {

    private static BmcLease lease(String mac, String vendorClass) {
        return new BmcLease("id", MacAddress.of(mac), "10.0.0.1", OptionalInt.empty(), Optional.empty(),
                Optional.ofNullable(vendorClass), "tap", Instant.EPOCH);
    }

    @Test
    void unconfiguredFilterTakesEveryLeaseForABmc() {
        assertTrue(BmcFilter.acceptAll().looksLikeBmc(lease("00:16:3E:00:00:01", null)));
    }

    @Test
    void ouiPrefixOrVendorClassMarksABmc() {
        BmcFilter filter = new BmcFilter(List.of("94-57-a5"), List.of("iDRAC", "CPQRIB"));
        assertTrue(filter.looksLikeBmc(lease("94:57:A5:00:00:01", null)));
        assertTrue(filter.looksLikeBmc(lease("00:16:3E:00:00:01", "idrac9")));
        assertTrue(filter.looksLikeBmc(lease("00:16:3E:00:00:01", "CPQRIB3")));
        assertFalse(filter.looksLikeBmc(lease("00:16:3E:00:00:01", "PXEClient:Arch:00000")));
        assertFalse(filter.looksLikeBmc(lease("00:16:3E:00:00:01", null)));
    }
}
