package io.bmpipeline.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** Readiness against the live NetBox with a good token: UP, and it says which NetBox it checked. */
@QuarkusTest
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class NetBoxReadinessTest {

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void readyWhenNetBoxAnswersAndHasTheLifecycleStatuses() {
        given().when().get(ready)
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'netbox' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'netbox' }.data.version", equalTo(LiveNetBox.get().version()))
                .body("checks.find { it.name == 'netbox' }.data.token", equalTo("V2"))
                .body("toString()", org.hamcrest.Matchers.not(containsString(LiveNetBox.get().tokenV2().secret())));
    }
}
