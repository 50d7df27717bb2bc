package io.bmpipeline.management;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.bmpipeline.testbed.LiveNetBox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The management interface bound beyond loopback without a token file: {@code /bm/*} refuses, saying why. */
@QuarkusTest
@TestProfile(ManagementWithoutTokenTest.ExposedWithoutToken.class)
class ManagementWithoutTokenTest {

    public static class ExposedWithoutToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.management.host", "0.0.0.0",
                    "bm.netbox.url", LiveNetBox.get().url().toString(),
                    "bm.netbox.token", LiveNetBox.get().tokenV2().secret());
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void operatorEndpointsAreRefusedHealthAnswers() {
        String base = "http://127.0.0.1:" + management.getPort();
        given().when().get(base + "/bm/lease-sightings").then().statusCode(403)
                .body(containsString("bm.management.token-file is not set"));
        given().when().get(base + "/bm/dead-letters").then().statusCode(403);
        given().when().get(base + "/q/health/live").then().statusCode(200);
    }
}
