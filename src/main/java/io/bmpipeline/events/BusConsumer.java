package io.bmpipeline.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.jboss.logging.Logger;

/**
 * Feeds a topic's due events into the route, one exchange each, on up to {@code concurrentConsumers} workers fed
 * by one dispatcher, and acknowledges an event only when the route finished it without error. A failure is retried with backoff (holding back only
 * that device's later events); a failure the route marks permanent goes to the dead letters. No
 * failure ever stops the loop.
 */
final class BusConsumer extends DefaultConsumer {

    private static final Logger LOG = Logger.getLogger(BusConsumer.class);
    private static final Duration MAX_IDLE = Duration.ofSeconds(10);
    /** How often the dispatcher looks again while workers are busy: their acks free the keys' next events. */
    private static final Duration BUSY_LOOK = Duration.ofMillis(50);

    private final BusEndpoint endpoint;
    private volatile boolean running;
    private ExecutorService dispatcher;
    private ExecutorService workers;
    /** One permit per idle worker. */
    private Semaphore idleWorkers;
    private Subscription subscription;
    private FailureLog failures;

    BusConsumer(BusEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        subscription = endpoint.bus().subscribe(endpoint.getTopic(), endpoint.getGroup(), endpoint.retry());
        failures = new FailureLog(LOG, endpoint.getTopic(), endpoint.getGroup());
        running = true;
        int size = endpoint.getConcurrentConsumers();
        idleWorkers = new Semaphore(size);
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        String name = "bus-" + endpoint.getTopic() + "-" + endpoint.getGroup();
        workers = executors.newFixedThreadPool(this, name, size);
        dispatcher = executors.newSingleThreadExecutor(this, name + "-dispatch");
        dispatcher.submit(this::dispatch);
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (subscription != null) {
            subscription.wakeAll(); // an idle dispatcher waits up to 10 s for a publication otherwise
        }
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        if (dispatcher != null) {
            executors.shutdownGraceful(dispatcher, 10_000);
        }
        if (workers != null) {
            executors.shutdownGraceful(workers, 10_000);
        }
        super.doStop();
    }

    /**
     * One thread looks at the store for as many due events as there are idle workers (one query, however many
     * workers), and hands each to a worker. Idle, it waits for a publication, a retry coming due, or at most a
     * backoff growing to 10 s; while workers are busy it looks again every {@link #BUSY_LOOK}.
     */
    private void dispatch() {
        long idle = endpoint.getIdleDelay();
        int size = endpoint.getConcurrentConsumers();
        while (running) {
            int taken = 0;
            try {
                if (!idleWorkers.tryAcquire(BUSY_LOOK.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                taken = 1 + idleWorkers.drainPermits();
                List<Delivery> due = subscription.pollMany(Instant.now(), taken);
                for (Delivery delivery : due) {
                    workers.submit(() -> {
                        try {
                            handle(delivery);
                        } finally {
                            idleWorkers.release();
                        }
                    });
                }
                idleWorkers.release(taken - due.size());
                taken = 0;
                if (!due.isEmpty()) {
                    idle = endpoint.getIdleDelay();
                    continue;
                }
                Duration pause = Duration.ofMillis(idle);
                if (idleWorkers.availablePermits() < size) {
                    pause = BUSY_LOOK;
                } else {
                    idle = Math.min(idle * 2, MAX_IDLE.toMillis());
                }
                Optional<Instant> next = subscription.nextAttemptAt();
                if (next.isPresent()) {
                    Duration untilDue = Duration.between(Instant.now(), next.get());
                    pause = untilDue.isNegative() ? Duration.ZERO : untilDue.compareTo(pause) < 0 ? untilDue : pause;
                }
                if (!pause.isZero()) {
                    subscription.awaitPublication(pause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                idleWorkers.release(taken);
                // The bus itself failed (disk, database): keep the loop, slow down, say why (once a minute).
                failures.failed("polling", e.getMessage(), Instant.now());
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
                failures.succeeded(Instant.now());
            } else if (isPermanent(failure)) {
                LOG.warnf("bus:%s event %s (%s) dead-lettered: %s", delivery.topic(), delivery.envelope().id(),
                        delivery.envelope().subject(), failure.getMessage());
                subscription.deadLetter(delivery, failure.toString(), Instant.now());
            } else {
                failures.failed("event " + delivery.envelope().id() + " attempt " + delivery.attempt(),
                        failure.getMessage(), Instant.now());
                if (subscription.retryLater(delivery, failure.toString(), Instant.now())
                        instanceof Subscription.Outcome.DeadLettered dead) {
                    LOG.warnf("bus:%s event %s (%s) dead-lettered: %s", delivery.topic(), delivery.envelope().id(),
                            delivery.envelope().subject(), dead.reason());
                }
            }
        } catch (RuntimeException e) {
            // The store could not record how the delivery ended (its key is free again): the event comes again.
            failures.failed("recording event " + delivery.envelope().id() + " done", e.getMessage(), Instant.now());
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
