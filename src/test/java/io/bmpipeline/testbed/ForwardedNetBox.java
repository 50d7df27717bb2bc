package io.bmpipeline.testbed;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Points the application under test at the live NetBox through a {@link TcpForwarder} the test can cut
 * ({@link #forwarder()}{@code .down()}) and restore: a NetBox outage, on loopback. Starts with the forwarder up.
 */
public class ForwardedNetBox implements QuarkusTestResourceLifecycleManager {

    private static TcpForwarder forwarder;

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
