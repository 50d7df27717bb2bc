package io.bmpipeline.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.TcpForwarder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NetBox unreachable, then back: readiness goes DOWN naming the cause and comes back UP by itself.
 * The service reaches the real NetBox through a loopback forwarder the test can switch off.
 */
@QuarkusTest
@TestProfile(NetBoxOutageReadinessTest.BehindForwarder.class)
class NetBoxOutageReadinessTest {

    static TcpForwarder forwarder;

    public static class BehindForwarder implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            LiveNetBox netbox = LiveNetBox.get();
            forwarder = new TcpForwarder(new InetSocketAddress(netbox.url().getHost(), netbox.url().getPort()));
            return Map.of("bm.netbox.url", "http://127.0.0.1:" + forwarder.port() + "/",
                    "bm.netbox.token", netbox.tokenV1().secret());
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

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void downWhileNetBoxIsUnreachableAndUpWhenItReturns() throws Exception {
        forwarder.down();
        given().when().get(ready)
                .then().statusCode(503)
                .body("checks.find { it.name == 'netbox' }.data.reason", containsString("unreachable"));
        forwarder.up();
        given().when().get(ready)
                .then().statusCode(200)
                .body("checks.find { it.name == 'netbox' }.status", equalTo("UP"));
    }
}
