package io.bmpipeline.dhcp;

import io.bmpipeline.events.EventEnvelope;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.jboss.logging.Logger;

/**
 * Three threads, so that reading the wire never waits for the disk. The reader drains the capture as fast as frames
 * come, through the {@link LeaseTap}, into a bounded in-memory queue; the spooler takes everything queued, appends the
 * leases to the interface's {@link LeaseSpool} and syncs it (one fdatasync per group, a millisecond or so), then
 * passes them on; the writer hands what the spooler passed (up to {@link #MAX_BATCH} leases) to the route as one
 * {@link LeaseBatch}, which the bus stores in one durable write, and then tells the spool. A lease is thus in memory
 * only until its group is synced, not for as long as the bus and its consumers take; what the spool holds at a start
 * is published first. Without a spool (none configured) leases are in memory until the bus stored them.
 * A full queue makes the reader wait and the kernel's capture ring takes the rest.
 *
 * <p>A bad frame is counted and dropped; a batch the route could not store is retried until it is (readiness shows
 * the bus's state meanwhile); a spool that cannot be written is said once and bypassed until it works again; kernel
 * drops are counted and logged once a second while they happen; a live capture that fails (the interface went down
 * or away) is reopened with backoff; nothing ends the loops but stopping the route (or the end of a replay). Stopping
 * drains what was read before the threads end; what the bus did not take stays in the spool.
 */
final class DhcpConsumer extends DefaultConsumer {

    /** Header naming what the exchange carries: {@code LEASES} (a {@link LeaseBatch}) or {@code SPOOFED}. */
    static final String OUTCOME = "bmTapOutcome";
    /** Leases per durable write at most. */
    static final int MAX_BATCH = 2_000;
    /** Leases read and not yet written, at most; beyond, the reader waits and the kernel buffers. */
    static final int MAX_QUEUED = 200_000;

    private static final Logger LOG = Logger.getLogger(DhcpConsumer.class);
    private static final Duration FIRST_REOPEN_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_REOPEN_DELAY = Duration.ofSeconds(30);
    private static final Duration STORE_RETRY = Duration.ofSeconds(1);
    private static final Duration DROP_CHECK = Duration.ofSeconds(1);

    private final DhcpEndpoint endpoint;
    private final LeaseTap tap;
    /** What the reader read, for the spooler. */
    private final BlockingQueue<TapOutcome> read = new ArrayBlockingQueue<>(MAX_QUEUED);
    /** What the spool held at the start: the writer stores it before anything new. */
    private final BlockingQueue<EventEnvelope> recovered = new java.util.concurrent.LinkedBlockingQueue<>();
    /** What the spooler passed on, for the writer: leases (spooled or not) and alerts, in the order read. */
    private final BlockingQueue<Ready> ready = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final TapMonitor.Tap monitor;
    /** One warning and one alert per rogue server a minute; every spoofed ACK is still counted by the tap. */
    private final io.bmpipeline.config.OncePerWindow spoofAlerts =
            new io.bmpipeline.config.OncePerWindow(Duration.ofMinutes(1), 1024);
    private volatile boolean reading;
    private volatile boolean spooling;
    private volatile boolean writing;
    /** Items the spooler or the writer took off a queue and has not finished with. */
    private volatile int inSpooler;
    private volatile int inWriter;
    private LeaseSpool spool;
    /** Set while the spool fails: leases then go to the bus from memory, as without a spool. */
    private volatile boolean spoolFailing;
    private ExecutorService readerThread;
    private ExecutorService spoolerThread;
    private ExecutorService writerThread;

    /** What the spooler hands the writer. */
    private sealed interface Ready {}

    private record ReadyLease(EventEnvelope envelope, boolean spooled) implements Ready {}

    private record ReadyAlert(DhcpMessage ack) implements Ready {}

