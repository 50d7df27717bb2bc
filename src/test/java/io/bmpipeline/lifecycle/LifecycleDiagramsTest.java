package io.bmpipeline.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LifecycleDiagramsTest {

    private final LifecycleDiagrams diagrams = new LifecycleDiagrams(LifecycleTable.STANDARD);

    private static Path repoRoot() {
        return Path.of(System.getProperty("bmtest.repo.root", "."));
    }

    @Test
    void committedDiagramsAreWhatTheTableGenerates() throws IOException {
        for (Map.Entry<String, String> file : diagrams.files().entrySet()) {
            Path committed = repoRoot().resolve(file.getKey());
            assertTrue(Files.exists(committed), committed + " is missing; regenerate with: "
                    + LifecycleDiagrams.REGENERATE);
            assertEquals(file.getValue(), Files.readString(committed, StandardCharsets.UTF_8),
                    file.getKey() + " differs from the lifecycle table; regenerate with: "
                            + LifecycleDiagrams.REGENERATE);
        }
    }

    @Test
    void lifecycleDiagramDrawsEveryStatusAndEveryPromotion() {
        String dot = diagrams.lifecycleDot();
        for (DeviceStatus status : DeviceStatus.LIFECYCLE) {
            assertTrue(dot.contains("  " + status.name().toLowerCase() + " [label=<"), status.name());
        }
        assertTrue(dot.contains("planned · failed · decommissioning · inventory · any other status"));
        assertTrue(dot.contains("offline -> discovered"));
        assertTrue(dot.contains("discovered -> staged"));
        assertTrue(dot.contains("staged -> ready"));
        assertTrue(dot.contains("ready -> active"));
        assertEquals(4, dot.lines().filter(l -> l.contains(" -> ") && l.contains("penwidth")).count());
    }

    @Test
    void discoveryFlowShowsEveryLeaseDecision() {
        String dot = diagrams.discoveryFlowDot();
        for (Rule rule : LifecycleTable.STANDARD.rules()) {
            if (rule.on().contains(LifecycleEvent.Kind.BMC_LEASE_OBSERVED)) {
                String label = rule.decision().label();
                String shown = Character.toUpperCase(label.charAt(0)) + label.substring(1);
                assertTrue(dot.contains(shown), rule.id() + " → " + shown);
            }
        }
        assertTrue(dot.contains("seen, not expected"));
    }
}
