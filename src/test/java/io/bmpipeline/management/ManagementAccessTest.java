package io.bmpipeline.management;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.testbed.LiveNetBox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The management interface bound beyond loopback with a token file: {@code /bm/*} answers only with the token, health
 * answers without. ({@link ManagementWithoutTokenTest}: the same binding without a token refuses {@code /bm/*}.)
 */
@QuarkusTest
@TestProfile(ManagementAccessTest.Exposed.class)
class ManagementAccessTest {

    static final String TOKEN = "mgmt-" + Long.toHexString(Double.doubleToLongBits(Math.random()));

    public static class Exposed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path file = Files.createTempFile("bm-management-token", "");
                Files.writeString(file, TOKEN + "\n");
                file.toFile().deleteOnExit();
                return Map.of("quarkus.management.host", "0.0.0.0",
                        "bm.management.token-file", file.toString(),
                        "bm.netbox.url", LiveNetBox.get().url().toString(),
                        "bm.netbox.token", LiveNetBox.get().tokenV2().secret());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URL management;

    private String url(String path) {
        return "http://127.0.0.1:" + management.getPort() + path;
    }

    @Test
    void operatorEndpointsNeedTheTokenHealthDoesNot() {
        given().when().get(url("/bm/dead-letters")).then().statusCode(401)
                .body(containsString("bm.management.token-file"));
        given().header("Authorization", "Bearer not-" + TOKEN).when().get(url("/bm/lease-sightings"))
                .then().statusCode(401);
        given().header("Authorization", "Bearer " + TOKEN).when().get(url("/bm/dead-letters")).then().statusCode(200);
        given().header("Authorization", "Bearer " + TOKEN).when().get(url("/bm/lease-sightings")).then().statusCode(200);
        given().header("Authorization", "Bearer " + TOKEN).when().post(url("/bm/dead-letters/redrive?event=none"))
                .then().statusCode(404);
        given().when().get(url("/q/health/live")).then().statusCode(200);
    }

    @Test
    void theTokenIsNeverPrinted() throws IOException {
        Path file = Files.createTempFile("bm-token", "");
        Files.writeString(file, "  " + TOKEN + "\n");
        file.toFile().deleteOnExit();
        ManagementToken token = ManagementToken.read(file);
        assertFalse(token.toString().contains(TOKEN));
        assertTrue(token.authorizes("Bearer " + TOKEN));
        assertTrue(token.authorizes("bearer " + TOKEN));
        assertFalse(token.authorizes(TOKEN));
        assertFalse(token.authorizes(null));
        assertEquals("Bearer " + TOKEN, token.header());
    }
}
