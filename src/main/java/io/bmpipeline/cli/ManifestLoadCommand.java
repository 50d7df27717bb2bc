package io.bmpipeline.cli;

import io.bmpipeline.manifest.ManifestLoader;
import io.bmpipeline.manifest.ManifestReport;
import io.bmpipeline.manifest.ManifestResult;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bm-pipeline manifest load FILE [--dry-run]}, with the service's configuration.
 * Exit 0: every row fine; 1: some rows failed; 2: the file or the usage is wrong.
 */
@Dependent
@io.quarkus.arc.Unremovable
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Load a server_serial,server_bmc_mac CSV into NetBox (spec: netbox_load_bmc_mac).")
public class ManifestLoadCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The manifest CSV")
    Path file;

    @Option(names = "--dry-run", description = "Show what would change; change nothing")
    boolean dryRun;

    @Option(names = "--json", description = "Also write the JSON report to this file")
    Path json;

    // Resolved when the command runs, not when picocli builds it: --help needs no NetBox configuration.
    private final Instance<ManifestLoader> loaders;

    @Inject
    public ManifestLoadCommand(Instance<ManifestLoader> loaders) {
        this.loaders = loaders;
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            System.err.println("bm-pipeline: " + file + ": no such readable file");
            return 2;
        }
        ManifestLoader loader;
        try {
            loader = loaders.get();
        } catch (RuntimeException e) { // the configuration is wrong: the producer says which key
            System.err.println("bm-pipeline: " + CommandMode.rootMessage(e));
            return 2;
        }
        // On a terminal, a running count on stderr; in a pipe or a log, nothing.
        boolean terminal = System.console() != null;
        ManifestResult result = loader.load(file, dryRun, rows -> {
            if (terminal) {
                System.err.print("\r  " + rows + " rows checked");
            }
        });
        if (terminal) {
            System.err.println();
        }
        System.out.print(ManifestReport.text(result));
        if (json != null) {
            Files.writeString(json, ManifestReport.json(result));
        }
        return result.exitCode();
    }
}
