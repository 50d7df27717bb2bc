package io.bmpipeline.netbox;

import io.bmpipeline.config.PipelineConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jboss.logging.Logger;

/** Builds the one {@link NetBoxClient} of the application from the validated configuration. */
@ApplicationScoped
public class NetBoxClientProducer {

    private static final Logger LOG = Logger.getLogger(NetBoxClientProducer.class);

    /**
     * Builds both when the service starts, so a missing token or a bad pattern stops it at once, naming the key.
     * An operator's command (or {@code --help}) builds them only if it uses them.
     */
    void checkAtStart(@Observes StartupEvent start, io.bmpipeline.cli.CommandMode mode,
                      jakarta.enterprise.inject.Instance<NetBoxClient> client,
                      jakarta.enterprise.inject.Instance<BmcInterfacePattern> bmcPattern) {
        if (!mode.serving()) {
            return;
        }
        NetBoxClient netbox = client.get();
        BmcInterfacePattern pattern = bmcPattern.get();
        LOG.infof("NetBox %s with a %s token; BMC interfaces match %s, on devices of %s", netbox.url(), netbox.tokenKind(),
                pattern.pattern(), pattern.deviceRoles().isEmpty() ? "every role"
                        : "the roles " + pattern.deviceRoles().stream().sorted().toList());
        // The version decides the API dialect (MAC model, field selection). Learned in the background: a NetBox
        // that is down at start must not hold the service up (leases wait on the bus); readiness probes retry it.
        Thread.ofVirtual().name("netbox-version").start(() -> {
            try {
                LOG.infof("NetBox version %s", netbox.withRetries(0).version());
            } catch (RuntimeException e) {
                LOG.warnf("NetBox version not known yet (%s); the readiness check keeps asking", e.getMessage());
            }
        });
    }

    @Produces
    @Singleton
    NetBoxClient netBoxClient(PipelineConfig config) {
        PipelineConfig.NetBox nb = config.netbox();
        NetBoxToken token = token(nb);
        return new NetBoxClient(new NetBoxClient.Settings(nb.url(), token, nb.connectTimeout(), nb.requestTimeout(),
                nb.maxRetries(), nb.initialBackoff(), nb.maxBackoff(), NetBoxClient.Settings.MAX_PAGE_SIZE),
                new NetBoxClient.Batching(nb.batchSize(), nb.batchConcurrency(), nb.prefixCacheAge()));
    }

    @Produces
    @Singleton
    BmcInterfacePattern bmcInterfacePattern(PipelineConfig config) {
        String regex = config.bmc().interfacePattern();
        try {
            return new BmcInterfacePattern(Pattern.compile(regex), java.util.Set.copyOf(config.bmc().deviceRoles()
                    .orElse(java.util.List.of()).stream().map(String::strip).filter(r -> !r.isEmpty()).toList()));
        } catch (PatternSyntaxException e) {
            throw new IllegalStateException("bm.bmc.interface-pattern is not a valid regular expression: " + e.getMessage(), e);
        }
    }

    static NetBoxToken token(PipelineConfig.NetBox nb) {
        if (nb.token().isPresent() && nb.tokenFile().isPresent()) {
            throw new IllegalStateException("set only one of bm.netbox.token and bm.netbox.token-file");
        }
        if (nb.token().isPresent()) {
            try {
                return new NetBoxToken(nb.token().get());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("bm.netbox.token: " + e.getMessage(), e);
            }
        }
        if (nb.tokenFile().isPresent()) {
            try {
                return new NetBoxToken(Files.readString(nb.tokenFile().get(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("bm.netbox.token-file: cannot read " + nb.tokenFile().get() + ": " + e, e);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("bm.netbox.token-file " + nb.tokenFile().get() + ": " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no NetBox API token: set bm.netbox.token-file (or BM_NETBOX_TOKEN_FILE), "
                + "or bm.netbox.token (BM_NETBOX_TOKEN)");
    }
}
