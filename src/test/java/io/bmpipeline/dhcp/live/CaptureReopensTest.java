package io.bmpipeline.dhcp.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bmpipeline.dhcp.DhcpComponent;
import io.bmpipeline.dhcp.LeaseBatch;
import io.bmpipeline.events.EventEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live tap outlives its interface: the interface is deleted under a running {@code dhcp:}
 * consumer (the kernel reports ENETDOWN), comes back under the same name, and the leases sent
 * after that reach the route — the consumer reopened the capture with backoff instead of ending.
 * Frames are injected with tcpreplay from committed captures through a veth pair in the root
 * namespace (nothing leaves the machine).
 */
class CaptureReopensTest {

    private static final String TAP = "bmr-t0";
    private static final String PEER = "bmr-t1";

    @BeforeEach
    void link() {
        DhcpTestBed.assumeNamespaces();
        deleteLink();
        createLink();
    }

    @AfterEach
    void cleanUp() {
        deleteLink();
    }

    @Test
    void leasesAfterTheInterfaceCameBackStillReachTheRoute() throws Exception {
        List<EventEnvelope> leases = new CopyOnWriteArrayList<>();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addComponent("dhcp", new DhcpComponent());
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("dhcp:" + TAP).filter(header("bmTapOutcome").isEqualTo("LEASES"))
                            .process(e -> leases.addAll(e.getMessage().getBody(LeaseBatch.class).envelopes()));
                }
            });
            camel.start();

            replay("isc-leases.pcap");
            waitFor(() -> leases.size() >= 5, "the 5 ISC leases before the interface goes: " + leases);

            deleteLink();
            Thread.sleep(1500); // the consumer saw ENETDOWN and is failing to reopen a missing interface
            createLink();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // Replay until the reopened capture sees it: reopening backs off, frames sent before are lost.
            while (leases.size() < 6 && System.nanoTime() < deadline) {
                replay("dnsmasq-leases.pcap");
                Thread.sleep(1000);
            }
            Set<String> macs = leases.stream().map(EventEnvelope::subject).collect(Collectors.toSet());
            assertTrue(macs.contains("D0:94:66:8E:21:01"), "the dnsmasq lease after the interface came back: " + leases);
            assertEquals(6, macs.size(), "5 before, 1 after: " + leases);
            assertTrue(camel.getRouteController().getRouteStatus(camel.getRoutes().getFirst().getId()).isStarted());
        }
    }

    private static void replay(String pcap) {
        var result = DhcpTestBed.run(List.of("tcpreplay", "-q", "-i", PEER,
                DhcpTestBed.repoRoot().resolve("src/test/resources/dhcp/" + pcap).toString()));
        assertEquals(0, result.exitCode(), "tcpreplay: " + result.stderr());
    }

    private static void createLink() {
        for (List<String> command : List.of(
                List.of("ip", "link", "add", TAP, "type", "veth", "peer", "name", PEER),
                List.of("sysctl", "-qw", "net.ipv6.conf." + TAP + ".disable_ipv6=1"),
                List.of("sysctl", "-qw", "net.ipv6.conf." + PEER + ".disable_ipv6=1"),
                List.of("ip", "link", "set", TAP, "up"),
                List.of("ip", "link", "set", PEER, "up"))) {
            var result = DhcpTestBed.run(command);
            assertEquals(0, result.exitCode(), command + ": " + result.stderr());
        }
    }

    private static void deleteLink() {
        DhcpTestBed.run(List.of("ip", "link", "del", TAP));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
