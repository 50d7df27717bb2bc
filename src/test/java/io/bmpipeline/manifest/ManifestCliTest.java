package io.bmpipeline.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxFixture;
import io.bmpipeline.testbed.LiveNetBox;
import io.bmpipeline.testbed.NetBoxTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code bm-pipeline manifest load}: exit codes and what lands in NetBox. */
@QuarkusMainTest
@QuarkusTestResource(value = NetBoxTestResource.class, restrictToAnnotatedClass = true)
class ManifestCliTest {

    @Test
    void exitCodesSayAllFineSomeRowsFailedOrFileWrong(QuarkusMainLauncher launcher) throws Exception {
        NetBoxClient netbox = LiveNetBox.get().client(LiveNetBox.get().tokenV1());
        try (NetBoxFixture fixture = new NetBoxFixture(netbox)) {
            var device = fixture.device(fixture.serial("CLI"), "offline", "iDRAC");
            int h = fixture.tag().hashCode();
            String mac = String.format("D0:94:66:%02X:%02X:%02X", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff);
            Path dir = Files.createTempDirectory("bm-cli");
            Path good = Files.writeString(dir.resolve("good.csv"), "server_serial,server_bmc_mac\n" + fixture.serial("CLI") + "," + mac + "\n");
            Path partly = Files.writeString(dir.resolve("partly.csv"), "server_serial,server_bmc_mac\n"
                    + fixture.serial("CLI") + "," + mac + "\n" + fixture.serial("NOPE") + ",02:00:00:00:00:01\n");
            Path wrong = Files.writeString(dir.resolve("wrong.csv"), "serial;mac\n");

            LaunchResult dry = launcher.launch("manifest", "load", good.toString(), "--dry-run");
            assertEquals(0, dry.exitCode(), dry.getOutput() + dry.getErrorOutput());
            assertTrue(dry.getOutput().contains("dry run"), dry.getOutput());
            assertTrue(netbox.interfaces().ofDevice(device.id()).getFirst().mac().isEmpty(), "a dry run writes nothing");

            LaunchResult ok = launcher.launch("manifest", "load", good.toString());
            assertEquals(0, ok.exitCode(), ok.getOutput() + ok.getErrorOutput());
            assertEquals(MacAddress.of(mac), netbox.interfaces().ofDevice(device.id()).stream().map(DeviceInterface::mac)
                    .findFirst().orElseThrow().orElseThrow());

            LaunchResult some = launcher.launch("manifest", "load", partly.toString());
            assertEquals(1, some.exitCode(), some.getOutput());
            assertTrue(some.getOutput().contains("no device with serial"), some.getOutput());

            LaunchResult bad = launcher.launch("manifest", "load", wrong.toString());
            assertEquals(2, bad.exitCode(), bad.getOutput());
            assertTrue(bad.getOutput().contains("missing column"), bad.getOutput());

            assertEquals(2, launcher.launch("manifest", "load", dir.resolve("absent.csv").toString()).exitCode());
            assertEquals(2, launcher.launch("manifest", "load").exitCode(), "usage: FILE is required");
        }
    }
}
