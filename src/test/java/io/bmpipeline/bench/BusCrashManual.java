package io.bmpipeline.bench;

import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.RetryPolicy;
import io.bmpipeline.events.Subscription;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Crash test, by hand (not in {@code verify}): a child JVM publishes a burst as fast as it can and prints each id
 * after {@link EventBus#publish} returned; the parent SIGKILLs it ~1 s in, reopens the store and checks that every
 * printed id is delivered to group {@code discovery} (none lost), counting duplicates.
 * <pre>
 * java -cp "target/classes:target/test-classes:$(cat target/cp.txt)" io.bmpipeline.bench.BusCrashManual h2|artemis DIR [KILL_MS]
 * </pre>
 */
public final class BusCrashManual {

    static final RetryPolicy RETRY = new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofSeconds(1), Duration.ofSeconds(30));

    public static void main(String[] args) throws Exception {
        if (args[0].equals("child")) {
            child(args[1], Path.of(args[2]));
            return;
        }
        String engine = args[0];
        Path dir = Path.of(args[1]);
        long killMs = args.length > 2 ? Long.parseLong(args[2]) : 1000;
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bm."))
                .forEach(k -> command.add("-D" + k + "=" + System.getProperty(k)));
        command.addAll(List.of(BusCrashManual.class.getName(), "child", engine, dir.toString()));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> printed = new CopyOnWriteArrayList<>();
        Object opened = new Object();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("open")) {
                        synchronized (opened) {
                            opened.notifyAll();
                        }
                    } else {
                        printed.add(line);
                    }
                }
            } catch (Exception ignored) {
                // the child died: that is the point
            }
        });
        synchronized (opened) {
            opened.wait(60_000);
        }
        Thread.sleep(killMs);
        child.destroyForcibly(); // SIGKILL on Linux
        child.waitFor();
        reader.join();
        System.out.printf("engine=%s child exit=%d printed=%d (killed %d ms after open)%n", engine, child.exitValue(),
                printed.size(), killMs);

        long t0 = System.nanoTime();
        Map<String, Integer> delivered = new HashMap<>();
        try (EventBus bus = BusSoak.open(engine, dir)) {
            long reopened = System.nanoTime();
            Subscription sub = bus.subscribe(BusSoak.TOPIC, "discovery", RETRY);
            long idleSince = System.nanoTime();
            while (System.nanoTime() - idleSince < 2_000_000_000L) {
                Optional<io.bmpipeline.events.Delivery> d = sub.poll(Instant.now());
                if (d.isPresent()) {
                    delivered.merge(d.get().envelope().id(), 1, Integer::sum);
                    sub.ack(d.get());
                    idleSince = System.nanoTime();
                } else {
                    sub.awaitPublication(Duration.ofMillis(50));
                }
            }
            String last = printed.isEmpty() ? null : printed.getLast();
            EventBus.Published again = last == null ? null
                    : bus.publish(BusSoak.TOPIC, lease(Long.parseLong(last.substring(last.lastIndexOf('-') + 1))));
            long lost = printed.stream().filter(id -> !delivered.containsKey(id)).count();
            long duplicates = delivered.values().stream().filter(n -> n > 1).count();
            long unprinted = delivered.keySet().stream().filter(id -> !printed.contains(id)).count();
            System.out.printf("RESULT engine=%s printed=%d delivered_distinct=%d lost=%d duplicates=%d "
                            + "stored_but_unprinted=%d republish_last=%s reopen_ms=%.0f%n", engine, printed.size(),
                    delivered.size(), lost, duplicates, unprinted, again, (reopened - t0) / 1e6);
            if (lost > 0) {
                printed.stream().filter(id -> !delivered.containsKey(id)).limit(10).forEach(id -> System.out.println("LOST " + id));
                System.exit(1);
            }
        }
    }

    /** Ids are readable ("crash-N") so the parent can rebuild the envelope and re-publish it. */
    static EventEnvelope lease(long i) {
        EventEnvelope e = BusSoak.lease(i);
        return new EventEnvelope("crash-" + i, e.source(), e.type(), e.subject(), e.time(), e.partitionKey(), e.data());
    }

    static void child(String engine, Path dir) {
        EventBus bus = BusSoak.open(engine, dir);
        bus.subscribe(BusSoak.TOPIC, "discovery", RETRY); // the group exists before the burst, as at service start
        System.out.println("open");
        System.out.flush();
        for (long i = 0; i < 10_000_000; i++) {
            EventEnvelope e = lease(i);
            bus.publish(BusSoak.TOPIC, e);
            System.out.println(e.id());
            System.out.flush();
        }
    }
}
