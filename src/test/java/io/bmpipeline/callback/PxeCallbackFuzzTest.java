package io.bmpipeline.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The callback API fuzzed from its own OpenAPI document by Schemathesis (PyPI, installed by
 * {@code testbed/schemathesis/prepare.sh}), against the running service and the live NetBox: valid and invalid
 * requests to every operation, and undeclared methods on every path. No answer may be a 5xx, and every answer must
 * be one the document declares, in status, content type, headers and body. The requests carry a discovered device's
 * own credential and name that device, so they get past authentication and the device check and reach validation
 * and acceptance.
 */
@QuarkusTest
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class PxeCallbackFuzzTest {

    /** Fixed: each run generates the same cases, and a failure shows again on the next run. */
    private static final int SEED = 20261206;
    /** Per operation, in the fuzzing phase; the coverage phase adds its own deterministic cases. */
    private static final int MAX_EXAMPLES = 50;
    private static final long TIMEOUT_SECONDS = 120;

    @TestHTTPResource("/")
    URL api;

    @jakarta.inject.Inject
    io.bmpipeline.events.EventBus bus;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void fuzzedFromItsOwnDocumentTheApiAnswersNo5xxAndOnlyWhatTheDocumentDeclares() throws Exception {
        Path st = schemathesis();
        NetBoxClient netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        Path work = Files.createTempDirectory("pxe-fuzz");
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            String serial = fixture.serial("FUZZ");
            var device = fixture.device(serial, "discovered", "eno1");
            String mac = String.format("52:54:00:%02x:%02x:01", fixture.tag().hashCode() >>> 8 & 0xff,
                    fixture.tag().hashCode() & 0xff);
            netbox.interfaces().setMac(device.iface("eno1"), MacAddress.of(mac));
            String token = new PxeCallbackClient(api.toURI(), management.toURI()).mint(serial);

            Path config = work.resolve("schemathesis.toml");
            Files.writeString(config, config(serial, mac));
            Path reports = LiveNetBox.repoRoot().resolve("target/pxe-callback-fuzz");
            deleteTree(reports);
            String base = api.toString().replaceFirst("/$", "");
            List<String> command = List.of(st.toString(), "--config-file", config.toString(), "run",
                    base + "/pxe/v1/openapi.json",
                    "--url", base, // the document names Camel's default host, http://0.0.0.0
                    "-H", "Authorization: Bearer " + token,
                    "--checks", "all",
                    // positive_data_acceptance wants every body the document allows accepted, and some are not,
                    // for rules the document does not carry: endedAt may not precede startedAt (no JSON Schema
                    // compares two fields), a reason is required when status is fail or error (only an anyOf could
                    // say it), a date-time offset past ±18:00 is RFC 3339 that java.time cannot hold, and a step
                    // name has a pattern (Camel's REST DSL declares none for a path parameter). Those get a 400
                    // naming the field, and status_code_conformance and response_schema_conformance check it.
                    "--exclude-checks", "positive_data_acceptance",
                    "--phases", "coverage,fuzzing", // the document has no examples and no links
                    "--mode", "all", // schema-violating requests too: each must get a 4xx
                    "--max-examples", Integer.toString(MAX_EXAMPLES),
                    "--seed", Integer.toString(SEED),
                    "--generation-database", "none",
                    // One: with two, Python 3.11's ast.parse, which Hypothesis calls to describe strategies, failed
                    // once with "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905).
                    "--workers", "1",
                    "--request-timeout", "10",
                    "--continue-on-failure", // all the failures in one run, not the first per operation
                    "--report", "json,har", "--report-json-path", reports.resolve("run.json").toString(),
                    "--report-har-path", reports.resolve("requests.har").toString(),
                    "--no-color");
            System.out.println("schemathesis: " + String.join(" ", command).replace(token, "<device credential>"));
            System.out.println("schemathesis: " + config.getFileName() + ":\n" + Files.readString(config));

            Files.createDirectories(reports);
            Path output = reports.resolve("output.txt");
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                fail("schemathesis did not finish in " + TIMEOUT_SECONDS + " s:\n" + Files.readString(output));
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            String said = Files.readString(output);

            Map<String, Map<Integer, Integer>> answers = answers(reports, said);
            System.out.println("schemathesis: " + generated(reports) + " requests generated in " + seconds
                    + " s; answers by operation and status: " + answers);
            assertEquals(0, process.exitValue(), "schemathesis found issues (exit " + process.exitValue()
                    + "); its output:\n" + said);
            answers.forEach((operation, statuses) -> assertTrue(statuses.containsKey(202),
                    operation + ": no request was accepted, so none got past the device check: " + statuses));
            PxeCallbackClient.awaitApplied(bus, java.time.Duration.ofMinutes(8));
        } finally {
            deleteTree(work);
        }
    }

    /**
     * The device's serial and MAC, and a built-in step, stand in for every generated {@code serial}, {@code mac} and
     * {@code step}: a generated serial is another device's (403) or none (404), a generated step name fails its
     * pattern (400), and those requests would never reach the body. (A dictionary would leave some generated, but
     * only in the fuzzing phase: the coverage phase ignores dictionaries.)
     */
    private static String config(String serial, String mac) {
        return """
                [cache]
                enabled = false

                [parameters]
                "path.serial" = "%s"
                "path.mac" = "%s"
                "path.step" = "memory"
                """.formatted(serial, mac);
    }

    private static int generated(Path reports) throws IOException {
        return PxeCallbackClient.JSON.readTree(reports.resolve("run.json").toFile()).path("test_cases")
                .path("generated").asInt();
    }

    /** The answers to the requests Schemathesis sent (its HAR report), per operation and status. */
    private static Map<String, Map<Integer, Integer>> answers(Path reports, String said) throws IOException {
        if (!Files.exists(reports.resolve("run.json")) || !Files.exists(reports.resolve("requests.har"))) {
            fail("schemathesis wrote no reports in " + reports + "; its output:\n" + said);
        }
        Map<String, Map<Integer, Integer>> answers = new TreeMap<>();
        for (JsonNode entry : PxeCallbackClient.JSON.readTree(reports.resolve("requests.har").toFile())
                .path("log").path("entries")) {
            String url = entry.path("request").path("url").asText();
            String operation = url.endsWith("/report") ? "report" : url.contains("/macs/") ? "init-by-mac" : "step";
            answers.computeIfAbsent(operation, o -> new TreeMap<>())
                    .merge(entry.path("response").path("status").asInt(), 1, Integer::sum);
        }
        return answers;
    }

    /** {@code st} as installed by the prepare script (bin/test runs it before Maven; this installs if it has not). */
    private static Path schemathesis() throws IOException, InterruptedException {
        Path script = LiveNetBox.repoRoot().resolve("testbed/schemathesis/prepare.sh");
        Process process = new ProcessBuilder("bash", script.toString(), "--bin")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0 || out.isEmpty()) {
            process.destroyForcibly();
            fail("Schemathesis is not installed and " + script + " could not install it (see its output above and"
                    + " its log in $BM_CACHE_DIR). Install it with: bash testbed/schemathesis/prepare.sh");
        }
        Path st = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
        assertTrue(Files.isExecutable(st), "prepare.sh --bin named " + st + ", which is not executable");
        return st;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
