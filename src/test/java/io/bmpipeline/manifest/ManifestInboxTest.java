package io.bmpipeline.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.Eventually;
import io.bmpipeline.testbed.LiveNetBox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The watched inbox: files move to done/ or failed/ with their reports; the same content twice changes nothing. */
@QuarkusTest
@TestProfile(ManifestInboxTest.Inbox.class)
class ManifestInboxTest {

    static Path inbox;

    public static class Inbox implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Resource.class));
        }
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                inbox = Files.createTempDirectory("bm-inbox");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            LiveNetBox live = LiveNetBox.get();
            return Map.of("bm.netbox.url", live.url().toString(), "bm.netbox.token", live.tokenV2().secret(),
                    "bm.manifest.inbox", inbox.toString());
        }

        @Override
        public void stop() {}
    }

    private static JsonNode report(Path file) throws Exception {
        return new ObjectMapper().readTree(Files.readString(file));
    }

    @Test
    void filesMoveToDoneOrFailedWithReportsAndARepeatIsANoOp() throws Exception {
        NetBoxClient netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            var device = fixture.device(fixture.serial("IN"), "offline", "iLO");
            int h = fixture.tag().hashCode();
            String mac = String.format("94:57:A5:%02X:%02X:%02X", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
            String content = "server_serial,server_bmc_mac\n" + fixture.serial("IN") + "," + mac + "\n";

            // Written under another name and renamed in, as a careful uploader does.
            Path staging = inbox.resolve("order-1.csv.part");
            Files.writeString(staging, content);
            Files.move(staging, inbox.resolve("order-1.csv"));
            Path done = inbox.resolve("done/order-1.csv");
            Eventually.await("order-1 done", () -> Files.exists(done), d -> d);
            JsonNode first = Eventually.await("order-1 report", () -> {
                try {
                    return report(inbox.resolve("done/order-1.csv.report.json"));
                } catch (Exception e) {
                    return null;
                }
            }, r -> r != null);
            assertEquals(1, first.path("counts").path("SET").asInt());
            assertTrue(Files.readString(inbox.resolve("done/order-1.csv.report.txt")).contains("result: OK"));
            assertEquals(mac, netbox.interfaces().ofDevice(device.id()).getFirst().mac().orElseThrow().value());

            Files.writeString(inbox.resolve("order-1-again.csv"), content);
            Eventually.await("repeat done", () -> Files.exists(inbox.resolve("done/order-1-again.csv.report.json")), d -> d);
            JsonNode repeat = report(inbox.resolve("done/order-1-again.csv.report.json"));
            assertTrue(repeat.path("noChange").asBoolean(), repeat.toString());
            assertEquals(1, netbox.journal().entries(device.id()).size());

            Files.writeString(inbox.resolve("broken.csv"), "serial;mac\n1;2\n");
            Eventually.await("broken failed", () -> Files.exists(inbox.resolve("failed/broken.csv")), d -> d);
            JsonNode broken = report(inbox.resolve("failed/broken.csv.report.json"));
            assertEquals(2, broken.path("exitCode").asInt());
            assertTrue(broken.path("fileError").asText().contains("missing column"), broken.toString());
        }
    }
}
