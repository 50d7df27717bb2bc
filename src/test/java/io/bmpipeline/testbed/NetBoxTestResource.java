package io.bmpipeline.testbed;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the application under test at the live NetBox, with its v2 token by default. */
public class NetBoxTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        LiveNetBox netbox = LiveNetBox.get();
        return Map.of(
                "bm.netbox.url", netbox.url().toString(),
                "bm.netbox.token", netbox.tokenV2().secret());
    }

    @Override
    public void stop() {
        // NetBox outlives the test JVM on purpose: the next run reuses it.
    }
}
