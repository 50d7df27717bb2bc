package io.bmpipeline.dhcp;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.jboss.logging.Logger;

/**
 * Owns the capture thread: frames from the source through the {@link LeaseTap}, each lease (and
 * each spoofed ACK) into the route as one exchange, processed before the next frame is read — so
 * a lease is on the durable bus before the tap moves on. A bad frame is counted and dropped; a
 * failing exchange is logged; a live capture that fails (the interface went down or away) is
 * reopened with backoff; nothing ends the loop but stopping the route (or the end of a replay).
 */
final class DhcpConsumer extends DefaultConsumer {

    /** Header naming what the exchange carries: {@code LEASE} or {@code SPOOFED}. */
    static final String OUTCOME = "bmTapOutcome";

    private static final Logger LOG = Logger.getLogger(DhcpConsumer.class);
    private static final Duration FIRST_REOPEN_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_REOPEN_DELAY = Duration.ofSeconds(30);

    private final DhcpEndpoint endpoint;
    private final LeaseTap tap;
    private volatile boolean running;
    private ExecutorService thread;

    DhcpConsumer(DhcpEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.tap = endpoint.newTap();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        FrameSource source = openSource();
        running = true;
        thread = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "dhcp-tap-" + endpoint.getInterfaceName());
        thread.submit(() -> loop(source));
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
        running = false;
        if (thread != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(thread, 5_000);
        }
        super.doStop();
    }

    private void loop(FrameSource first) {
        FrameSource source = first;
        Duration backoff = FIRST_REOPEN_DELAY;
        while (running) {
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
            }
            // A live interface that went away (driver reset, bond change) comes back: keep trying,
            // with backoff, until it does or the route stops. Frames in between are not seen.
            source = null;
            while (running && source == null) {
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

    private void read(FrameSource source) throws IOException {
        while (running) {
            Optional<CapturedFrame> frame;
            try {
                frame = source.next(Duration.ofMillis(200));
            } catch (EOFException end) {
                LOG.infof("dhcp:%s replay finished: %d lease(s), %d spoofed ACK(s)", endpoint.getInterfaceName(),
                        tap.leases(), tap.spoofed());
                return;
            }
            if (frame.isPresent()) {
                handle(frame.get());
            }
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void handle(CapturedFrame frame) {
        TapOutcome outcome;
        try {
            outcome = tap.accept(frame);
        } catch (RuntimeException e) {
            // The parser is fuzzed not to throw; should it ever, the frame is lost, not the tap.
            LOG.errorf(e, "dhcp:%s frame of %d bytes could not be parsed", endpoint.getInterfaceName(), frame.data().length);
            return;
        }
        switch (outcome) {
            case TapOutcome.Lease lease -> emit("LEASE", lease.event());
            case TapOutcome.Spoofed spoofed -> {
                LOG.warnf("dhcp:%s ACK from %s (%s) is not from an allowed server: ignored",
                        endpoint.getInterfaceName(), spoofed.ack().sourceIp(), spoofed.ack().sourceMac());
                emit("SPOOFED", spoofed.ack());
            }
            case TapOutcome.Ignored ignored -> { }
            case TapOutcome.Dropped dropped -> LOG.debugf("dhcp:%s dropped frame: %s", endpoint.getInterfaceName(), dropped.drop());
        }
    }

    private void emit(String kind, Object body) {
        Exchange exchange = createExchange(false);
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader(OUTCOME, kind);
        try {
            getProcessor().process(exchange);
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("dhcp:" + endpoint.getInterfaceName() + " lease not handed on",
                        exchange, exchange.getException());
            }
        } catch (Exception e) {
            getExceptionHandler().handleException("dhcp:" + endpoint.getInterfaceName() + " lease not handed on", exchange, e);
        } finally {
            releaseExchange(exchange, false);
        }
    }
}
