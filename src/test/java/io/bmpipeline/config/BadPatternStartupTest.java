package io.bmpipeline.config;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A BMC interface pattern that is not a regular expression stops the start, naming the key. */
@QuarkusMainTest
@TestProfile(BadPatternStartupTest.BadPattern.class)
class BadPatternStartupTest {

    public static class BadPattern implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bm.netbox.token", "0123456789abcdef0123456789abcdef01234567", "bm.bmc.interface-pattern", "(ilo");
        }
    }

    @Test
    void invalidBmcPatternStopsTheStartNamingTheKey(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("--help");
        assertNotEquals(0, result.exitCode());
        String output = result.getOutput() + result.getErrorOutput();
        assertTrue(output.contains("bm.bmc.interface-pattern"), output);
    }
}
