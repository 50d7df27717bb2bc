package io.bmpipeline.events;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQExceptionType;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.filter.Filter;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.MessageReference;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.impl.AddressInfo;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/**
 * PROTOTYPE (docs/event-bus-engines.md): {@link EventBus} on an embedded ActiveMQ Artemis broker, in-VM only.
 * Topic = multicast address; group = durable queue {@code topic.group}; key = message group ({@code _AMQ_GROUP_ID});
 * event id = duplicate id ({@code _AMQ_DUPL_ID}); {@link RetryPolicy} = the topic's redelivery delay, multiplier 2,
 * max delay and max delivery attempts; dead letters go to {@code DLA.topic}, one filtered queue per group.
 * Each consumer thread has its own session and consumer (a session is single-threaded), window 0 (no prefetch).
 * Not supported: a new group does not see events published before it existed; {@code now} is ignored (broker
 * clock); one retry policy per topic, not per group.
 */
public final class ArtemisEventBus implements EventBus {

    private static final AtomicInteger VM_IDS = new AtomicInteger();
    private static final SimpleString ORIG_QUEUE = SimpleString.of("_AMQ_ORIG_QUEUE");
    private static final String REDRIVEN = "bm_redriven";

    private final ActiveMQServer server;
    private final ServerLocator locator;
    private final ClientSessionFactory factory;
    private final ClientSession publishSession;
    private final ClientProducer producer;
    private final ReentrantLock publishLock = new ReentrantLock();
    private final Map<String, ArtemisSubscription> subscriptions = new ConcurrentHashMap<>();
    private final List<ClientSession> sessions = new CopyOnWriteArrayList<>();
    private final boolean retention;
    private final Path dir;

    /** Sync on: publish returns after the journal's fdatasync. System properties tune the journal for the bench. */
    public static ArtemisEventBus open(Path dir) {
        return open(dir, !Boolean.getBoolean("bm.artemis.nosync"), Boolean.getBoolean("bm.artemis.retention"));
    }

    public static ArtemisEventBus open(Path dir, boolean sync, boolean retention) {
        try {
            return new ArtemisEventBus(dir.toAbsolutePath(), sync, retention);
        } catch (Exception e) {
            throw new EventBusException("cannot start the embedded broker in " + dir + ": " + e, e);
        }
    }

    private ArtemisEventBus(Path dir, boolean sync, boolean retention) throws Exception {
        this.retention = retention;
        this.dir = dir;
        String vm = "vm://" + VM_IDS.incrementAndGet();
        ConfigurationImpl config = new ConfigurationImpl();
        config.setPersistenceEnabled(true).setSecurityEnabled(false).setJMXManagementEnabled(false)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large").toString())
                .setJournalSyncTransactional(sync).setJournalSyncNonTransactional(sync)
                .setPersistDeliveryCountBeforeDelivery(true) // attempt 1 stays a promise across restarts
                .setIDCacheSize(Integer.getInteger("bm.artemis.idCache", 100_000)).setPersistIDCache(true)
                .addAcceptorConfiguration("in-vm", vm);
        config.setJournalBufferTimeout_NIO(Integer.getInteger("bm.artemis.bufferTimeoutNanos",
                config.getJournalBufferTimeout_NIO()));
        if (retention) {
            config.setJournalRetentionDirectory(dir.resolve("history").toString());
            config.setJournalRetentionPeriod(java.util.concurrent.TimeUnit.DAYS, 30);
        }
        // Page to disk beyond 16 MiB per address: memory stays bounded however far consumers fall behind.
        config.addAddressSetting("#", new AddressSettings().setMaxSizeBytes(16L << 20).setPageSizeBytes(1 << 20)
                .setAddressFullMessagePolicy(AddressFullMessagePolicy.PAGE)
                .setAutoCreateAddresses(false).setAutoCreateQueues(false));
        server = ActiveMQServers.newActiveMQServer(config, true); // true = persistence (not JMX)
        server.start();
        locator = ActiveMQClient.createServerLocator(vm).setBlockOnDurableSend(true).setConsumerWindowSize(Integer.getInteger("bm.artemis.window", 0))
                .setAckBatchSize(0);
        factory = locator.createSessionFactory();
        publishSession = session(false, true); // transacted sends: a duplicate id fails the commit, so we can tell
        producer = publishSession.createProducer();
    }

