package io.bmpipeline.dhcp;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What each running tap did, for readiness and metrics: leases read and made durable, leases waiting in memory for
 * their write, and the frames the kernel dropped because the capture socket's buffer was full. Meters (Micrometer):
 * {@code bm_dhcp_leases_read_total}, {@code bm_dhcp_leases_stored_total}, {@code bm_dhcp_kernel_drops_total},
 * {@code bm_dhcp_spoofed_acks_total}, the gauge {@code bm_dhcp_leases_queued}, every frame the tap read by what became
 * of it, {@code bm_dhcp_frames_total{outcome, reason}} (outcome {@code lease}, {@code spoofed}, {@code ignored} or
 * {@code dropped}; reason the {@link TapOutcome.IgnoreReason} or {@link DropReason} in lower case, {@code none} for
 * the first two), and the leases per durable write, {@code bm_dhcp_batch_leases}; each tagged with the interface.
 */
@ApplicationScoped
public class TapMonitor {

    private final Map<String, Tap> taps = new ConcurrentHashMap<>();
    private final Optional<MeterRegistry> meters;

    @Inject
    public TapMonitor(Instance<MeterRegistry> meters) {
        this.meters = meters.isResolvable() ? Optional.of(meters.get()) : Optional.empty();
    }

    /** Without meters: for a tap run outside the application (tests, tools). */
    public TapMonitor() {
        this.meters = Optional.empty();
    }

    /**
     * The counters of the tap on {@code interfaceName}, created (and its meters registered) on first use. Leases read
     * and spoofed ACKs are the tap's own counts ({@link LeaseTap}); what waits is the consumer's queue.
     */
    public Tap tap(String interfaceName, LongSupplier read, LongSupplier spoofed, IntSupplier queued) {
        return taps.compute(interfaceName, (name, existing) -> {
            Tap tap = existing != null ? existing : new Tap(name);
            tap.read = read;
            tap.spoofed = spoofed;
            tap.queued = queued;
            if (existing == null) {
                meters.ifPresent(registry -> tap.register(registry));
            }
            return tap;
        });
    }

    public List<Tap> taps() {
        return List.copyOf(taps.values());
    }

    /** One tap's counters; written by its threads, read by anyone. */
    public static final class Tap {

        private final String interfaceName;
        private volatile LongSupplier read = () -> 0;
        private volatile LongSupplier spoofed = () -> 0;
        private final AtomicLong stored = new AtomicLong();
        private final AtomicLong kernelDrops = new AtomicLong();
        private final AtomicReference<Instant> lastDrop = new AtomicReference<>();
        private volatile IntSupplier queued = () -> 0;
        /** The running consumer's tap, whose frame counts the meters read; empty until one runs. */
        private final AtomicReference<LeaseTap> frames = new AtomicReference<>();
        private final AtomicReference<DistributionSummary> batches = new AtomicReference<>();

        Tap(String interfaceName) {
            this.interfaceName = interfaceName;
        }

        private void register(MeterRegistry registry) {
            FunctionCounter.builder("bm.dhcp.leases.read", this, Tap::read).tag("interface", interfaceName)
                    .description("Leases the tap read off the wire (after dedup and the allowlist)").register(registry);
            FunctionCounter.builder("bm.dhcp.leases.stored", stored, AtomicLong::get).tag("interface", interfaceName)
                    .description("Leases made durable on the bus").register(registry);
            FunctionCounter.builder("bm.dhcp.spoofed.acks", this, Tap::spoofed).tag("interface", interfaceName)
                    .description("ACKs from servers not on the allowlist").register(registry);
            FunctionCounter.builder("bm.dhcp.kernel.drops", kernelDrops, AtomicLong::get).tag("interface", interfaceName)
                    .description("Frames the kernel dropped because the capture socket's buffer was full")
                    .register(registry);
            Gauge.builder("bm.dhcp.leases.queued", this, Tap::queued).tag("interface", interfaceName)
                    .description("Leases read and waiting for their durable write").register(registry);
            frameCounter(registry, "lease", "none", t -> t.leases());
            frameCounter(registry, "spoofed", "none", t -> t.spoofed());
            for (TapOutcome.IgnoreReason reason : TapOutcome.IgnoreReason.values()) {
                frameCounter(registry, "ignored", reason.name().toLowerCase(java.util.Locale.ROOT), t -> t.ignored(reason));
            }
            for (DropReason reason : DropReason.values()) {
                frameCounter(registry, "dropped", reason.name().toLowerCase(java.util.Locale.ROOT), t -> t.dropped(reason));
            }
            batches.set(DistributionSummary.builder("bm.dhcp.batch.leases").tag("interface", interfaceName)
                    .description("Leases per durable write of the tap").register(registry));
        }

        private void frameCounter(MeterRegistry registry, String outcome, String reason,
                java.util.function.ToLongFunction<LeaseTap> count) {
            FunctionCounter.builder("bm.dhcp.frames", frames, f -> f.get() == null ? 0 : count.applyAsLong(f.get()))
                    .tags("interface", interfaceName, "outcome", outcome, "reason", reason)
                    .description("Frames the tap read, by what became of them").register(registry);
        }

        /** The meters count this tap's frames from now on (a restarted consumer brings a new one). */
        void countFrames(LeaseTap tap) {
            frames.set(tap);
        }

        public String interfaceName() {
            return interfaceName;
        }

        public long read() {
            return read.getAsLong();
        }

        public long stored() {
            return stored.get();
        }

        public long spoofed() {
            return spoofed.getAsLong();
        }

        public long kernelDrops() {
            return kernelDrops.get();
        }

        public int queued() {
            return queued.getAsInt();
        }

        /** When the kernel last dropped frames, if it ever did. */
        public Optional<Instant> lastDrop() {
            return Optional.ofNullable(lastDrop.get());
        }

        /** True when the kernel dropped frames within {@code window} before {@code now}. */
        public boolean droppedWithin(Duration window, Instant now) {
            Instant last = lastDrop.get();
            return last != null && !last.isBefore(now.minus(window));
        }

        void stored(int leases) {
            stored.addAndGet(leases);
            DistributionSummary summary = batches.get();
            if (summary != null && leases > 0) {
                summary.record(leases);
            }
        }

        /** The kernel dropped {@code fresh} more frames (counted by the reader between two reads of its total). */
        void kernelDropped(long fresh, Instant now) {
            if (fresh > 0) {
                kernelDrops.addAndGet(fresh);
                lastDrop.set(now);
            }
        }
    }
}
