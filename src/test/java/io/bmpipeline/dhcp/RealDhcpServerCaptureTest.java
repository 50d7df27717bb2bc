package io.bmpipeline.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.testbed.LiveNetBox;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real DHCP servers and clients in network namespaces (testbed/dhcp/capture.sh): N BMC-like clients
 * lease, the server side is captured, and the tap reads exactly N leases with the right MAC, address,
 * hostname and vendor class — whatever the server echoes (ISC never sends option 12 back).
 */
class RealDhcpServerCaptureTest {

    private static final List<String[]> CLIENTS = List.of(
            new String[] {"94:57:A5:11:22:01", "ilo-r1u1", "CPQRIB3"},
            new String[] {"D0:94:66:11:22:02", "idrac-r1u2", "iDRAC"},
            new String[] {"AC:1F:6B:11:22:03", "bmc-r1u3", "Supermicro"},
            new String[] {"94:57:A5:11:22:04", "ilo-r1u4", "CPQRIB3"},
            new String[] {"D0:94:66:11:22:05", "idrac-r1u5", "iDRAC"});

    @ParameterizedTest
    @ValueSource(strings = {"isc", "dnsmasq"})
    void everyClientLeaseBecomesOneLeaseEvent(String server) throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        Path pcap = Files.createTempDirectory("bm-real-dhcp").resolve(server + ".pcap");
        List<String> command = new ArrayList<>(List.of("bash",
                LiveNetBox.repoRoot().resolve("testbed/dhcp/capture.sh").toString(), server, pcap.toString()));
        CLIENTS.forEach(c -> command.add(String.join(",", c)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), output);
        assertEquals(0, process.exitValue(), output);

        LeaseTap tap = new LeaseTap(new LeaseTap.Allowlist(Set.of("10.66.0.2"), Set.of()), Duration.ofSeconds(10),
                Duration.ofSeconds(60));
        List<DhcpLeaseEvent> leases = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(pcap)) {
            while (true) {
                try {
                    reader.next(Duration.ZERO).map(tap::accept).ifPresent(outcome -> {
                        if (outcome instanceof TapOutcome.Lease lease) {
                            leases.add(lease.event());
                        }
                    });
                } catch (EOFException end) {
                    break;
                }
            }
        }
        assertEquals(CLIENTS.size(), leases.size(), leases.toString());
        Map<MacAddress, DhcpLeaseEvent> byMac = leases.stream()
                .collect(Collectors.toMap(DhcpLeaseEvent::mac, Function.identity()));
        for (String[] client : CLIENTS) {
            DhcpLeaseEvent lease = byMac.get(MacAddress.of(client[0]));
            assertEquals(Optional.of(client[1]), lease.hostname(), server + " " + client[0]);
            assertEquals(Optional.of(client[2]), lease.vendorClass(), server + " " + client[0]);
            assertTrue(lease.ip().startsWith("10.66.0.1"), lease.ip());
            assertEquals(Optional.of("10.66.0.2"), lease.serverId());
            assertEquals(24, lease.maskBits().orElseThrow());
        }
        assertEquals(CLIENTS.size(), leases.stream().map(DhcpLeaseEvent::ip).distinct().count());
    }
}