    private ClientSession session(boolean autoCommitSends, boolean autoCommitAcks) throws ActiveMQException {
        ClientSession session = factory.createSession(autoCommitSends, autoCommitAcks);
        session.start();
        sessions.add(session);
        return session;
    }

    private void ensureAddress(String address) throws Exception {
        if (server.getAddressInfo(SimpleString.of(address)) == null) {
            server.addAddressInfo(new AddressInfo(SimpleString.of(address), RoutingType.MULTICAST));
        }
    }

    @Override
    public Published publish(String topic, EventEnvelope envelope) {
        Objects.requireNonNull(envelope, "envelope");
        publishLock.lock();
        try {
            ensureAddress(topic);
            ClientMessage message = publishSession.createMessage(true);
            message.putStringProperty(Message.HDR_GROUP_ID, SimpleString.of(envelope.partitionKey()));
            message.putStringProperty(Message.HDR_DUPLICATE_DETECTION_ID, SimpleString.of(envelope.id()));
            message.putStringProperty("type", envelope.type());
            message.getBodyBuffer().writeString(envelope.toJson());
            producer.send(topic, message);
            publishSession.commit();
            return Published.STORED;
        } catch (ActiveMQException e) {
            if (e.getType() == ActiveMQExceptionType.DUPLICATE_ID_REJECTED
                    || e.getType() == ActiveMQExceptionType.TRANSACTION_ROLLED_BACK) {
                rollbackQuietly(publishSession);
                return Published.DUPLICATE;
            }
            rollbackQuietly(publishSession);
            throw new EventBusException("event " + envelope.id() + " on " + topic + " not stored: " + e, e);
        } catch (Exception e) {
            throw new EventBusException("event " + envelope.id() + " on " + topic + " not stored: " + e, e);
        } finally {
            publishLock.unlock();
        }
    }

    /** One publish after another: the prototype has no batch write of its own. */
    @Override
    public List<Published> publishAll(String topic, List<EventEnvelope> envelopes) {
        List<Published> results = new java.util.ArrayList<>(envelopes.size());
        for (EventEnvelope envelope : envelopes) {
            results.add(publish(topic, envelope));
        }
        return results;
    }

    /** The broker deletes acknowledged messages itself; with journal retention, its own period and size bound it. */
    @Override
    public long prune(Retention retention, java.time.Instant now) {
        return 0;
    }

