package io.bmpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which JVM command lines are an operator's command (no listeners) and which are the service. */
class CommandPortsConfigSourceTest {

    @Test
    void operatorCommandsOfThePackagedAppDoNotListen() {
        assertTrue(CommandPortsConfigSource.isOperatorCommand("target/quarkus-app/quarkus-run.jar manifest reconcile --json"));
        assertTrue(CommandPortsConfigSource.isOperatorCommand("/opt/bm pipeline/quarkus-run.jar manifest load a.csv"));
        assertTrue(CommandPortsConfigSource.isOperatorCommand("io.quarkus.bootstrap.runner.QuarkusEntryPoint manifest load a.csv"));
    }

    @Test
    void theServiceListens() {
        assertFalse(CommandPortsConfigSource.isOperatorCommand("target/quarkus-app/quarkus-run.jar"));
        assertFalse(CommandPortsConfigSource.isOperatorCommand("target/quarkus-app/quarkus-run.jar serve"));
        assertFalse(CommandPortsConfigSource.isOperatorCommand("target/quarkus-app/quarkus-run.jar --help"));
        assertFalse(CommandPortsConfigSource.isOperatorCommand("io.quarkus.bootstrap.runner.QuarkusEntryPoint"));
    }

    @Test
    void testRunnersAreLeftAlone() {
        assertFalse(CommandPortsConfigSource.isOperatorCommand(
                "org.apache.maven.surefire.booter.ForkedBooter /tmp/surefire 2026 surefire.tmp"));
        assertFalse(CommandPortsConfigSource.isOperatorCommand(""));
    }
}
