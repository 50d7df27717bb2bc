package io.bmpipeline.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1,000,000-row manifest read and checked (both passes of a load, without NetBox) in a JVM whose
 * heap is capped at 256 MB: it must finish, with every row accounted for.
 */
class ManifestMemoryTest {

    @TempDir
    Path dir;

    @Test
    void millionRowManifestFitsIn256MegabytesOfHeap() throws Exception {
        Path file = dir.resolve("million.csv");
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("server_serial,server_bmc_mac,rack\n");
            for (int i = 0; i < 1_000_000; i++) {
                out.write(String.format("SN%08d,02:%02X:%02X:%02X:%02X:%02X,r%d%n", i, (i >>> 32) & 0xff,
                        (i >>> 24) & 0xff, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff, i % 40));
            }
            out.write("SN00000007,02:FF:FF:FF:FF:FF,r7\n");   // a serial again with another MAC
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ManifestCheck.class.getName(), file.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "did not finish");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("rows=1000001 rowErrors=0 stoppedByCrossRowRules=2"), output);
    }
}
