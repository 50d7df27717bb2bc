package io.bmpipeline.manifest;

import io.bmpipeline.config.PipelineConfig;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.NetBoxClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

@ApplicationScoped
public class ManifestBeans {

    @Produces
    @Singleton
    ManifestLoader loader(NetBoxClient netbox, BmcInterfacePattern pattern, PipelineConfig config) {
        return new ManifestLoader(netbox, pattern, config.manifest().concurrency());
    }
}
