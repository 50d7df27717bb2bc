package io.bmpipeline.events;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** One topic of the event bus; consumers name their group. */
@UriEndpoint(scheme = "bus", title = "bm-pipeline event bus", syntax = "bus:topic", category = Category.MESSAGING,
        firstVersion = "0.1.0")
public class BusEndpoint extends DefaultEndpoint {

    @UriPath(description = "Topic, e.g. bm.dhcp.events")
    private final String topic;

    @UriParam(description = "Consumer group: each group sees every event of the topic once (at least once)")
    private String group = "default";

    @UriParam(description = "Threads of a consumer; one key (device) is never handled by two at once", defaultValue = "1")
    private int concurrentConsumers = 1;

    @UriParam(description = "Milliseconds a consumer thread waits when the topic has nothing due", defaultValue = "100")
    private long idleDelay = 100;

    private final EventBus bus;
    private final RetryPolicy retry;

    BusEndpoint(String uri, BusComponent component, String topic, EventBus bus, RetryPolicy retry) {
        super(uri, component);
        this.topic = topic;
        this.bus = bus;
        this.retry = retry;
    }

    @Override
    public Producer createProducer() {
        return new BusProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        BusConsumer consumer = new BusConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public String getTopic() {
        return topic;
    }

    public String getGroup() {
        return group;
    }

    public void setGroup(String group) {
        this.group = group;
    }

    public int getConcurrentConsumers() {
        return concurrentConsumers;
    }

    public void setConcurrentConsumers(int concurrentConsumers) {
        this.concurrentConsumers = concurrentConsumers;
    }

    public long getIdleDelay() {
        return idleDelay;
    }

    public void setIdleDelay(long idleDelay) {
        this.idleDelay = idleDelay;
    }

    EventBus bus() {
        return bus;
    }

    RetryPolicy retry() {
        return retry;
    }
}
