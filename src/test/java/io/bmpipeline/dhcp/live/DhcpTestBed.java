package io.bmpipeline.dhcp.live;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives testbed/dhcp/netns.sh from tests: real DHCP servers and clients in network namespaces,
 * the server's traffic mirrored to a tap interface in the root namespace where the JVM captures.
 * Uses its own namespace prefix so a developer's manual test bed is left alone.
 */
final class DhcpTestBed {

    static final String PREFIX = "bmt-t-";

    private DhcpTestBed() {}

    /** Skips (not fails) only where namespaces cannot exist at all: not root, or `ip netns` unusable. */
    static void assumeNamespaces() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "network namespaces need root");
        Result probe = run(List.of("ip", "netns", "list"));
        Assumptions.assumeTrue(probe.exitCode() == 0, "ip netns does not work here: " + probe.stderr());
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("bmtest.repo.root", ".")).toAbsolutePath().normalize();
    }

    /** Runs netns.sh with the arguments; fails the test with its stderr when it exits non-zero. */
    static List<String> netns(String... args) {
        List<String> command = new ArrayList<>(List.of("bash", repoRoot().resolve("testbed/dhcp/netns.sh").toString()));
        command.addAll(List.of(args));
        Result result = run(command);
        if (result.exitCode() != 0) {
            throw new AssertionError("netns.sh " + String.join(" ", args) + " exited " + result.exitCode()
                    + "\nstdout: " + result.stdout() + "\nstderr: " + result.stderr());
        }
        return result.stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /** A lease the test bed's client reported: "MAC HOSTNAME IP". */
    record Lease(String mac, String hostname, String address) {
        static Lease parse(String line) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 3) {
                throw new AssertionError("netns.sh lease printed an unexpected line: " + line);
            }
            return new Lease(parts[0], parts[1], parts[2]);
        }
    }

    static List<Lease> lease(String... args) {
        List<String> all = new ArrayList<>(List.of("lease"));
        all.addAll(List.of(args));
        return netns(all.toArray(String[]::new)).stream().map(Lease::parse).toList();
    }

    record Result(int exitCode, String stdout, String stderr) {}

    static Result run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("BMT_PREFIX", PREFIX);
            Process process = builder.start();
            process.getOutputStream().close();
            var out = process.getInputStream();
            var err = process.getErrorStream();
            // Read both streams concurrently: a chatty stderr must not block the script.
            var errText = new java.util.concurrent.CompletableFuture<String>();
            Thread.ofVirtual().start(() -> {
                try {
                    errText.complete(new String(err.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    errText.complete("(stderr unreadable: " + e + ")");
                }
            });
            String outText = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("gave up waiting for " + command);
            }
            return new Result(process.exitValue(), outText, errText.join());
        } catch (IOException e) {
            return new Result(127, "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command);
        }
    }
}
