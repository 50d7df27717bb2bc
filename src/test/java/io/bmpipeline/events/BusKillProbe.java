package io.bmpipeline.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Runs in a child JVM for {@link H2EventBusTest}: opens the bus at {@code args[0]}, then publishes events and prints
 * each id on stdout only after {@link EventBus#publish} returned — the promise under test. The parent kills this
 * process with SIGKILL mid-stream. Bounded, so it ends by itself if nobody kills it.
 */
public final class BusKillProbe {

    private BusKillProbe() {}

    public static void main(String[] args) {
        H2EventBus bus = H2EventBus.open(Path.of(args[0]));
        int limit = Integer.parseInt(args[1]);
        System.out.println("open");
        System.out.flush();
        for (int i = 0; i < limit; i++) {
            String id = "kill-probe-" + i;
            bus.publish(Topics.DHCP_EVENTS, EventEnvelope.of(id, "/bm-pipeline/test", EventTypes.DHCP_LEASE_OBSERVED,
                    "device-" + (i % 7), Instant.now(), JsonNodeFactory.instance.objectNode().put("n", i)));
            System.out.println(id);
            System.out.flush();
        }
        bus.close();
    }
}