    @Override
    public Storage storage() {
        try (var files = java.nio.file.Files.walk(dir)) {
            long size = files.filter(java.nio.file.Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            return new Storage(dir, size, java.nio.file.Files.getFileStore(dir).getUsableSpace());
        } catch (java.io.IOException e) {
            throw new EventBusException("artemis store " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Subscription subscribe(String topic, String group, RetryPolicy retry) {
        return subscriptions.computeIfAbsent(topic + "." + group, queue -> {
            try {
                ensureAddress(topic);
                String dla = "DLA." + topic;
                ensureAddress(dla);
                server.getAddressSettingsRepository().addMatch(topic, new AddressSettings()
                        .setMaxSizeBytes(16L << 20).setPageSizeBytes(1 << 20)
                        .setAddressFullMessagePolicy(AddressFullMessagePolicy.PAGE)
                        .setRedeliveryDelay(retry.initialBackoff().toMillis()).setRedeliveryMultiplier(2.0)
                        .setMaxRedeliveryDelay(retry.maxBackoff().toMillis())
                        .setMaxDeliveryAttempts(retry.maxAttempts() == RetryPolicy.UNLIMITED ? -1 : retry.maxAttempts())
                        .setDeadLetterAddress(SimpleString.of(dla)));
                server.createQueue(QueueConfiguration.of(queue).setAddress(topic).setRoutingType(RoutingType.MULTICAST)
                        .setDurable(true), true);
                server.createQueue(QueueConfiguration.of("DLQ." + queue).setAddress(dla)
                        .setRoutingType(RoutingType.MULTICAST).setDurable(true)
                        .setFilterString("_AMQ_ORIG_QUEUE = '" + queue + "'"), true);
                return new ArtemisSubscription(topic, group, queue, retry);
            } catch (Exception e) {
                throw new EventBusException("cannot subscribe " + group + " to " + topic + ": " + e, e);
            }
        });
    }

    @Override
    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    /** Journal retention + server.replay into a private queue, read with a consumer, then dropped. */
    @Override
    public void replay(String topic, String type, Consumer<LoggedEvent> reader) {
        if (!retention) {
            throw new UnsupportedOperationException("replay needs journal retention (-Dbm.artemis.retention=true)");
        }
        String target = "replay." + java.util.UUID.randomUUID();
        try {
            ensureAddress(target);
            server.createQueue(QueueConfiguration.of(target).setAddress(target).setRoutingType(RoutingType.MULTICAST)
                    .setDurable(false));
            server.replay(null, null, topic, target, "type = '" + type.replace("'", "''") + "'");
            ClientSession session = session(true, true);
            try (ClientConsumer consumer = session.createConsumer(target)) {
                ClientMessage m;
                while ((m = consumer.receiveImmediate()) != null) {
                    m.individualAcknowledge();
                    reader.accept(new LoggedEvent(topic, m.getMessageID(), Instant.ofEpochMilli(m.getTimestamp()),
                            EventEnvelope.parse(m.getBodyBuffer().readString())));
                }
            } finally {
                session.close();
                sessions.remove(session);
                server.destroyQueue(SimpleString.of(target));
                server.removeAddressInfo(SimpleString.of(target), null);
            }
        } catch (Exception e) {
            throw new EventBusException("cannot replay " + topic + ": " + e, e);
        }
    }

    @Override
    public void close() {
        // A clean session close counts in-flight messages as never delivered (attempt 1 again after restart):
        // roll them back as delivered first, so "attempt 1" stays a promise.
        for (ArtemisSubscription subscription : subscriptions.values()) {
            for (var held : subscription.inFlight.values()) {
                rollbackQuietly(held.worker().session, true);
            }
        }
        for (ClientSession session : sessions) {
            try {
                session.close();
            } catch (ActiveMQException ignored) {
                // stopping anyway
            }
        }
        factory.close();
        locator.close();
        try {
            server.stop();
        } catch (Exception e) {
            throw new EventBusException("broker did not stop cleanly: " + e, e);
        }
    }

    private static void rollbackQuietly(ClientSession session) {
        rollbackQuietly(session, false);
    }

    private static void rollbackQuietly(ClientSession session, boolean delivered) {
        try {
            session.rollback(delivered);
        } catch (ActiveMQException ignored) {
            // the original failure is what matters
        }
    }

    /** One consumer group. Each polling thread gets its own session and consumer (window 0). */
    private final class ArtemisSubscription implements Subscription {

        private final String topic;
        private final String group;
        private final String queue;
        private final RetryPolicy retry;
        private final ThreadLocal<Worker> workers = ThreadLocal.withInitial(this::newWorker);
        /** In-memory only: Artemis keeps no failure reasons. Lost on restart. */
        private final Map<Long, String> failures = new ConcurrentHashMap<>();
        private final Map<Long, Held> inFlight = new ConcurrentHashMap<>();

        private record Held(Worker worker, ClientMessage message) {}

        private final class Worker {
            final ClientSession session;
            final ClientConsumer consumer;
            ClientMessage stash;

            Worker() throws ActiveMQException {
                session = session(true, true);
                consumer = session.createConsumer(queue);
            }
        }

        ArtemisSubscription(String topic, String group, String queue, RetryPolicy retry) {
            this.topic = topic;
            this.group = group;
            this.queue = queue;
            this.retry = retry;
        }

        private Worker newWorker() {
            try {
                return new Worker();
            } catch (ActiveMQException e) {
                throw new EventBusException("cannot consume " + queue + ": " + e, e);
            }
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public String group() {
            return group;
        }

        @Override
        public void awaitPublication(java.time.Duration max) {
            Worker w = workers.get();
            if (w.stash == null) {
                try {
                    w.stash = w.consumer.receive(Math.max(1, max.toMillis()));
                } catch (ActiveMQException e) {
                    throw new EventBusException("cannot consume " + queue + ": " + e, e);
                }
            }
        }

        @Override
        public Optional<Delivery> poll(Instant now) {
            Worker w = workers.get();
            try {
                ClientMessage m = w.stash != null ? w.stash : w.consumer.receiveImmediate();
                w.stash = null;
                if (m == null) {
                    return Optional.empty();
                }
                // Delivery count is persisted before delivery, so it survives a crash; a redriven letter is never 1.
                int attempt = m.containsProperty(REDRIVEN) ? Math.max(2, m.getDeliveryCount()) : m.getDeliveryCount();
                Delivery d = new Delivery(topic, group, m.getMessageID(), attempt, Instant.ofEpochMilli(m.getTimestamp()),
                        EventEnvelope.parse(m.getBodyBuffer().readString()));
                inFlight.put(d.sequence(), new Held(w, m));
                return Optional.of(d);
            } catch (ActiveMQException | InvalidEnvelopeException e) {
                throw new EventBusException("cannot poll " + queue + ": " + e, e);
            }
        }

        private Held take(Delivery d) {
            Held held = inFlight.remove(d.sequence());
            if (held == null) {
                throw new EventBusException("event #" + d.sequence() + " is not in flight for " + queue);
            }
            return held;
        }

        @Override
        public void ack(Delivery delivery) {
            try {
                take(delivery).message().individualAcknowledge();
                failures.remove(delivery.sequence());
            } catch (ActiveMQException e) {
                throw new EventBusException("cannot ack #" + delivery.sequence() + ": " + e, e);
            }
        }

        /** Rollback: the broker applies the redelivery delay, counts the attempt and dead-letters when exhausted. */
        @Override
        public Outcome retryLater(Delivery delivery, String reason, Instant now) {
            Held held = take(delivery);
            failures.put(delivery.sequence(), reason == null ? "handler failed" : reason);
            try {
                held.worker().session.rollback(true); // true: the message counts as delivered (attempt + 1)
            } catch (ActiveMQException e) {
                throw new EventBusException("cannot roll back #" + delivery.sequence() + ": " + e, e);
            }
            if (retry.exhausted(delivery.attempt())) {
                return new Outcome.DeadLettered(delivery, reason + " (gave up after " + delivery.attempt() + " attempts)");
            }
            return new Outcome.RetryScheduled(delivery, now.plus(retry.backoffAfter(delivery.attempt())), reason);
        }

        /** No "reject to DLQ" in the core API: a copy goes to the group's dead letters, then the original is acked. */
        @Override
        public void deadLetter(Delivery delivery, String reason, Instant now) {
            Held held = take(delivery);
            publishLock.lock();
            try {
                ClientMessage copy = publishSession.createMessage(true);
                copy.putStringProperty(ORIG_QUEUE, SimpleString.of(queue));
                copy.putStringProperty(Message.HDR_GROUP_ID, SimpleString.of(delivery.key()));
                copy.putStringProperty("bm_reason", reason == null ? "handler failed permanently" : reason);
                copy.getBodyBuffer().writeString(delivery.envelope().toJson());
                producer.send("DLA." + topic, copy);
                publishSession.commit();
                held.message().individualAcknowledge();
            } catch (ActiveMQException e) {
                throw new EventBusException("cannot dead-letter #" + delivery.sequence() + ": " + e, e);
            } finally {
                publishLock.unlock();
            }
        }

        @Override
        public Optional<Outcome> handleNext(EventHandler handler, Instant now) {
            Optional<Delivery> polled = poll(now);
            if (polled.isEmpty()) {
                return Optional.empty();
            }
            Delivery delivery = polled.get();
            try {
                handler.handle(delivery);
            } catch (PermanentEventFailure e) {
                deadLetter(delivery, e.getMessage(), now);
                return Optional.of(new Outcome.DeadLettered(delivery, e.getMessage()));
            } catch (Exception e) {
                return Optional.of(retryLater(delivery, e.toString(), now));
            }
            ack(delivery);
            return Optional.of(new Outcome.Acked(delivery));
        }

        private Queue queue(String name) {
            return server.locateQueue(SimpleString.of(name));
        }

        /** Approximate: "now" when anything is ready, else the earliest scheduled redelivery. */
        @Override
        public Optional<Instant> nextAttemptAt() {
            Queue q = queue(queue);
            if (q.getMessageCount() - q.getScheduledCount() - q.getDeliveringCount() > 0) {
                return Optional.of(Instant.now());
            }
            MessageReference first = q.peekFirstScheduledMessage();
            return first == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(first.getScheduledDeliveryTime()));
        }

        /** From the broker's queue counters; waitingRetry counts only retries still in their delay. */
        @Override
        public Status status() {
            Queue q = queue(queue);
            MessageReference first = q.peekFirstMessage();
            Optional<String> last = failures.values().stream().reduce((a, b) -> b);
            return new Status(q.getMessageCount(), q.getScheduledCount(), queue("DLQ." + queue).getMessageCount(), last,
                    first == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(first.getMessage().getTimestamp())));
        }

        /** A browse-only consumer of the group's dead-letter queue. */
        @Override
        public List<DeadLetter> deadLetters() {
            List<DeadLetter> letters = new ArrayList<>();
            try {
                ClientSession session = session(true, true);
                try (ClientConsumer browser = session.createConsumer("DLQ." + queue, true)) {
                    ClientMessage m;
                    while ((m = browser.receiveImmediate()) != null) {
                        Delivery d = new Delivery(topic, group, m.getMessageID(), Math.max(1, m.getDeliveryCount()),
                                Instant.ofEpochMilli(m.getTimestamp()), EventEnvelope.parse(m.getBodyBuffer().readString()));
                        String reason = m.containsProperty("bm_reason") ? m.getStringProperty("bm_reason")
                                : "exceeded max delivery attempts";
                        letters.add(new DeadLetter(d, reason, Instant.ofEpochMilli(m.getTimestamp())));
                    }
                } finally {
                    session.close();
                    sessions.remove(session);
                }
            } catch (ActiveMQException | InvalidEnvelopeException e) {
                throw new EventBusException("cannot list dead letters of " + queue + ": " + e, e);
            }
            return letters;
        }

        /** The broker's own "retry" (management's retryMessage): back to the original queue only. */
        @Override
        public boolean redrive(long sequence) {
            try {
                return queue("DLQ." + queue).retryMessages(new ById(sequence)) > 0;
            } catch (Exception e) {
                throw new EventBusException("cannot redrive #" + sequence + " of " + queue + ": " + e, e);
            }
        }
    }

    /** Matches one message by broker id; marks it redriven so its next delivery reports attempt ≥ 2. */
    private record ById(long id) implements Filter {
        @Override
        public boolean match(Message message) {
            if (message.getMessageID() != id) {
                return false;
            }
            message.putBooleanProperty(REDRIVEN, true);
            return true;
        }

        @Override
        public boolean match(Map<String, String> map) {
            return false;
        }

        @Override
        public boolean match(org.apache.activemq.artemis.selector.filter.Filterable filterable) {
            return false;
        }

        @Override
        public SimpleString getFilterString() {
            return SimpleString.of("AMQMessageID = " + id);
        }
    }
}
