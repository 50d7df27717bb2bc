package io.bmpipeline.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/**
 * The binary's entry point. With no subcommand it serves, so a systemd unit or a container
 * runs the service with no arguments; tools for operators are subcommands beside it.
 */
@TopCommand
@Command(name = "bm-pipeline", mixinStandardHelpOptions = true, versionProvider = BmPipelineCommand.Version.class,
        description = "Bare-metal provisioning pipeline: DHCP discovery, manifest intake, NetBox lifecycle.",
        subcommands = {ServeCommand.class, ManifestCommand.class, EventsCommand.class})
public class BmPipelineCommand implements Runnable {

    private final ServeCommand serve;

    public BmPipelineCommand(ServeCommand serve) {
        this.serve = serve;
    }

    @Override
    public void run() {
        serve.run();
    }

    /** {@code --version}: the build's version, as Quarkus knows it from the POM. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bm-pipeline " + org.eclipse.microprofile.config.ConfigProvider.getConfig()
                    .getOptionalValue("quarkus.application.version", String.class).orElse("(version unknown)")};
        }
    }
}
