package io.bmpipeline.cli;

import io.bmpipeline.config.PipelineConfig;
import io.bmpipeline.management.DeadLetterEndpoint;
import io.bmpipeline.management.DeadLetters;
import io.bmpipeline.management.ServiceClient;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bm-pipeline events redrive EVENT-ID [--group GROUP]}: a dead letter back in line. */
@Dependent
@io.quarkus.arc.Unremovable
@Command(name = "redrive", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Puts the dead letters of one event back in line (in every group that gave up on it, or only "
                + "in --group), after the cause was fixed. Its next delivery is attempt 2. A lease older than the one "
                + "a device's BMC IP came from changes nothing when redriven.",
                "Asks the running service (bm.management.url, POST " + DeadLetterEndpoint.REDRIVE_PATH + ")."},
        footer = {"", "Exit status: 0 redriven; 1 no dead letter of that event; 2 the service could not be asked."})
public class EventsRedriveCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "EVENT-ID", description = "The event id, as events dead-letters lists it")
    String eventId;

    @Option(names = "--group", paramLabel = "GROUP", description = "Only this consumer group's letter")
    String group;

    // Built when the command runs, not when picocli builds it: --help needs no configuration.
    private final Supplier<ServiceClient> service;

    @Inject
    public EventsRedriveCommand(PipelineConfig config) {
        this(() -> ServiceClient.configured(config));
    }

    /** With the service's client given (tests point it at the service they started). */
    EventsRedriveCommand(Supplier<ServiceClient> service) {
        this.service = service;
    }

    @Override
    public Integer call() {
        String query = "?event=" + URLEncoder.encode(eventId, StandardCharsets.UTF_8)
                + (group == null ? "" : "&group=" + URLEncoder.encode(group, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = service.get().post(DeadLetterEndpoint.REDRIVE_PATH + query);
            if (response.statusCode() == 404) {
                System.out.println("No dead letter of event " + eventId + (group == null ? "" : " in group " + group) + ".");
                return 1;
            }
            if (response.statusCode() != 200) {
                System.err.println("bm-pipeline: the service answered HTTP " + response.statusCode() + ": "
                        + response.body().strip());
                return 2;
            }
            List<DeadLetters.Redriven> redriven = DeadLetters.redrivenFromJson(response.body());
            for (DeadLetters.Redriven r : redriven) {
                System.out.println("Redriven: event " + eventId + " on " + r.topic() + " for group " + r.group() + ".");
            }
            return 0;
        } catch (ServiceClient.NotRunning | ServiceClient.Failed | IllegalStateException | IllegalArgumentException e) {
            System.err.println("bm-pipeline: " + e.getMessage());
            return 2;
        }
    }
}
