package io.bmpipeline.cli;

import picocli.CommandLine.Command;

/** {@code bm-pipeline manifest …}: the vendor manifest tools. */
@Command(name = "manifest", description = "Load vendor BMC MAC manifests into NetBox.",
        subcommands = {ManifestLoadCommand.class}, mixinStandardHelpOptions = true)
public class ManifestCommand {
}
