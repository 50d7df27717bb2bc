package io.bmpipeline.cli;

import io.bmpipeline.config.PipelineConfig;
import io.bmpipeline.management.DeadLetterEndpoint;
import io.bmpipeline.management.DeadLetters;
import io.bmpipeline.management.ServiceClient;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bm-pipeline events dead-letters [--json]}: what the running service's consumer groups gave up on. */
@Dependent
@io.quarkus.arc.Unremovable
@Command(name = "dead-letters", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists the events the running service's consumer groups gave up on, oldest first: event id, "
                + "topic, group, attempts, when, and the last reason. Asks the service on its management interface "
                + "(bm.management.url, GET " + DeadLetterEndpoint.PATH + "), with bm.management.token-file's token "
                + "when set."},
        footer = {"", "Exit status: 0 no dead letters; 1 some; 2 the service could not be asked."})
public class EventsDeadLettersCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the letters as JSON instead of text")
    boolean json;

    // Built when the command runs, not when picocli builds it: --help needs no configuration.
    private final Supplier<ServiceClient> service;

    @Inject
    public EventsDeadLettersCommand(PipelineConfig config) {
        this(() -> ServiceClient.configured(config));
    }

    /** With the service's client given (tests point it at the service they started). */
    EventsDeadLettersCommand(Supplier<ServiceClient> service) {
        this.service = service;
    }

    @Override
    public Integer call() {
        List<DeadLetters.Letter> letters;
        try {
            String body = service.get().get(DeadLetterEndpoint.PATH);
            letters = DeadLetters.fromJson(body);
        } catch (ServiceClient.NotRunning | ServiceClient.Failed | IllegalStateException | IllegalArgumentException e) {
            System.err.println("bm-pipeline: " + e.getMessage());
            return 2;
        }
        if (json) {
            System.out.println(DeadLetters.toJson(letters));
        } else if (letters.isEmpty()) {
            System.out.println("No dead letters.");
        } else {
            System.out.println(letters.size() + (letters.size() == 1 ? " dead letter" : " dead letters")
                    + " (redrive with: bm-pipeline events redrive EVENT-ID)");
            for (DeadLetters.Letter l : letters) {
                System.out.println(l.eventId() + "  " + l.topic() + "  group " + l.group() + "  " + l.type() + "  "
                        + l.subject() + "  attempts " + l.attempts() + "  dead " + l.deadAt());
                System.out.println("    " + l.reason());
            }
        }
        return letters.isEmpty() ? 0 : 1;
    }
}
