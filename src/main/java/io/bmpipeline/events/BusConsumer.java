package io.bmpipeline.events;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.jboss.logging.Logger;

/**
 * Feeds a topic's due events into the route, one exchange each, and acknowledges an event only
 * when the route finished it without error. A failure is retried with backoff (holding back only
 * that device's later events); a failure the route marks permanent goes to the dead letters. No
 * failure ever stops the loop.
 */
final class BusConsumer extends DefaultConsumer {

    private static final Logger LOG = Logger.getLogger(BusConsumer.class);
    private static final Duration MAX_IDLE = Duration.ofSeconds(10);

    private final BusEndpoint endpoint;
    private volatile boolean running;
    private ExecutorService threads;
    private Subscription subscription;

    BusConsumer(BusEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        subscription = endpoint.bus().subscribe(endpoint.getTopic(), endpoint.getGroup(), endpoint.retry());
        running = true;
        threads = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newFixedThreadPool(this, "bus-" + endpoint.getTopic() + "-" + endpoint.getGroup(),
                        endpoint.getConcurrentConsumers());
        for (int i = 0; i < endpoint.getConcurrentConsumers(); i++) {
            threads.submit(this::loop);
        }
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (threads != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(threads, 10_000);
        }
        super.doStop();
    }

    private void loop() {
        long idle = endpoint.getIdleDelay();
        while (running) {
            try {
                Optional<Delivery> next = subscription.poll(Instant.now());
                if (next.isPresent()) {
                    handle(next.get());
                    idle = endpoint.getIdleDelay();
                } else {
                    // Many consumers (discovery runs hundreds) must not poll an idle topic many times a
                    // second each: an idle thread waits for a publication (each wakes one thread), for a
                    // retry coming due, or at most a backoff growing to 10 s.
                    Duration pause = Duration.ofMillis(idle);
                    Optional<Instant> due = subscription.nextAttemptAt();
                    if (due.isPresent()) {
                        Duration untilDue = Duration.between(Instant.now(), due.get());
                        pause = untilDue.isNegative() ? Duration.ZERO : untilDue.compareTo(pause) < 0 ? untilDue : pause;
                    }
                    if (!pause.isZero()) {
                        subscription.awaitPublication(pause);
                    }
                    idle = Math.min(idle * 2, MAX_IDLE.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // The bus itself failed (disk, database): keep the loop, slow down, say why.
                LOG.errorf(e, "bus:%s group %s: polling failed", endpoint.getTopic(), endpoint.getGroup());
                sleepQuietly(Duration.ofSeconds(1));
            }
        }
    }

    private void handle(Delivery delivery) {
        Exchange exchange = createExchange(false);
        exchange.getMessage().setBody(delivery.envelope());
        exchange.getMessage().setHeader(BusHeaders.TOPIC, delivery.topic());
        exchange.getMessage().setHeader(BusHeaders.KEY, delivery.key());
        exchange.getMessage().setHeader(BusHeaders.ATTEMPT, delivery.attempt());
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        Exception failure = exchange.getException();
        try {
            if (failure == null) {
                subscription.ack(delivery);
            } else if (isPermanent(failure)) {
                LOG.warnf("bus:%s event %s dead-lettered: %s", delivery.topic(), delivery.envelope().id(), failure.getMessage());
                subscription.deadLetter(delivery, failure.toString(), Instant.now());
            } else {
                LOG.infof("bus:%s event %s attempt %d failed, will retry: %s", delivery.topic(),
                        delivery.envelope().id(), delivery.attempt(), failure.getMessage());
                subscription.retryLater(delivery, failure.toString(), Instant.now());
            }
        } finally {
            releaseExchange(exchange, false);
        }
    }

    /** Failures that no retry can cure: the route said so, or NetBox refused the content. */
    static boolean isPermanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PermanentEventFailure
                    || t instanceof io.bmpipeline.netbox.NetBoxException.Rejected
                    || t instanceof InvalidEnvelopeException
                    || t instanceof IllegalArgumentException) {
                return true;
            }
        }
        return false;
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
