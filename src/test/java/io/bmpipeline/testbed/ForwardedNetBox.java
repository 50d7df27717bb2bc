package io.bmpipeline.testbed;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * Points the application under test at the live NetBox through a {@link TcpForwarder} the test can cut
 * ({@link #forwarder()}{@code .down()}) and restore: a NetBox outage, on loopback. Starts with the forwarder up.
 */
public class ForwardedNetBox implements QuarkusTestResourceLifecycleManager {

    private static TcpForwarder forwarder;

    /**
     * The outage tests' profile: NetBox behind the forwarder, and short backoffs, so a test does not wait minutes
     * once NetBox is back. One profile for all of them: Quarkus starts the application once for the lot.
     */
    public static class QuickRetries implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ForwardedNetBox.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bm.bus.initial-backoff", "200ms", "bm.bus.max-backoff", "2s",
                    "bm.netbox.max-retries", "1", "bm.bus.path", "target/test-bus-outage/bus");
        }
    }

    /** The forwarder of the application now running. */
    public static TcpForwarder forwarder() {
        return forwarder;
    }

    @Override
    public Map<String, String> start() {
        LiveNetBox netbox = LiveNetBox.get();
        try {
            forwarder = new TcpForwarder(new InetSocketAddress(netbox.url().getHost(), netbox.url().getPort()));
            forwarder.up();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("bm.netbox.url", "http://127.0.0.1:" + forwarder.port() + "/",
                "bm.netbox.token", netbox.tokenV2().secret());
    }

    @Override
    public void stop() {
        try {
            forwarder.close();
        } catch (Exception ignored) {
            // Test JVM is ending.
        }
    }
}
