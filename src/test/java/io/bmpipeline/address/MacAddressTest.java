package io.bmpipeline.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"a0:36:9f:7c:05:00", "A0:36:9F:7C:05:00", "A0-36-9F-7C-05-00", "a036.9f7c.0500",
            "a0369f7c0500", "  A0:36:9f:7C:05:00\t"})
    void everyVendorSpellingIsTheSameAddress(String text) {
        assertEquals(new MacAddress("A0:36:9F:7C:05:00"), MacAddress.of(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A0:36:9F:7C:05", "A0:36:9F:7C:05:00:11", "G0:36:9F:7C:05:00", "A0:36-9F:7C:05:00",
            "a0369f7c050", "a036.9f7c.05000", "A0:36:9F:7C:05:0"})
    void malformedAddressesAreRefusedQuotingTheText(String text) {
        assertTrue(MacAddress.parse(text).isEmpty());
        var error = assertThrows(IllegalArgumentException.class, () -> MacAddress.of(text));
        assertTrue(error.getMessage().contains("'" + text + "'"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a0:36:9f:7c:05:00"})
    void ouiIsTheFirstThreeOctets(String text) {
        assertEquals("A0:36:9F", MacAddress.of(text).oui());
    }
}
