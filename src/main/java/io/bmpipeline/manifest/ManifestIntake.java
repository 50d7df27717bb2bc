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

    /** Loads the file; the result goes on as the body, its verdict decides where the file goes. */
    public ManifestResult load(@Header("CamelFileAbsolutePath") String path, @Header("CamelFileParent") String inbox)
            throws IOException {
        Path file = Path.of(path);
        ManifestResult result = loader.load(file, false);
        Path folder = Path.of(inbox).resolve(result.exitCode() == 0 ? "done" : "failed");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(file.getFileName() + ".report.json"), ManifestReport.json(result));
        Files.writeString(folder.resolve(file.getFileName() + ".report.txt"), ManifestReport.text(result));
        LOG.infof("manifest %s: %s", file.getFileName(), result.counts());
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