    DhcpConsumer(DhcpEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.tap = endpoint.newTap();
        this.monitor = endpoint.monitor().tap(endpoint.getInterfaceName(), tap::leases, tap::spoofed,
                () -> recovered.size() + read.size() + inSpooler + ready.size() + inWriter);
        this.monitor.countFrames(tap);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        Optional<java.nio.file.Path> spoolDirectory = endpoint.spoolDirectory();
        if (spoolDirectory.isPresent()) {
            LeaseSpool.Opened opened = LeaseSpool.open(spoolDirectory.get(), endpoint.getInterfaceName());
            spool = opened.spool();
            if (!opened.recovered().isEmpty()) {
                LOG.infof("dhcp:%s %d lease(s) read before the last stop, not known stored: publishing them first",
                        endpoint.getInterfaceName(), opened.recovered().size());
                recovered.addAll(opened.recovered());
            }
        } else if (endpoint.replayPath().isEmpty()) { // a replay can be run again
            LOG.warnf("dhcp:%s no spool (bm.dhcp.spool is empty): leases read and not yet on the bus are lost by a "
                    + "crash", endpoint.getInterfaceName());
        }
        FrameSource source;
        try {
            source = openSource();
        } catch (IOException | RuntimeException e) {
            if (spool != null) {
                spool.close();
                spool = null;
            }
            throw e;
        }
        reading = true;
        spooling = true;
        writing = true;
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        writerThread = executors.newSingleThreadExecutor(this, "dhcp-store-" + endpoint.getInterfaceName());
        writerThread.submit(() -> {
            writeRecovered();
            if (!Thread.currentThread().isInterrupted()) {
                drainLoop(ready, () -> writing, n -> inWriter = n, this::write);
            }
        });
        spoolerThread = executors.newSingleThreadExecutor(this, "dhcp-spool-" + endpoint.getInterfaceName());
        spoolerThread.submit(() -> drainLoop(read, () -> spooling, n -> inSpooler = n, this::spool));
        readerThread = executors.newSingleThreadExecutor(this, "dhcp-tap-" + endpoint.getInterfaceName());
        readerThread.submit(() -> readLoop(source));
    }

    private FrameSource openSource() throws IOException {
        Optional<java.nio.file.Path> replay = endpoint.replayPath();
        if (replay.isPresent()) {
            LOG.infof("dhcp:%s replaying %s", endpoint.getInterfaceName(), replay.get());
            return PcapReader.open(replay.get());
        }
        return LiveCaptures.open(endpoint.getInterfaceName(), endpoint.getBufferSize());
    }

    @Override
    protected void doStop() throws Exception {
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        reading = false;
        if (readerThread != null) {
            executors.shutdownGraceful(readerThread, 5_000);
        }
        spooling = false; // the spooler empties its queue, then ends
        if (spoolerThread != null) {
            executors.shutdownGraceful(spoolerThread, 5_000);
        }
        writing = false; // the writer empties its queue, then ends
        if (writerThread != null) {
            executors.shutdownGraceful(writerThread, 10_000);
        }
        long unspooled = read.size() + ready.stream().filter(r -> r instanceof ReadyLease l && !l.spooled()).count();
        if (unspooled > 0) {
            LOG.errorf("dhcp:%s stopped with %d lease(s) read but neither spooled nor stored", endpoint.getInterfaceName(),
                    unspooled);
        }
        if (spool != null) {
            if (spool.pending() > 0) {
                LOG.warnf("dhcp:%s stopped with %d lease(s) in %s not yet on the bus: published at the next start",
                        endpoint.getInterfaceName(), spool.pending(), spool.file());
            }
            spool.close();
            spool = null;
        }
        super.doStop();
    }

    // ---- reader ------------------------------------------------------------------------------------------------

