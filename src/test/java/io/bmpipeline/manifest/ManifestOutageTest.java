package io.bmpipeline.manifest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.ForwardedNetBox;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A manifest dropped while NetBox is unreachable waits in the inbox (readiness says which file, and since when) and is
 * loaded once NetBox answers: it never lands in failed/ for an outage. The service reaches the real NetBox through a
 * forwarder the test cuts.
 */
@QuarkusTest
@TestProfile(ManifestOutageTest.BehindForwarder.class)
class ManifestOutageTest {

    static final Path inbox = newInbox();

    public static class BehindForwarder implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ForwardedNetBox.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bm.manifest.inbox", inbox.toString());
        }
    }

    private static Path newInbox() {
        try {
            return Files.createTempDirectory("bm-inbox-outage");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void aFileDroppedWhileNetBoxIsDownWaitsAndIsLoadedWhenItIsBack() throws Exception {
        NetBoxClient netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            var device = fixture.device(fixture.serial("OUT"), "offline", "iLO");
            int h = fixture.tag().hashCode();
            String mac = String.format("94:57:A5:%02X:%02X:%02X", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
            ForwardedNetBox.forwarder().down();
            try {
                Files.writeString(inbox.resolve("during-outage.csv"),
                        "server_serial,server_bmc_mac\n" + fixture.serial("OUT") + "," + mac + "\n");
                Eventually.await("readiness names the waiting file", Duration.ofMinutes(2),
                        () -> given().when().get(ready).then().extract().asString(),
                        body -> body.contains("manifest during-outage.csv waits for NetBox"));
                Thread.sleep(3000);
                assertFalse(Files.exists(inbox.resolve("failed/during-outage.csv")), "an outage is no reason for failed/");
                assertTrue(Files.exists(inbox.resolve("during-outage.csv")), "the file waits in the inbox");
            } finally {
                ForwardedNetBox.forwarder().up();
            }
            Eventually.await("loaded once NetBox is back", Duration.ofMinutes(2),
                    () -> Files.exists(inbox.resolve("done/during-outage.csv")), d -> d);
            assertEquals(MacAddress.of(mac), netbox.interfaces().ofDevice(device.id()).getFirst().mac().orElseThrow());
            List<JournalEntry> journal = netbox.journal().entries(device.id());
            assertEquals(1, journal.size(), journal.toString());
            assertTrue(journal.getFirst().comments().contains("from the vendor manifest"), journal.getFirst().comments());
            given().when().get(ready).then().body(containsString("\"manifest-inbox\""));
            Eventually.await("readiness no longer names it", () -> given().when().get(ready).then().extract().asString(),
                    body -> !body.contains("waits for NetBox"));
        }
    }
}
