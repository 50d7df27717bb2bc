package io.bmpipeline.testbed;

import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxToken;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The real NetBox the tests run against, brought up by the project's own script
 * ({@code testbed/netbox/netbox.sh start}: installs on first use, reuses what is there after).
 * Started once per test JVM; the script itself is idempotent.
 */
public final class LiveNetBox {

    private static LiveNetBox instance;

    private final URI url;
    private final NetBoxToken tokenV1;
    private final NetBoxToken tokenV2;
    private final String version;

    private LiveNetBox(Properties env) {
        this.url = URI.create(required(env, "NETBOX_URL"));
        this.tokenV1 = new NetBoxToken(required(env, "NETBOX_TOKEN_V1"));
        this.tokenV2 = new NetBoxToken(required(env, "NETBOX_TOKEN_V2"));
        this.version = required(env, "NETBOX_VERSION");
    }

    public static synchronized LiveNetBox get() {
        if (instance == null) {
            instance = new LiveNetBox(start());
        }
        return instance;
    }

    public URI url() {
        return url;
    }

    public NetBoxToken tokenV1() {
        return tokenV1;
    }

    public NetBoxToken tokenV2() {
        return tokenV2;
    }

    public String version() {
        return version;
    }

    public NetBoxClient client(NetBoxToken token) {
        return new NetBoxClient(NetBoxClient.Settings.of(url, token));
    }

    public static Path repoRoot() {
        return Path.of(System.getProperty("bmtest.repo.root", ".")).toAbsolutePath().normalize();
    }

    public static Path stateDir() {
        String dir = System.getenv("BM_STATE_DIR");
        return Path.of(dir == null || dir.isBlank() ? "/var/tmp/bm-pipeline" : dir);
    }

    private static Properties start() {
        Path script = repoRoot().resolve("testbed/netbox/netbox.sh");
        try {
            Process process = new ProcessBuilder("bash", script.toString(), "start")
                    .inheritIO()
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(40, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(script + " start did not finish in 40 minutes");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(script + " start failed with exit code " + process.exitValue());
            }
            Properties env = new Properties();
            try (Reader reader = Files.newBufferedReader(stateDir().resolve("netbox.env"))) {
                env.load(reader);
            }
            return env;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the test NetBox with " + script + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the test NetBox", e);
        }
    }

    private static String required(Properties env, String key) {
        String value = env.getProperty(key, "").strip();
        if (value.startsWith("\"") || value.startsWith("'")) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.isEmpty()) {
            throw new IllegalStateException("netbox.env has no " + key);
        }
        return value;
    }
}
