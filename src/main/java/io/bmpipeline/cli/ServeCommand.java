package io.bmpipeline.cli;

import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.Dependent;
import picocli.CommandLine.Command;

/** Runs the routes and the HTTP endpoints until the process is told to stop. */
@Dependent
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the pipeline service until stopped (the default).")
public class ServeCommand implements Runnable {

    @Override
    public void run() {
        Quarkus.waitForExit();
    }
}
