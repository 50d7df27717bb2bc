package io.bmpipeline.cli;

import jakarta.enterprise.context.Dependent;
import picocli.CommandLine.Command;

/** {@code bm-pipeline events …}: the running service's event bus, for operators. */
@Dependent
@io.quarkus.arc.Unremovable
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "The running service's event bus: list dead letters, and put them back in line.",
        subcommands = {EventsDeadLettersCommand.class, EventsRedriveCommand.class})
public class EventsCommand {
}
