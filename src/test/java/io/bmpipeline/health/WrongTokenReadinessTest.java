package io.bmpipeline.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.bmpipeline.testbed.LiveNetBox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A token NetBox does not know: the service runs, readiness is DOWN and says the token was refused. */
@QuarkusTest
@TestProfile(WrongTokenReadinessTest.WrongToken.class)
class WrongTokenReadinessTest {

    public static class WrongToken implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("bm.netbox.url", LiveNetBox.get().url().toString(),
                    "bm.netbox.token", "0123456789abcdef0123456789abcdef01234567");
        }

        @Override
        public void stop() {}
    }

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "/health/live", management = true)
    URL live;

    @Test
    void downNamingTheRefusedToken() {
        given().when().get(ready)
                .then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'netbox' }.data.reason", containsString("refused the API token"));
        given().when().get(live).then().statusCode(200);
    }
}
