package io.bmpipeline.config;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/** The service refuses to start on bad configuration and says which key is wrong. */
@QuarkusMainTest
class StartupConfigTest {

    @Test
    void missingTokenStopsTheStartNamingTheKeys(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("--help");
        // --help alone starts nothing that needs NetBox, but the runtime boots; without a token it must refuse.
        assertNotEquals(0, result.exitCode());
        String output = result.getOutput() + result.getErrorOutput();
        assertTrue(output.contains("bm.netbox.token-file") && output.contains("BM_NETBOX_TOKEN"), output);
    }
}
