package io.bmpipeline.events;

import java.nio.file.Path;

/**
 * Runs in a child JVM for {@link H2EventBusTest}: an operator's report reading a stopped bus at {@code args[0]}
 * ({@link H2EventBus#replayStopped}), slowly. Prints {@code reading} once it holds the store, and each event id.
 */
public final class BusReaderProbe {

    private BusReaderProbe() {}

    public static void main(String[] args) throws Exception {
        long pauseMillis = Long.parseLong(args[1]);
        H2EventBus.replayStopped(Path.of(args[0]), Topics.DHCP_EVENTS, EventTypes.DHCP_LEASE_OBSERVED, e -> {
            System.out.println("reading " + e.envelope().id());
            System.out.flush();
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        System.out.println("done");
    }
}
