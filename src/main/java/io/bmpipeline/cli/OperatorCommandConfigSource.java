package io.bmpipeline.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * An operator's command ({@code manifest load}, {@code manifest reconcile}, {@code --help} …) runs in the same binary
 * as the service, usually on the same host while the service runs: if it listened on the service's HTTP and
 * management ports it would fail to start ("address already in use"), and if it built the service's routes it would
 * need the service's configuration (a NetBox token just to print usage). For such a command this source turns both
 * listeners off, loads no route, and sends log lines to stderr (stdout is the command's report). It must decide before the HTTP server starts, so before CDI exists: it reads the
 * command from the JVM's own command line, and only when the JVM runs the packaged application
 * ({@code quarkus-run.jar}); under a test runner it says nothing.
 */
public final class OperatorCommandConfigSource implements ConfigSource {

    static final Map<String, String> OPERATOR_COMMAND = Map.of(
            // stdout is the command's report (`… > report.txt`, `--json`); what the runtime logs goes to stderr.
            "quarkus.log.console.stderr", "true",
            "quarkus.http.host-enabled", "false",
            "quarkus.management.host-enabled", "false",
            "camel.main.routes-include-pattern", "classpath:no-routes-for-operator-commands/*.yaml");

    private final Map<String, String> properties;

    public OperatorCommandConfigSource() {
        this.properties = isOperatorCommand(System.getProperty("sun.java.command", "")) ? OPERATOR_COMMAND : Map.of();
    }

    /** {@code javaCommand} is the JVM's {@code sun.java.command}: the main class or jar, then the arguments. */
    static boolean isOperatorCommand(String javaCommand) {
        String runner = "quarkus-run.jar";
        int at = javaCommand.indexOf(runner);
        String[] args;
        if (at >= 0) {
            args = javaCommand.substring(at + runner.length()).strip().split("\\s+");
        } else if (javaCommand.startsWith("io.quarkus.bootstrap.runner.QuarkusEntryPoint")) {
            String[] words = javaCommand.strip().split("\\s+");
            args = Arrays.copyOfRange(words, 1, words.length);
        } else {
            return false;
        }
        if (args.length == 1 && args[0].isEmpty()) {
            args = new String[0];
        }
        return !CommandMode.serving(args);
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "bm-pipeline operator command (no listeners)";
    }

    /** Above the environment and system properties: a command must never take the service's ports. */
    @Override
    public int getOrdinal() {
        return 500;
    }
}
