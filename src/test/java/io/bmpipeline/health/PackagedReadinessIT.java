package io.bmpipeline.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * The readiness contract against the packaged artifact, started as an operator would start it.
 * Its management port is fixed by the failsafe configuration in pom.xml.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class PackagedReadinessIT {

    @Test
    void packagedServiceIsReadyAgainstTheLiveNetBox() {
        String port = System.getProperty("quarkus.management.test-port");
        given().when().get("http://127.0.0.1:" + port + "/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'netbox' }.data.version", equalTo(LiveNetBox.get().version()));
    }
}
