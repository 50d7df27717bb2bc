package io.bmpipeline.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bmpipeline.events.Delivery;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.RetryPolicy;
import io.bmpipeline.events.Subscription;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * By hand: the contract points the soak does not exercise, printed per engine in real time (Artemis ignores the
 * passed-in clock). Run with a fresh DIR: {@code BusSemanticsManual h2|artemis DIR}.
 */
public final class BusSemanticsManual {

    static final String TOPIC = "bm.dhcp.events";

    static EventEnvelope event(String id, String key) {
        return EventEnvelope.of(id, "/bm-pipeline/test", EventTypes.DHCP_LEASE_OBSERVED, key, Instant.now(),
                JsonNodeFactory.instance.objectNode().put("id", id));
    }

    /** Polls (real time) for up to {@code wait}, acking everything except ids in {@code fail}, which it retries. */
    static List<String> drain(Subscription sub, Duration wait, String... fail) throws Exception {
        List<String> seen = new ArrayList<>();
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            Optional<Delivery> d = sub.poll(Instant.now());
            if (d.isEmpty()) {
                Thread.sleep(20);
                continue;
            }
            String id = d.get().envelope().id();
            seen.add(id + "#" + d.get().attempt());
            if (List.of(fail).contains(id)) {
                sub.retryLater(d.get(), "NetBox down", Instant.now());
            } else {
                sub.ack(d.get());
            }
        }
        return seen;
    }

    public static void main(String[] args) throws Exception {
        String engine = args[0];
        Path dir = Path.of(args[1]);
        RetryPolicy twice = new RetryPolicy(2, Duration.ofMillis(500), Duration.ofSeconds(1));
        try (EventBus bus = BusSoak.open(engine, dir)) {
            Subscription sub = bus.subscribe(TOPIC, "discovery", twice);
            // 1. order under retry: a1 fails, a2 must wait for it; b1 (another key) must not wait.
            for (String[] e : new String[][] {{"a1", "A"}, {"a2", "A"}, {"b1", "B"}}) {
                bus.publish(TOPIC, event(e[0], e[1]));
            }
            System.out.println("1 order under retry (a1 fails twice, max 2 attempts): " + drain(sub, Duration.ofSeconds(3), "a1"));
            System.out.println("  status after: " + sub.status());
            System.out.println("  dead letters: " + sub.deadLetters().stream()
                    .map(l -> l.delivery().envelope().id() + "#seq" + l.delivery().sequence() + " " + l.reason()).toList());
            // 2. redrive: next delivery must be attempt >= 2
            sub.deadLetters().forEach(l -> System.out.println("2 redrive " + l.delivery().sequence() + " -> "
                    + sub.redrive(l.delivery().sequence())));
            System.out.println("  after redrive: " + drain(sub, Duration.ofSeconds(2)));
            // 3. duplicate publish
            System.out.println("3 re-publish b1: " + bus.publish(TOPIC, event("b1", "B")));
            // 4. attempt after restart: poll c1, do not ack, close
            bus.publish(TOPIC, event("c1", "C"));
            System.out.println("4 before restart: " + sub.poll(Instant.now()).map(d -> d.envelope().id() + "#" + d.attempt()));
        }
        try (EventBus bus = BusSoak.open(engine, dir)) {
            Subscription sub = bus.subscribe(TOPIC, "discovery", twice);
            System.out.println("  after restart: " + drain(sub, Duration.ofSeconds(2)));
            System.out.println("3b re-publish b1 after restart: " + bus.publish(TOPIC, event("b1", "B")));
            // 5. a group created after the events: H2 backfills from the log, Artemis routes only new events
            Subscription late = bus.subscribe(TOPIC, "late-group", twice);
            System.out.println("5 new group sees old events: " + drain(late, Duration.ofSeconds(1)));
            // 6. replay (reconciliation)
            try {
                List<String> replayed = new ArrayList<>();
                bus.replay(TOPIC, EventTypes.DHCP_LEASE_OBSERVED, e -> replayed.add(e.envelope().id()));
                System.out.println("6 replay: " + replayed);
            } catch (UnsupportedOperationException e) {
                System.out.println("6 replay: unsupported: " + e.getMessage());
            }
        }
    }
}
