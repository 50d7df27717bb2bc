package io.bmpipeline.cli;

import jakarta.enterprise.context.Dependent;
import picocli.CommandLine.Command;

/** {@code bm-pipeline manifest …}: the vendor manifest tools. */
@Dependent
@io.quarkus.arc.Unremovable
@Command(name = "manifest",
        description = "Load vendor BMC MAC manifests into NetBox, and reconcile them with the BMCs DHCP saw.",
        subcommands = {ManifestLoadCommand.class, ManifestReconcileCommand.class}, mixinStandardHelpOptions = true)
public class ManifestCommand {
}
