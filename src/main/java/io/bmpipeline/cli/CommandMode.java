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

    /** Asking for usage or the version: picocli answers and nothing starts. */
    static final java.util.Set<String> HELP = java.util.Set.of("-h", "--help", "-V", "--version");

    /**
     * No arguments or {@code serve}: the service. Anything else — an operator's command, {@code --help},
     * {@code --version}, {@code serve --help}, a mistyped command — starts no route and no listener.
     */
    static boolean serving(String[] args) {
        if (args == null || args.length == 0) {
            return true;
        }
        return "serve".equals(args[0]) && java.util.Arrays.stream(args).noneMatch(HELP::contains);
    }

    void beforeRoutesStart(@Observes CamelEvent.CamelContextStartingEvent starting) {
        if (!serving()) {
            starting.getContext().setAutoStartup(false);
        }
    }

    /** The innermost message of a failure: what a producer said about the configuration, without the wrapping. */
    static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
