package io.bmpipeline.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.bmpipeline.testbed.ForwardedNetBox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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

    public static class BehindForwarder implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ForwardedNetBox.class));
        }
    }

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void downWhileNetBoxIsUnreachableAndUpWhenItReturns() throws Exception {
        ForwardedNetBox.forwarder().down();
        given().when().get(ready)
                .then().statusCode(503)
                .body("checks.find { it.name == 'netbox' }.data.reason", containsString("unreachable"));
        ForwardedNetBox.forwarder().up();
        given().when().get(ready)
                .then().statusCode(200)
                .body("checks.find { it.name == 'netbox' }.status", equalTo("UP"));
    }
}
