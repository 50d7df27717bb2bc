package io.bmpipeline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bmpipeline.events.Subscription.Outcome;
import io.bmpipeline.testbed.Tmpfs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2EventBusTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final String TOPIC = Topics.DHCP_EVENTS;
    private static final String GROUP = "discovery";
    private static final RetryPolicy FOREVER = new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofSeconds(1),
            Duration.ofSeconds(8));

    @TempDir
    Path dir;

    private final List<H2EventBus> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(H2EventBus::close);
    }

    private H2EventBus open() {
        H2EventBus bus = H2EventBus.open(dir.resolve("bus"));
        opened.add(bus);
        return bus;
    }

    private static EventEnvelope event(String id, String key) {
        return EventEnvelope.of(id, "/bm-pipeline/test", EventTypes.DHCP_LEASE_OBSERVED, key, T0,
                JsonNodeFactory.instance.objectNode().put("id", id));
    }

    private static String polledId(Subscription subscription, Instant now) {
        return subscription.poll(now).orElseThrow(() -> new AssertionError("nothing deliverable at " + now))
                .envelope().id();
    }

    private static List<String> drain(Subscription subscription, Instant now) {
        List<String> ids = new ArrayList<>();
        Optional<Delivery> next;
        while ((next = subscription.poll(now)).isPresent()) {
            ids.add(next.get().envelope().id());
            subscription.ack(next.get());
        }
        return ids;
    }

    // ---- durability ----------------------------------------------------------------------------------------------

    @Test
    void publishedEventsSurviveCloseAndReopen() {
        H2EventBus bus = open();
        bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("e1", "SN1"));
        bus.publish(TOPIC, event("e2", "SN2"));
        bus.close();

        H2EventBus reopened = open();
        Subscription subscription = reopened.subscribe(TOPIC, GROUP, FOREVER);
        List<String> ids = new ArrayList<>();
        Delivery first = subscription.poll(T0).orElseThrow();
        assertEquals(event("e1", "SN1"), first.envelope());
        ids.add(first.envelope().id());
        subscription.ack(first);
        ids.addAll(drain(subscription, T0));
        assertEquals(List.of("e1", "e2"), ids);
        assertTrue(Files.exists(dir.resolve("bus.mv.db")));
    }

    @Test
    void aFullDiskRefusesPublishesKeepsWhatWasStoredAndTheBusWorksAgainOnceThereIsSpace() throws Exception {
        try (Tmpfs disk = Tmpfs.mount(dir.resolve("small"), "2m")) {
            H2EventBus bus = H2EventBus.open(disk.dir().resolve("bus"));
            try {
                Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
                List<String> returned = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    bus.publish(TOPIC, bulky("before-" + i));
                    returned.add("before-" + i);
                }
                Delivery handled = subscription.poll(T0).orElseThrow();
                disk.fill();
                EventBusException refused = null;
                for (int i = 0; refused == null && i < 500; i++) {
                    try {
                        bus.publish(TOPIC, bulky("full-" + i));
                        returned.add("full-" + i);
                    } catch (EventBusException e) {
                        refused = e;
                    }
                }
                assertTrue(refused != null, "a full disk refuses a publish");
                assertTrue(refused.getMessage().contains("No space left on device"), refused.getMessage());
                assertThrows(EventBusException.class, () -> bus.publish(TOPIC, bulky("still-full")));
                assertThrows(EventBusException.class, () -> subscription.poll(T0));
                // Its ack fails now (the store is shut, or opened again and shut again) or seems to work and is
                // undone with what H2 loses; either way the event is not stuck in flight: it comes again or is done.
                Set<String> acked = new HashSet<>();
                try {
                    subscription.ack(handled);
                    acked.add(handled.envelope().id());
                } catch (EventBusException e) {
                    // Delivered again below.
                }

                disk.free();
                EventBus.Published after = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (after == null) {
                    try {
                        after = bus.publish(TOPIC, event("after", "A"));
                    } catch (EventBusException e) {
                        if (System.nanoTime() > deadline) {
                            throw e;
                        }
                        Thread.sleep(200);
                    }
                }
                assertEquals(EventBus.Published.STORED, after, "the bus stores again, without a restart");
                returned.add("after");
                // Every event a publish returned for is there, once; the refused ones may be or not (not returned).
                List<String> delivered = drain(subscription, T0);
                assertEquals(new HashSet<>(delivered).size(), delivered.size(), delivered.toString());
                Set<String> done = new HashSet<>(delivered);
                done.addAll(acked);
                assertTrue(done.containsAll(returned), "returned " + returned + ", delivered " + delivered
                        + ", acknowledged during the outage " + acked);
            } finally {
                bus.close();
            }
        }
    }

    /** An event of a few KB, so that a small disk fills with a few hundred. */
    private static EventEnvelope bulky(String id) {
        return EventEnvelope.of(id, "/bm-pipeline/test", EventTypes.DHCP_LEASE_OBSERVED, id, T0,
                JsonNodeFactory.instance.objectNode().put("id", id).put("padding", "x".repeat(4000)));
    }

    @Test
    void anUnacknowledgedEventIsDeliveredAgainAfterRestart() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("e1", "SN1"));
        Delivery first = subscription.poll(T0).orElseThrow();
        assertEquals(1, first.attempt());
        bus.close(); // the handler never acknowledged: a crash or a stop mid-handling

        Subscription again = open().subscribe(TOPIC, GROUP, FOREVER);
        Delivery redelivered = again.poll(T0).orElseThrow();
        assertEquals("e1", redelivered.envelope().id());
        assertEquals(2, redelivered.attempt());
    }

    @Test
    void anAcknowledgedEventIsNotDeliveredAgainAfterRestart() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("e1", "SN1"));
        bus.publish(TOPIC, event("e2", "SN1"));
        subscription.ack(subscription.poll(T0).orElseThrow());
        bus.close();

        assertEquals(List.of("e2"), drain(open().subscribe(TOPIC, GROUP, FOREVER), T0));
    }

    @Test
    void anEventIsOnDiskWhenPublishReturnsEvenIfTheProcessIsKilled() throws Exception {
        Path store = dir.resolve("killed");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(java, "-cp", classpath, BusKillProbe.class.getName(), store.toString(),
                "100000").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("open", out.readLine());
            // While the child holds the store, another process cannot open it, and says why.
            EventBusException inUse = assertThrows(EventBusException.class, () -> H2EventBus.open(store));
            assertTrue(inUse.getMessage().contains("in use by another process"), inUse.getMessage());
            String line;
            while (acknowledged.size() < 300 && (line = out.readLine()) != null) {
                acknowledged.add(line);
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not die");
        } finally {
            child.destroyForcibly();
        }
        assertEquals(300, acknowledged.size());

        H2EventBus reopened = H2EventBus.open(store);
        opened.add(reopened);
        Set<String> stored = new HashSet<>(drain(reopened.subscribe(TOPIC, "audit", FOREVER), T0));
        List<String> lost = acknowledged.stream().filter(id -> !stored.contains(id)).toList();
        assertTrue(lost.isEmpty(), lost.size() + " of " + acknowledged.size()
                + " events whose publish had returned were lost, first " + lost.subList(0, Math.min(5, lost.size())));
    }

    // ---- order per key, and a failing key blocks only itself ----------------------------------------------------

    @Test
    void oneKeysEventsAreDeliveredInPublishOrder() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        for (int i = 0; i < 20; i++) {
            bus.publish(TOPIC, event("e" + i, "SN" + (i % 3)));
        }
        List<String> delivered = drain(subscription, T0);
        assertEquals(20, delivered.size());
        for (int key = 0; key < 3; key++) {
            final int k = key;
            List<Integer> order = delivered.stream().map(id -> Integer.parseInt(id.substring(1)))
                    .filter(n -> n % 3 == k).toList();
            List<Integer> sorted = new ArrayList<>(order);
            Collections.sort(sorted);
            assertEquals(sorted, order, "key SN" + key);
        }
    }

    @Test
    void aKeyWithAnEventInFlightIsNotHandedOutAgain() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("a1", "A"));
        bus.publish(TOPIC, event("a2", "A"));
        bus.publish(TOPIC, event("b1", "B"));
        Delivery a1 = subscription.poll(T0).orElseThrow();
        assertEquals("b1", polledId(subscription, T0));
        assertTrue(subscription.poll(T0).isEmpty(), "a2 must wait for a1");
        subscription.ack(a1);
        assertEquals("a2", polledId(subscription, T0));
    }

    @Test
    void aFailingEventBlocksOnlyTheLaterEventsOfItsKey() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("a1", "A"));
        bus.publish(TOPIC, event("a2", "A"));
        bus.publish(TOPIC, event("b1", "B"));
        bus.publish(TOPIC, event("b2", "B"));

        Delivery a1 = subscription.poll(T0).orElseThrow();
        Outcome outcome = subscription.retryLater(a1, "NetBox unavailable", T0);
        assertEquals(new Outcome.RetryScheduled(a1, T0.plusSeconds(1), "NetBox unavailable"), outcome);

        // B proceeds; A waits for a1's retry, and a2 waits behind a1.
        assertEquals(List.of("b1", "b2"), drain(subscription, T0));
        assertEquals(Optional.of(T0.plusSeconds(1)), subscription.nextAttemptAt());
        Subscription.Status status = subscription.status();
        assertEquals(new Subscription.Status(2, 1, 0, Optional.of("NetBox unavailable"), status.oldestPending()), status);
        assertTrue(status.oldestPending().isPresent(), "two events wait: the oldest has a publication time");

        Delivery retried = subscription.poll(T0.plusSeconds(1)).orElseThrow();
        assertEquals("a1", retried.envelope().id());
        assertEquals(2, retried.attempt());
        subscription.ack(retried);
        assertEquals(List.of("a2"), drain(subscription, T0.plusSeconds(1)));
        assertEquals(Optional.empty(), subscription.nextAttemptAt());
    }

    @Test
    void retriesBackOffExponentiallyUpToTheCapAndKeepTheirScheduleAcrossRestart() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("a1", "A"));
        Instant now = T0;
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Delivery d = subscription.poll(now).orElseThrow();
            Outcome.RetryScheduled retry = assertInstanceOf(Outcome.RetryScheduled.class,
                    subscription.retryLater(d, "down", now));
            waits.add(Duration.between(now, retry.nextAttemptAt()));
            now = retry.nextAttemptAt();
        }
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8)), waits);
        bus.close();

        Subscription again = open().subscribe(TOPIC, GROUP, FOREVER);
        assertTrue(again.poll(now.minusMillis(1)).isEmpty(), "the retry schedule survives a restart");
        assertEquals(Optional.of(now), again.nextAttemptAt());
        assertEquals(7, again.poll(now).orElseThrow().attempt());
    }

    // ---- dead letters --------------------------------------------------------------------------------------------

    @Test
    void anEventIsDeadLetteredAfterTheConfiguredAttemptsAndItsKeyMovesOn() {
        RetryPolicy three = new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(1));
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, three);
        bus.publish(TOPIC, event("a1", "A"));
        bus.publish(TOPIC, event("a2", "A"));
        Instant now = T0;
        Outcome last = null;
        for (int i = 0; i < 3; i++) {
            last = subscription.retryLater(subscription.poll(now).orElseThrow(), "IP taken", now);
            now = now.plusSeconds(1);
        }
        Outcome.DeadLettered dead = assertInstanceOf(Outcome.DeadLettered.class, last);
        assertEquals("IP taken (gave up after 3 attempts)", dead.reason());
        assertEquals(List.of("a2"), drain(subscription, now));

        List<DeadLetter> letters = subscription.deadLetters();
        assertEquals(1, letters.size());
        assertEquals("a1", letters.getFirst().delivery().envelope().id());
        assertEquals("IP taken (gave up after 3 attempts)", letters.getFirst().reason());
        assertEquals(new Subscription.Status(0, 0, 1, Optional.empty(), Optional.empty()), subscription.status());
    }

    @Test
    void aPermanentFailureIsDeadLetteredAtOnce() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("a1", "A"));
        bus.publish(TOPIC, event("a2", "A"));
        Outcome first = subscription.handleNext(d -> {
            throw new PermanentEventFailure("NetBox 400: address 10.0.0.5/24 already exists");
        }, T0).orElseThrow();
        assertEquals(new Outcome.DeadLettered(first.delivery(), "NetBox 400: address 10.0.0.5/24 already exists"),
                first);
        Outcome second = subscription.handleNext(d -> { }, T0).orElseThrow();
        assertEquals(new Outcome.Acked(second.delivery()), second);
        assertEquals("a2", second.delivery().envelope().id());
        assertEquals(1, subscription.deadLetters().size());
    }

    @Test
    void aRedrivenDeadLetterIsDeliveredAgainAndSurvivesRestartAsDead() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("a1", "A"));
        Delivery d = subscription.poll(T0).orElseThrow();
        subscription.deadLetter(d, "bad", T0);
        bus.close();

        H2EventBus reopened = open();
        Subscription again = reopened.subscribe(TOPIC, GROUP, FOREVER);
        assertTrue(again.poll(T0).isEmpty());
        assertEquals(1, again.deadLetters().size());
        assertTrue(again.redrive(d.sequence()));
        assertFalse(again.redrive(d.sequence()), "no longer a dead letter");
        Delivery redriven = again.poll(T0).orElseThrow();
        assertEquals("a1", redriven.envelope().id());
        assertEquals(2, redriven.attempt(), "a redriven event was handed out before: never a first delivery");
    }

    @Test
    void aTransientHandlerFailureIsRetriedAndAnErrorLeavesTheEventPending() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("a1", "A"));
        Outcome failed = subscription.handleNext(d -> {
            throw new java.io.IOException("connection refused");
        }, T0).orElseThrow();
        assertEquals(new Outcome.RetryScheduled(failed.delivery(), T0.plusSeconds(1),
                "java.io.IOException: connection refused"), failed);

        assertThrows(OutOfMemoryError.class, () -> subscription.handleNext(d -> {
            throw new OutOfMemoryError("simulated");
        }, T0.plusSeconds(1)));
        // The key was freed and the row is still pending: the event comes again.
        assertEquals(3, subscription.poll(T0.plusSeconds(1)).orElseThrow().attempt());
    }

    // ---- idempotent publish, groups ------------------------------------------------------------------------------

    @Test
    void publishingAnIdAlreadyStoredIsANoOpAlsoAfterRestart() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        assertEquals(EventBus.Published.STORED, bus.publish(TOPIC, event("lease-1", "A")));
        assertEquals(EventBus.Published.DUPLICATE, bus.publish(TOPIC, event("lease-1", "A")));
        assertEquals(List.of("lease-1"), drain(subscription, T0));
        bus.close();

        H2EventBus reopened = open();
        Subscription again = reopened.subscribe(TOPIC, GROUP, FOREVER);
        assertEquals(EventBus.Published.DUPLICATE, reopened.publish(TOPIC, event("lease-1", "A")));
        assertTrue(again.poll(T0).isEmpty());
        // The same id on another topic is another event.
        assertEquals(EventBus.Published.STORED, reopened.publish(Topics.DEVICE_STATE, event("lease-1", "A")));
    }

    @Test
    void consumerGroupsAreIndependentAndANewGroupStartsFromTheOldestEvent() {
        H2EventBus bus = open();
        Subscription discovery = bus.subscribe(TOPIC, "discovery", FOREVER);
        bus.publish(TOPIC, event("e1", "A"));
        bus.publish(TOPIC, event("e2", "B"));
        assertEquals(List.of("e1", "e2"), drain(discovery, T0));

        Subscription audit = bus.subscribe(TOPIC, "audit", FOREVER);
        bus.publish(TOPIC, event("e3", "A"));
        assertEquals(List.of("e1", "e2", "e3"), drain(audit, T0));
        assertEquals(List.of("e3"), drain(discovery, T0));
        assertTrue(bus.subscribe(Topics.DEVICE_STATE, "discovery", FOREVER).poll(T0).isEmpty());
    }

    @Test
    void finishingADeliveryThatIsNotInFlightIsRefused() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("e1", "A"));
        Delivery d = subscription.poll(T0).orElseThrow();
        subscription.ack(d);
        EventBusException e = assertThrows(EventBusException.class, () -> subscription.ack(d));
        assertTrue(e.getMessage().contains("not in flight for bm.dhcp.events/discovery"), e.getMessage());
    }

    @Test
    void misuseIsRefusedWithAClearMessage() {
        H2EventBus bus = open();
        assertThrows(IllegalArgumentException.class, () -> bus.publish("bad topic", event("e1", "A")));
        bus.subscribe(TOPIC, GROUP, FOREVER);
        EventBusException policy = assertThrows(EventBusException.class, () -> bus.subscribe(TOPIC, GROUP,
                new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(1))));
        assertTrue(policy.getMessage().contains("one retry policy per group"), policy.getMessage());
        bus.close();
        EventBusException closed = assertThrows(EventBusException.class, () -> bus.publish(TOPIC, event("e1", "A")));
        assertTrue(closed.getMessage().endsWith("is closed"), closed.getMessage());
    }

    // ---- concurrency ---------------------------------------------------------------------------------------------

    @Test
    void concurrentConsumersNeverHoldTheSameKeyAtOnceAndKeepEachKeysOrder() throws Exception {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP,
                new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofMillis(1), Duration.ofMillis(1)));
        int keys = 6;
        int perKey = 40;
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                bus.publish(TOPIC, event("k" + k + "-" + i, "K" + k));
            }
        }
        // A shared, advancing clock: each call is one millisecond later, so retries become due without sleeping.
        AtomicLong clock = new AtomicLong(T0.toEpochMilli());
        Map<String, AtomicInteger> holders = new ConcurrentHashMap<>();
        Map<String, List<Integer>> handledOrder = new ConcurrentHashMap<>();
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        EventHandler handler = d -> {
            AtomicInteger holding = holders.computeIfAbsent(d.key(), k -> new AtomicInteger());
            if (holding.incrementAndGet() != 1) {
                violations.add("two consumers held " + d.key());
            }
            try {
                Thread.yield();
                String id = d.envelope().id();
                int n = Integer.parseInt(id.substring(id.indexOf('-') + 1));
                // Every fifth event fails once: its key must stall behind it while other keys go on.
                if (n % 5 == 0 && failedOnce.add(id)) {
                    throw new IllegalStateException("transient " + id);
                }
                handledOrder.computeIfAbsent(d.key(), k -> Collections.synchronizedList(new ArrayList<>())).add(n);
            } finally {
                holding.decrementAndGet();
            }
        };
        Runnable consumer = () -> {
            for (int step = 0; step < 100_000 && subscription.status().pending() > 0; step++) {
                subscription.handleNext(handler, Instant.ofEpochMilli(clock.incrementAndGet()));
            }
        };
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread thread = new Thread(consumer, "consumer-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(5));
            assertFalse(thread.isAlive(), thread.getName() + " did not finish");
        }
        assertEquals(List.of(), violations);
        assertEquals(0, subscription.status().pending());
        List<Integer> expected = java.util.stream.IntStream.range(0, perKey).boxed().toList();
        for (int k = 0; k < keys; k++) {
            assertEquals(expected, handledOrder.get("K" + k), "order of K" + k);
        }
        assertEquals(keys * ((perKey + 4) / 5), failedOnce.size());
    }

    // ---- reading the log -------------------------------------------------------------------------------------------

    private static EventEnvelope typed(String id, String type) {
        return EventEnvelope.of(id, "/bm-pipeline/test", type, "K", T0, JsonNodeFactory.instance.objectNode().put("id", id));
    }

    @Test
    void replayHandsOverOnlyTheTypeAskedForInPublishOrderAcrossPages() {
        H2EventBus bus = open();
        List<String> wanted = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            String id = "e" + i;
            boolean unexpected = i % 2 == 0;
            bus.publish(TOPIC, typed(id, unexpected ? EventTypes.DHCP_LEASE_UNEXPECTED : EventTypes.DHCP_LEASE_OBSERVED));
            if (unexpected) {
                wanted.add(id);
            }
        }
        // Another topic, and a type that only contains the one asked for, are not handed over.
        bus.publish(Topics.DEVICE_STATE, typed("other-topic", EventTypes.DHCP_LEASE_UNEXPECTED));
        bus.publish(TOPIC, typed("longer-type", EventTypes.DHCP_LEASE_UNEXPECTED + ".more"));

        List<String> seen = new ArrayList<>();
        List<Long> sequences = new ArrayList<>();
        bus.replay(TOPIC, EventTypes.DHCP_LEASE_UNEXPECTED, e -> {
            seen.add(e.envelope().id());
            sequences.add(e.sequence());
        });
        assertEquals(wanted, seen);
        assertEquals(sequences.stream().sorted().toList(), sequences);
    }

    @Test
    void replayDoesNotHoldBackPublishing() throws Exception {
        H2EventBus bus = open();
        for (int i = 0; i < 5; i++) {
            bus.publish(TOPIC, typed("before-" + i, EventTypes.DHCP_LEASE_UNEXPECTED));
        }
        List<String> publishedWhileReading = new ArrayList<>();
        bus.replay(TOPIC, EventTypes.DHCP_LEASE_UNEXPECTED, e -> {
            // A publish from another thread completes while the reader sits in the middle of the log.
            var publisher = Thread.ofPlatform().start(() -> {
                String id = "during-" + e.envelope().id();
                bus.publish(TOPIC, typed(id, EventTypes.DHCP_LEASE_OBSERVED));
                publishedWhileReading.add(id);
            });
            try {
                assertTrue(publisher.join(Duration.ofSeconds(10)), "publish blocked by a reader");
            } catch (InterruptedException interrupted) {
                throw new AssertionError(interrupted);
            }
        });
        assertEquals(5, publishedWhileReading.size());
    }

    @Test
    void aStoppedBusIsReadReadOnlyAndAMissingOneIsNamed() {
        H2EventBus bus = open();
        bus.publish(TOPIC, typed("u1", EventTypes.DHCP_LEASE_UNEXPECTED));
        bus.publish(TOPIC, typed("o1", EventTypes.DHCP_LEASE_OBSERVED));
        bus.close();
        List<String> seen = new ArrayList<>();
        H2EventBus.replayStopped(dir.resolve("bus"), TOPIC, EventTypes.DHCP_LEASE_UNEXPECTED, e -> seen.add(e.envelope().id()));
        assertEquals(List.of("u1"), seen);

        EventBusException missing = assertThrows(EventBusException.class, () -> H2EventBus.replayStopped(
                dir.resolve("nothing-here"), TOPIC, EventTypes.DHCP_LEASE_UNEXPECTED, e -> { }));
        assertTrue(missing.getMessage().contains("no such store"), missing.getMessage());
        assertFalse(Files.exists(dir.resolve("nothing-here.mv.db")), "reading must not create a store");
    }

    @Test
    void aServiceStartingWhileAReportReadsItsStoreWaitsForTheReport() throws Exception {
        Path store = dir.resolve("shared");
        H2EventBus bus = H2EventBus.open(store);
        for (int i = 0; i < 3; i++) {
            bus.publish(TOPIC, typed("r" + i, EventTypes.DHCP_LEASE_OBSERVED));
        }
        bus.close();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process reader = new ProcessBuilder(java, "-cp", classpath, BusReaderProbe.class.getName(), store.toString(), "700")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("reading r0", out.readLine());
            EventBusException inUse = assertThrows(EventBusException.class, () -> H2EventBus.open(store));
            assertTrue(inUse.getMessage().contains("in use by another process"), inUse.getMessage());

            H2EventBus waited = H2EventBus.open(store, Duration.ofSeconds(30));
            opened.add(waited);
            assertTrue(reader.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, reader.exitValue(), "the report finished undisturbed");
            waited.publish(TOPIC, typed("after", EventTypes.DHCP_LEASE_OBSERVED));
        } finally {
            reader.destroyForcibly();
        }
    }

    // ---- batches and retention ---------------------------------------------------------------------------------

    @Test
    void aBatchIsStoredWholeInOrderAndItsDuplicatesAreNamed() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        bus.publish(TOPIC, event("a", "K1"));
        List<EventBus.Published> results = bus.publishAll(TOPIC,
                List.of(event("a", "K1"), event("b", "K1"), event("c", "K2"), event("b", "K1")));
        assertEquals(List.of(EventBus.Published.DUPLICATE, EventBus.Published.STORED, EventBus.Published.STORED,
                EventBus.Published.DUPLICATE), results);
        assertEquals(List.of("a", "b", "c"), drain(subscription, T0));
        assertEquals(List.of(), bus.publishAll(TOPIC, List.of()));
    }

    private static EventBus.Retention keep(Duration maxAge, long maxEvents) {
        return new EventBus.Retention(new EventBus.Retention.Limits(maxAge, maxEvents), Map.of());
    }

    private static List<String> logged(H2EventBus bus) {
        List<String> ids = new ArrayList<>();
        bus.replay(TOPIC, EventTypes.DHCP_LEASE_OBSERVED, e -> ids.add(e.envelope().id()));
        return ids;
    }

    @Test
    void retentionRemovesOldAcknowledgedEventsAndKeepsWhatAGroupStillOwes() {
        AtomicLong millis = new AtomicLong(T0.toEpochMilli());
        Clock clock = new Clock() {
            @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.ofEpochMilli(millis.get()); }
        };
        H2EventBus bus = H2EventBus.open(dir.resolve("bus"), clock);
        opened.add(bus);
        Subscription subscription = bus.subscribe(TOPIC, GROUP, new RetryPolicy(5, Duration.ofDays(5), Duration.ofDays(5)));
        bus.publishAll(TOPIC, List.of(event("acked", "K1"), event("pending", "K2"), event("dead", "K3")));
        millis.addAndGet(Duration.ofDays(2).toMillis());
        bus.publish(TOPIC, event("recent", "K4"));
        Delivery acked = subscription.poll(T0).orElseThrow();
        subscription.ack(acked);
        Delivery pending = subscription.poll(T0).orElseThrow();
        subscription.retryLater(pending, "NetBox down", T0.plus(Duration.ofDays(3))); // due in the future
        Delivery dead = subscription.poll(T0).orElseThrow();
        subscription.deadLetter(dead, "refused", T0);
        subscription.ack(subscription.poll(T0).orElseThrow());

        long removed = bus.prune(keep(Duration.ofDays(1), 1_000), T0.plus(Duration.ofDays(2)));

        assertEquals(List.of("pending", "dead", "recent"), logged(bus));
        assertEquals(1, removed, "only the old acknowledged event goes");
        assertEquals(1, subscription.deadLetters().size());
        assertEquals(0, bus.prune(keep(Duration.ofDays(1), 1_000), T0.plus(Duration.ofDays(2))), "nothing more to do");
    }

    @Test
    void retentionKeepsAtMostMaxEventsPerTopicNewestFirst() {
        H2EventBus bus = open();
        Subscription subscription = bus.subscribe(TOPIC, GROUP, FOREVER);
        List<EventEnvelope> batch = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            batch.add(event("e" + i, "K" + (i % 50)));
        }
        bus.publishAll(TOPIC, batch);
        bus.publish(Topics.DEVICE_STATE, event("other-topic", "K1"));
        assertEquals(5_000, drain(subscription, T0).size());

        long removed = bus.prune(new EventBus.Retention(new EventBus.Retention.Limits(Duration.ofDays(365), 100_000),
                Map.of(TOPIC, new EventBus.Retention.Limits(Duration.ofDays(365), 300))), T0);

        assertEquals(4_700, removed);
        List<String> left = logged(bus);
        assertEquals(300, left.size());
        assertEquals("e4700", left.getFirst());
        assertEquals("e4999", left.getLast());
        List<String> other = new ArrayList<>();
        bus.replay(Topics.DEVICE_STATE, EventTypes.DHCP_LEASE_OBSERVED, e -> other.add(e.envelope().id()));
        assertEquals(List.of("other-topic"), other, "another topic keeps its own limits");
    }
}
