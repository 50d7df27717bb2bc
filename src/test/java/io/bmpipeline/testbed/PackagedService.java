package io.bmpipeline.testbed;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The packaged binary ({@code target/quarkus-app/quarkus-run.jar}) started as a service, as the crash tests need it:
 * its own process (so it can be SIGKILLed), the live NetBox, a data directory, everything it prints in {@code log}.
 */
public final class PackagedService {

    private PackagedService() {}

    /**
     * Starts {@code serve} with the management interface on {@code managementPort} (0: any) and {@code env} on top of
     * the NetBox address, its v2 token and {@code BM_DATA_DIR}.
     */
    public static Process start(LiveNetBox live, Path data, Path log, int managementPort, Map<String, String> env)
            throws IOException {
        return start(live, data, log, 0, managementPort, env);
    }

    /**
     * As {@link #start(LiveNetBox, Path, Path, int, Map)}, with the main HTTP port (the PXE callback API) on
     * {@code httpPort} (0: any), for a test that calls it and restarts the service on the same port.
     */
    public static Process start(LiveNetBox live, Path data, Path log, int httpPort, int managementPort,
                                Map<String, String> env) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path jar = LiveNetBox.repoRoot().resolve("target/quarkus-app/quarkus-run.jar");
        ProcessBuilder builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=" + httpPort, "-Dquarkus.management.port=" + managementPort,
                "-jar", jar.toString(), "serve")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        var environment = builder.environment();
        environment.put("BM_NETBOX_URL", live.url().toString());
        environment.put("BM_NETBOX_TOKEN", live.tokenV2().secret());
        environment.put("BM_DATA_DIR", data.toString());
        environment.putAll(env);
        return builder.start();
    }

    /** A loopback port nothing listens on now, for a service the test starts (and starts again) on it. */
    public static int freePort() {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
