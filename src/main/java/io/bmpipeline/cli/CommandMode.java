package io.bmpipeline.cli;

import io.quarkus.runtime.annotations.CommandLineArguments;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.spi.CamelEvent;

/**
 * An operator's command (e.g. {@code manifest load}) runs in the same binary as the service, but
 * must not start the service's routes: they would take the event bus's lock and the DHCP socket
 * from the running service. Only {@code serve} (or no command) starts them.
 */
@ApplicationScoped
public class CommandMode {

    @Inject
    @CommandLineArguments
    String[] args;

    public boolean serving() {
        return serving(args);
    }

    /** No arguments, {@code serve}, or only options: the service. Anything else is an operator's command. */
    static boolean serving(String[] args) {
        return args == null || args.length == 0 || "serve".equals(args[0]) || args[0].startsWith("-");
    }

    void beforeRoutesStart(@Observes CamelEvent.CamelContextStartingEvent starting) {
        if (!serving()) {
            starting.getContext().setAutoStartup(false);
        }
    }
}
