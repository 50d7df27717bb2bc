package io.bmpipeline.manifest;

import io.bmpipeline.events.EventEnvelope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.Header;
import org.jboss.logging.Logger;

/**
 * The watched folder's work, for routes/manifest.yaml: load the file, write its report beside
 * where it will go ({@code done/} or {@code failed/}), and hand on the events of what changed.
 */
@ApplicationScoped
@Named("manifestIntake")
public class ManifestIntake {

    private static final Logger LOG = Logger.getLogger(ManifestIntake.class);

    @Inject
    ManifestLoader loader;

    private static final java.time.Duration FIRST_WAIT = java.time.Duration.ofSeconds(2);
    private static final java.time.Duration MAX_WAIT = java.time.Duration.ofSeconds(30);

    /** A file waiting for NetBox to come back, for readiness; null when none waits. */
    public record Waiting(String file, java.time.Instant since, String reason) {}

    private volatile Waiting waiting;

    /** The file waiting for NetBox, if one is. */
    public java.util.Optional<Waiting> waiting() {
        return java.util.Optional.ofNullable(waiting);
    }

    /**
     * Loads the file; the result goes on as the body, its verdict decides where the file goes. While NetBox cannot be
     * reached the file waits in the inbox and is tried again, with backoff up to 30 s, until NetBox answers: an outage
     * never sends a good file to failed/. (Rows are idempotent, so a batch that got through before the outage is
     * found done on the retry.)
     */
    public ManifestResult load(@Header("CamelFileAbsolutePath") String path, @Header("CamelFileParent") String inbox)
            throws IOException, InterruptedException {
        Path file = Path.of(path);
        ManifestResult result;
        java.time.Duration wait = FIRST_WAIT;
        while (true) {
            try {
                result = loader.load(file, false);
                break;
            } catch (io.bmpipeline.netbox.NetBoxException.Unavailable e) {
                if (waiting == null) {
                    LOG.warnf("manifest %s waits in the inbox: NetBox unavailable (%s); loaded when it answers",
                            file.getFileName(), e.getMessage());
                    waiting = new Waiting(file.getFileName().toString(), java.time.Instant.now(), e.getMessage());
                }
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException stopping) {
                    // The service stops while the file waits: it goes to failed/ (the route's move), and its report
                    // says why, so it is never a silent loss.
                    Path folder = Path.of(inbox).resolve("failed");
                    Files.createDirectories(folder);
                    Files.writeString(folder.resolve(file.getFileName() + ".report.txt"), "Manifest " + file.getFileName()
                            + " was not loaded: NetBox was unavailable (" + e.getMessage() + ") until the service stopped."
                            + " Rows written before the outage are found done by a new load. Drop it into the inbox"
                            + " again.\n");
                    waiting = null;
                    throw stopping;
                }
                wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
            }
        }
        if (waiting != null) {
            LOG.infof("manifest %s: NetBox answers again; loading it", file.getFileName());
            waiting = null;
        }
        Path folder = Path.of(inbox).resolve(result.exitCode() == 0 ? "done" : "failed");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(file.getFileName() + ".report.json"), ManifestReport.json(result));
        Files.writeString(folder.resolve(file.getFileName() + ".report.txt"), ManifestReport.text(result));
        LOG.infof("manifest %s: %s", file.getFileName(), result.counts());
        result.counts().forEach((outcome, rows) -> io.bmpipeline.config.Meters.manifestRows(outcome.name(), rows));
        return result;
    }

    public List<EventEnvelope> events(ManifestResult result) {
        return ManifestReport.events(result);
    }

    /** A file with failed rows or a file error goes to failed/: the route's moveFailed takes it there. */
    public void verdict(ManifestResult result) throws ManifestRejected {
        if (result.exitCode() != 0) {
            throw new ManifestRejected(result.file() + ": " + (result.fileError().orElse(
                    result.counts().get(ManifestOutcome.FAILED) + " row(s) failed, " + result.rowErrors().size()
                            + " row error(s)") + "; see the report in failed/"));
        }
    }

    /** Signals the file route to move the file to failed/; the report says why. */
    public static final class ManifestRejected extends Exception {
        public ManifestRejected(String message) {
            super(message);
        }
    }
}