    private void readLoop(FrameSource first) {
        FrameSource source = first;
        Duration backoff = FIRST_REOPEN_DELAY;
        while (reading) {
            try (FrameSource open = source) {
                read(open);
                return; // stopped, or the replay ended
            } catch (IOException | RuntimeException e) {
                if (endpoint.replayPath().isPresent()) {
                    LOG.errorf(e, "dhcp:%s replay stopped: %s", endpoint.getInterfaceName(), e.getMessage());
                    return;
                }
                // The message names the call and errno (ENETDOWN, ENODEV …); a stack adds nothing for I/O.
                LOG.errorf(e instanceof IOException ? null : e, "dhcp:%s capture failed (%s); reopening in %s",
                        endpoint.getInterfaceName(), e.getMessage(), backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            // A live interface that went away (driver reset, bond change) comes back: keep trying,
            // with backoff, until it does or the route stops. Frames in between are not seen.
            source = null;
            while (reading && source == null) {
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_REOPEN_DELAY) > 0 ? MAX_REOPEN_DELAY : backoff.multipliedBy(2);
                try {
                    source = openSource();
                    LOG.infof("dhcp:%s capture reopened", endpoint.getInterfaceName());
                    backoff = FIRST_REOPEN_DELAY;
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("dhcp:%s capture cannot reopen yet (%s); next try in %s", endpoint.getInterfaceName(),
                            e.getMessage(), backoff);
                }
            }
        }
        if (source != null) { // opened, never read: the route stopped meanwhile
            try {
                source.close();
            } catch (IOException ignored) {
                // closing a capture we no longer read
            }
        }
    }

    private void read(FrameSource source) throws IOException, InterruptedException {
        long seenDrops = Math.max(source.dropped(), 0);
        long nextDropCheck = System.nanoTime() + DROP_CHECK.toNanos();
        while (reading) {
            Optional<CapturedFrame> frame;
            try {
                frame = source.next(Duration.ofMillis(200));
            } catch (EOFException end) {
                awaitWritten();
                LOG.infof("dhcp:%s replay finished: %d lease(s), %d spoofed ACK(s)", endpoint.getInterfaceName(),
                        tap.leases(), tap.spoofed());
                return;
            }
            if (frame.isPresent()) {
                accept(frame.get());
            }
            if (System.nanoTime() - nextDropCheck >= 0) {
                long total = source.dropped();
                if (total > seenDrops) {
                    monitor.kernelDropped(total - seenDrops, Instant.now());
                    LOG.warnf("dhcp:%s the kernel dropped %d frame(s) in the last second (capture buffer full; "
                                    + "%d since start): raise bm.dhcp.buffer-size", endpoint.getInterfaceName(),
                            total - seenDrops, monitor.kernelDrops());
                    seenDrops = total;
                }
                nextDropCheck = System.nanoTime() + DROP_CHECK.toNanos();
            }
        }
    }

    private void accept(CapturedFrame frame) throws InterruptedException {
        TapOutcome outcome;
        try {
            outcome = tap.accept(frame);
        } catch (RuntimeException e) {
            // The parser is fuzzed not to throw; should it ever, the frame is lost, not the tap.
            LOG.errorf(e, "dhcp:%s frame of %d bytes could not be parsed", endpoint.getInterfaceName(), frame.data().length);
            return;
        }
        switch (outcome) {
            case TapOutcome.Lease lease -> enqueue(lease);
            case TapOutcome.Spoofed spoofed -> enqueue(spoofed);
            case TapOutcome.Ignored ignored -> { }
            case TapOutcome.Dropped dropped -> LOG.debugf("dhcp:%s dropped frame: %s", endpoint.getInterfaceName(), dropped.drop());
        }
    }

    private void enqueue(TapOutcome outcome) throws InterruptedException {
        if (!read.offer(outcome)) {
            LOG.warnf("dhcp:%s %d leases wait for the spool and the bus; reading pauses until they catch up",
                    endpoint.getInterfaceName(), read.size() + ready.size());
            read.put(outcome);
        }
    }

    /** A replay's end is reported once what it read is stored. */
    private void awaitWritten() throws InterruptedException {
        while (writing && (!recovered.isEmpty() || !read.isEmpty() || inSpooler > 0 || !ready.isEmpty()
                || inWriter > 0)) {
            Thread.sleep(10);
        }
    }

    // ---- spooler and writer: one loop each ----------------------------------------------------------------------------

    /**
     * A stage's thread: takes what {@code queue} holds (waiting up to 200 ms for the first item, then up to
     * {@link #MAX_BATCH} in all) and hands it to {@code stage} in the order queued, until {@code running} turns false
     * and the queue is empty. {@code inStage} is told how many items the stage holds meanwhile (the queue gauge, a
     * replay's end).
     */
    private static <T> void drainLoop(BlockingQueue<T> queue, BooleanSupplier running, IntConsumer inStage,
                                      Stage<T> stage) {
        List<T> taken = new ArrayList<>();
        while (running.getAsBoolean() || !queue.isEmpty()) {
            try {
                T first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
                queue.drainTo(taken, MAX_BATCH - 1);
                inStage.accept(taken.size());
                stage.handle(taken);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                taken.clear();
                inStage.accept(0);
            }
        }
    }

    /** What a stage does with the items it took off its queue. */
    @FunctionalInterface
    private interface Stage<T> {
        void handle(List<T> taken) throws InterruptedException;
    }

    // ---- spooler ---------------------------------------------------------------------------------------------------

    /** One append and one sync for the group's leases, then everything goes on to the writer in the order read. */
    private void spool(List<TapOutcome> taken) throws InterruptedException {
        List<EventEnvelope> leases = new ArrayList<>(taken.size());
        for (TapOutcome outcome : taken) {
            if (outcome instanceof TapOutcome.Lease lease) {
                leases.add(lease.event().toEnvelope());
            }
        }
        boolean spooled = false;
        if (spool != null && !leases.isEmpty()) {
            try {
                spool.append(leases);
                spooled = true;
                if (spoolFailing) {
                    spoolFailing = false;
                    LOG.infof("dhcp:%s the spool %s takes leases again", endpoint.getInterfaceName(), spool.file());
                }
            } catch (java.io.IOException e) {
                if (!spoolFailing) {
                    spoolFailing = true;
                    LOG.errorf("dhcp:%s cannot write the spool %s (%s): leases go to the bus from memory until it "
                            + "works again", endpoint.getInterfaceName(), spool.file(), e.getMessage());
                }
            }
        }
        int next = 0;
        for (TapOutcome outcome : taken) {
            Ready item = switch (outcome) {
                case TapOutcome.Lease lease -> new ReadyLease(leases.get(next++), spooled);
                case TapOutcome.Spoofed spoofed -> new ReadyAlert(spoofed.ack());
                default -> null;
            };
            if (item != null) {
                ready.put(item);
            }
        }
    }

    // ---- writer ------------------------------------------------------------------------------------------------

    /**
     * What the spool held at the start is stored before anything read since, in groups of {@link #MAX_BATCH}; a stop
     * meanwhile leaves the rest in the spool unless new leases wait behind them. Only {@link #doStart} fills
     * {@link #recovered}, before this thread starts.
     */
    private void writeRecovered() {
        List<Ready> taken = new ArrayList<>();
        List<EventEnvelope> batch = new ArrayList<>();
        while (!recovered.isEmpty() && (writing || !ready.isEmpty())) {
            try {
                recovered.drainTo(batch, MAX_BATCH);
                batch.forEach(lease -> taken.add(new ReadyLease(lease, true)));
                inWriter = taken.size();
                write(taken);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
                taken.clear();
                inWriter = 0;
            }
        }
    }

    /** Consecutive leases go as one batch; a spoofed ACK between them goes on its own, in order. */
    private void write(List<Ready> taken) throws InterruptedException {
        List<ReadyLease> leases = new ArrayList<>();
        for (Ready item : taken) {
            switch (item) {
                case ReadyLease lease -> leases.add(lease);
                case ReadyAlert alert -> {
                    storeLeases(leases);
                    leases.clear();
                    DhcpMessage ack = alert.ack();
                    var admitted = spoofAlerts.admit(ack.sourceMac() + "/" + ack.sourceIp(), ack.capturedAt());
                    if (admitted.isPresent()) {
                        LOG.warnf("dhcp:%s ACK from %s (%s) is not from an allowed server: ignored%s",
                                endpoint.getInterfaceName(), ack.sourceIp(), ack.sourceMac(), admitted.getAsLong() == 0
                                        ? "" : " (and " + admitted.getAsLong() + " more from it since its last alert)");
                        emit("SPOOFED", new DhcpAlerts.SpoofedAck(ack, admitted.getAsLong()), 0);
                    }
                }
            }
        }
        storeLeases(leases);
    }

    private void storeLeases(List<ReadyLease> leases) throws InterruptedException {
        if (leases.isEmpty()) {
            return;
        }
        if (emit("LEASES", new LeaseBatch(leases.stream().map(ReadyLease::envelope).toList()), leases.size())
                && spool != null) {
            int spooled = (int) leases.stream().filter(ReadyLease::spooled).count();
            try {
                spool.stored(spooled);
            } catch (java.io.IOException e) {
                LOG.warnf("dhcp:%s cannot empty the spool %s (%s): its leases are published again at the next start",
                        endpoint.getInterfaceName(), spool.file(), e.getMessage());
            }
        }
    }

    /**
     * Runs the route on one exchange; when it fails, says so once and tries again every second until it is stored —
     * giving up would leave them to the spool's next start at best. A stop ends the retries after one more try;
     * true when stored.
     */
    private boolean emit(String kind, Object body, int leases) throws InterruptedException {
        boolean failedBefore = false;
        while (true) {
            long started = System.nanoTime();
            Exchange exchange = createExchange(false);
            exchange.getMessage().setBody(body);
            exchange.getMessage().setHeader(OUTCOME, kind);
            Exception failure;
            try {
                getProcessor().process(exchange);
                failure = exchange.getException();
            } catch (Exception e) {
                failure = e;
            } finally {
                releaseExchange(exchange, false);
            }
            if (failure == null) {
                monitor.stored(leases);
                LOG.debugf("dhcp:%s %d lease(s) stored in %d ms", endpoint.getInterfaceName(), leases,
                        (System.nanoTime() - started) / 1_000_000);
                if (failedBefore) {
                    LOG.infof("dhcp:%s the bus takes leases again; %d stored", endpoint.getInterfaceName(), leases);
                }
                return true;
            }
            if (!writing && failedBefore) {
                LOG.errorf("dhcp:%s stopping: %d lease(s) not stored: %s", endpoint.getInterfaceName(), leases,
                        failure.getMessage());
                return false;
            }
            if (!failedBefore) {
                LOG.errorf("dhcp:%s %s of %d lease(s) not stored, retrying every %s: %s", endpoint.getInterfaceName(),
                        kind.toLowerCase(java.util.Locale.ROOT), leases, STORE_RETRY, failure.getMessage());
                failedBefore = true;
            }
            Thread.sleep(STORE_RETRY);
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reading = false;
        }
    }
}
