package io.bmpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which JVM command lines are an operator's command (no listeners) and which are the service. */
class OperatorCommandConfigSourceTest {

    @Test
    void operatorCommandsOfThePackagedAppDoNotListen() {
        assertTrue(OperatorCommandConfigSource.isOperatorCommand("target/quarkus-app/quarkus-run.jar manifest reconcile --json"));
        assertTrue(OperatorCommandConfigSource.isOperatorCommand("/opt/bm pipeline/quarkus-run.jar manifest load a.csv"));
        assertTrue(OperatorCommandConfigSource.isOperatorCommand("io.quarkus.bootstrap.runner.QuarkusEntryPoint manifest load a.csv"));
    }

    @Test
    void askingForUsageOrTheVersionStartsNothing() {
        for (String args : new String[] {"--help", "-h", "--version", "-V", "serve --help", "serve -h", "manifest",
                "manifest load --help", "nonsense"}) {
            assertTrue(OperatorCommandConfigSource.isOperatorCommand("target/quarkus-app/quarkus-run.jar " + args), args);
        }
    }

    @Test
    void theServiceListens() {
        assertFalse(OperatorCommandConfigSource.isOperatorCommand("target/quarkus-app/quarkus-run.jar"));
        assertFalse(OperatorCommandConfigSource.isOperatorCommand("target/quarkus-app/quarkus-run.jar serve"));
        assertFalse(OperatorCommandConfigSource.isOperatorCommand("io.quarkus.bootstrap.runner.QuarkusEntryPoint"));
    }

    @Test
    void testRunnersAreLeftAlone() {
        assertFalse(OperatorCommandConfigSource.isOperatorCommand(
                "org.apache.maven.surefire.booter.ForkedBooter /tmp/surefire 2026 surefire.tmp"));
        assertFalse(OperatorCommandConfigSource.isOperatorCommand(""));
    }
}
