package io.bmpipeline.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bmpipeline.events.EventBus;
import io.bmpipeline.events.EventEnvelope;
import io.bmpipeline.events.EventTypes;
import io.bmpipeline.events.H2EventBus;
import io.bmpipeline.events.RetryPolicy;
import io.bmpipeline.events.Subscription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Soak of an event bus through the {@link EventBus} seam: one publisher putting DHCP-lease-sized events over
 * 5,000 device keys in batches of BATCH (as the tap does under load), K consumers of group {@code discovery}
 * (poll → ack), and the bus's retention run every 10,000 events keeping at most KEEP acknowledged events. Prints a
 * line every 10,000 published events: rates, the store's size on disk, RSS. ENGINE is {@code h2} (the service's
 * bus) or {@code artemis} (the evaluation prototype, docs/event-bus-engines.md).
 * <pre>
 * bench/bus-soak.sh [EVENTS] [BATCH] [CONSUMERS] [KEEP] [ENGINE]
 * </pre>
 */
public final class BusSoak {

    static final String TOPIC = "bm.dhcp.events";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long events = Long.parseLong(args[1]);
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int consumers = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        long keep = args.length > 4 ? Long.parseLong(args[4]) : 20_000;
        String engine = args.length > 5 ? args[5] : "h2";
        EventBus.Retention retention = new EventBus.Retention(
                new EventBus.Retention.Limits(Duration.ofDays(30), keep), java.util.Map.of());
        Files.createDirectories(dir);
        try (EventBus bus = open(engine, dir)) {
            Subscription sub = bus.subscribe(TOPIC, "discovery",
                    new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofSeconds(1), Duration.ofSeconds(30)));
            AtomicLong acked = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < consumers; i++) {
                threads.add(Thread.ofPlatform().name("consumer-" + i).start(() -> {
                    try {
                        while (acked.get() < events) {
                            var d = sub.poll(Instant.now());
                            if (d.isPresent()) {
                                sub.ack(d.get());
                                acked.incrementAndGet();
                            } else {
                                sub.awaitPublication(Duration.ofMillis(20));
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            long t0 = System.nanoTime();
            long peakDisk = 0;
            System.out.printf("events=%d batch=%d consumers=%d keep=%d dir=%s%n", events, batch, consumers, keep, dir);
            System.out.println("published,acked,elapsed_s,published_per_s,acked_per_s,disk_mb,rss_mb,pruned");
            long pruned = 0;
            List<EventEnvelope> pending = new ArrayList<>(batch);
            for (long i = 1; i <= events; i++) {
                pending.add(lease(i));
                if (pending.size() == batch || i == events) {
                    bus.publishAll(TOPIC, pending);
                    pending.clear();
                }
                if (i % 10_000 == 0) {
                    pruned += bus.prune(retention, Instant.now());
                    peakDisk = Math.max(peakDisk, report(i, acked.get(), t0, dir));
                    System.out.println("  pruned so far: " + pruned);
                }
            }
            long published = System.nanoTime();
            while (consumers > 0 && acked.get() < events) { // CONSUMERS=0: publish cost alone
                Thread.sleep(50);
            }
            long done = System.nanoTime();
            peakDisk = Math.max(peakDisk, report(events, acked.get(), t0, dir));
            System.out.printf("TOTAL events=%d publish_s=%.1f publish_per_s=%.0f end_to_end_s=%.1f "
                            + "acked_per_s=%.0f peak_disk_mb=%.1f final_disk_mb=%.1f rss_mb=%d%n",
                    events, (published - t0) / 1e9, events / ((published - t0) / 1e9), (done - t0) / 1e9,
                    events / ((done - t0) / 1e9), peakDisk / 1e6, diskBytes(dir) / 1e6, rssKb() / 1024);
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    static EventBus open(String engine, Path dir) {
        return switch (engine) {
            case "h2" -> H2EventBus.open(dir.resolve("bus"));
            case "artemis" -> io.bmpipeline.events.ArtemisEventBus.open(dir.resolve("artemis"));
            default -> throw new IllegalArgumentException("engine must be h2 or artemis, got " + engine);
        };
    }

    /** A DHCP lease as the tap publishes it, ~600 bytes of JSON data; device keys cycle over 5,000 devices. */
    static EventEnvelope lease(long i) {
        int device = (int) (i % 5000);
        String mac = String.format("A0:36:9F:%02X:%02X:%02X", device >> 16 & 0xff, device >> 8 & 0xff, device & 0xff);
        ObjectNode data = JsonNodeFactory.instance.objectNode()
                .put("op", "DHCPACK").put("mac", mac).put("ip", "10." + (device / 250) + "." + (device % 250) + ".17")
                .put("hostname", "bmc-" + device).put("vendorClass", "iDRAC9 udhcp 1.36.1")
                .put("serverId", "10.0.0.2").put("xid", Long.toHexString(0x5a5a0000L + i)).put("leaseSeconds", 86400)
                .put("relayAgent", "10." + (device / 250) + ".0.1").put("circuitId", "eth1/1/" + (device % 48))
                .put("remoteId", "leaf-" + (device / 48)).put("giaddr", "10." + (device / 250) + ".0.1")
                .put("observedAt", "2026-12-02T07:00:00Z").put("interface", "bond0.412")
                .put("paramRequestList", "1,3,6,12,15,28,42,43,60,66,67,119,125,128,129,130,131,132,133,134,135,175")
                .put("userClass", "bm-pipeline-pxe").put("clientIdentifier", "01:" + mac.toLowerCase())
                .put("bootFile", "snponly.efi").put("nextServer", "10.0.0.3").put("seen", i);
        return EventEnvelope.of(EventEnvelope.deterministicId("soak", Long.toString(i)), "/bm-pipeline/soak",
                EventTypes.DHCP_LEASE_OBSERVED, "SN" + device, Instant.now(), data);
    }

    static long report(long published, long acked, long t0, Path dir) throws IOException {
        double s = (System.nanoTime() - t0) / 1e9;
        long disk = diskBytes(dir);
        System.out.printf("%d,%d,%.1f,%.0f,%.0f,%.1f,%d%n", published, acked, s, published / s, acked / s, disk / 1e6,
                rssKb() / 1024);
        return disk;
    }

    /** Sum of file sizes under {@code dir}; the broker renames and deletes files meanwhile, so retry a walk that trips. */
    static long diskBytes(Path dir) throws IOException {
        for (int tries = 0; ; tries++) {
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                if (tries == 5) {
                    throw e;
                }
            }
        }
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
