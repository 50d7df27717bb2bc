package io.bmpipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.testbed.LiveNetBox;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged binary asked for usage or its version, with no configuration at all (no NetBox token, no data
 * folder): picocli answers on stdout, exit 0, and nothing of the service starts — no route, no listener, no store.
 */
class CommandLineStartsNothingIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--help", "--version", "serve --help", "manifest --help", "manifest load --help",
            "manifest reconcile --help", "events --help", "events dead-letters --help", "events redrive --help"})
    void usageAndVersionStartNothing(String arguments) throws Exception {
        Path work = Files.createTempDirectory("bm-cli");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-jar", LiveNetBox.repoRoot().resolve("target/quarkus-app/quarkus-run.jar").toString()));
        command.addAll(List.of(arguments.split(" ")));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(work.resolve("out").toFile()).redirectError(work.resolve("err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(k -> k.startsWith("BM_"));
        builder.environment().put("BM_DATA_DIR", work.resolve("data").toString());
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), arguments + " did not end");
        String out = Files.readString(work.resolve("out"), StandardCharsets.UTF_8);
        String err = Files.readString(work.resolve("err"), StandardCharsets.UTF_8);
        String all = out + err;
        assertEquals(0, process.exitValue(), arguments + ":\n" + all);
        assertTrue(out.contains(arguments.contains("--version") ? "bm-pipeline 0." : "Usage: bm-pipeline"),
                arguments + " prints on stdout:\n" + all);
        for (String started : List.of("Started ", "Listening on", "ERROR", "Exception")) {
            assertFalse(all.contains(started), arguments + " logged '" + started + "':\n" + all);
        }
        assertFalse(Files.exists(work.resolve("data")), arguments + " created the data folder (the bus store)");
    }

    /** A command's stdout is its report alone: asked of a service that is not running, it says so on stderr. */
    @org.junit.jupiter.api.Test
    void aCommandWritesItsReportOnStdoutAndTheRestOnStderr() throws Exception {
        Path work = Files.createTempDirectory("bm-cli");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar",
                LiveNetBox.repoRoot().resolve("target/quarkus-app/quarkus-run.jar").toString(), "events", "dead-letters",
                "--json").directory(work.toFile())
                .redirectOutput(work.resolve("out").toFile()).redirectError(work.resolve("err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(k -> k.startsWith("BM_"));
        builder.environment().put("BM_DATA_DIR", work.resolve("data").toString());
        builder.environment().put("BM_MANAGEMENT_URL", "http://127.0.0.1:1/");
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "events dead-letters did not end");
        String out = Files.readString(work.resolve("out"), StandardCharsets.UTF_8);
        String err = Files.readString(work.resolve("err"), StandardCharsets.UTF_8);
        assertEquals(2, process.exitValue(), out + err);
        assertEquals("", out, "nothing but the report on stdout");
        assertTrue(err.contains("nothing answers at http://127.0.0.1:1/ (bm.management.url)"), err);
        assertFalse(Files.exists(work.resolve("data")), "created the data folder (the bus store)");
    }
}
