package io.bmpipeline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The application's bus comes from bm.bus.* and works inside the running application. */
@QuarkusTest
@TestProfile(EventBusProducerTest.WithoutNetBox.class)
class EventBusProducerTest {

    /**
     * The bus needs no NetBox; the application only checks at start that a token is configured, so a well-formed
     * token that is never used stands in for one.
     */
    public static class WithoutNetBox implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bm.netbox.token", "0123456789abcdef0123456789abcdef01234567");
        }
    }

    @Inject
    EventBus bus;

    @Inject
    EventBusConfig config;

    @Test
    void theApplicationBusIsTheEmbeddedStoreAtTheConfiguredPath() {
        // The bean is lazy (a client proxy), so an operator's command that never touches the bus never locks it.
        H2EventBus h2 = assertInstanceOf(H2EventBus.class, io.quarkus.arc.ClientProxy.unwrap(bus));
        assertEquals(Path.of("target/test-bus/bus").toAbsolutePath().normalize(), h2.path());
        assertEquals(new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofMinutes(5), EventBusConfig.RETRY_JITTER),
                config.retryPolicy());

        String group = "producer-test-" + UUID.randomUUID();
        Subscription subscription = bus.subscribe(Topics.DEVICE_STATE, group, config.retryPolicy());
        // A new group starts from the oldest event: acknowledge what earlier runs left on the topic.
        Optional<Delivery> old;
        while ((old = subscription.poll(Instant.now())).isPresent()) {
            subscription.ack(old.get());
        }
        EventEnvelope event = EventEnvelope.of(UUID.randomUUID().toString(), "/bm-pipeline/test",
                EventTypes.DEVICE_STATE_CHANGED, "MXP1111111", Instant.now(),
                JsonNodeFactory.instance.objectNode().put("to", "discovered"));
        assertEquals(EventBus.Published.STORED, bus.publish(Topics.DEVICE_STATE, event));
        Delivery delivery = subscription.poll(Instant.now()).orElseThrow();
        assertEquals(event, delivery.envelope());
        subscription.ack(delivery);
    }
}
