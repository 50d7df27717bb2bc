package io.bmpipeline.discovery;

import io.bmpipeline.config.PipelineConfig;
import io.bmpipeline.lifecycle.FlapLimiter;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.NetBoxClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;

/** The discovery route's beans, by the names the YAML routes use. */
@ApplicationScoped
public class DiscoveryBeans {

    @Produces
    @Singleton
    @Named("discoveryDecider")
    DiscoveryDecider decider(NetBoxClient netbox, BmcInterfacePattern pattern, PipelineConfig config) {
        return new DiscoveryDecider(netbox, pattern, new BmcFilter(config.bmc().ouiPrefixes().orElse(List.of()),
                config.bmc().vendorClasses().orElse(List.of())));
    }

    /** 4,096 locks: a burst of thousands of devices rarely has two share one, and the array stays 4,096 long. */
    @Produces
    @Singleton
    @Named("deviceLocks")
    DeviceLocks deviceLocks() {
        return new DeviceLocks(4096);
    }

    @Produces
    @Singleton
    @Named("discoveryWriter")
    DiscoveryWriter writer(NetBoxClient netbox, PipelineConfig config) {
        return new DiscoveryWriter(netbox,
                new FlapLimiter(config.discovery().flapWindow(), config.discovery().flapTrackedDevices()),
                Clock.systemUTC());
    }
}
