package io.bmpipeline.netbox;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one way the pipeline reads and writes NetBox: typed records in, typed records out, through four parts —
 * {@link #devices()}, {@link #interfaces()} (with the MAC model), {@link #ipam()} and {@link #journal()}. It owns
 * the connection, the settings and the running version, so callers never see the API generations (MAC field vs
 * MAC objects, v1 vs v2 tokens). Lookups that take many keys go in batches, because NetBox ORs repeated filter
 * values; with {@link Batching} on, concurrent single-object calls share requests ({@link RequestSharing}).
 */
public final class NetBoxClient {

    private final Settings settings;
    /** Shared with the clients {@link #withRetries} makes: the same NetBox, so what one learns, all know. */
    private final AtomicReference<NetBoxVersion> version;
    private final NetBoxApi api;
    private final NetBoxDevices devices;
    private final NetBoxInterfaces interfaces;
    private final NetBoxIpam ipam;
    private final NetBoxJournal journal;

    public NetBoxClient(Settings settings) {
        this(settings, Batching.OFF);
    }

    /**
     * With {@code batching} on, concurrent single-object calls of the per-lease path (device by id,
     * interfaces by MAC, addresses by host or interface, journal reads and writes, IP creation,
     * device PATCH) are served by one bulk request per wave (see {@link Batcher}).
     */
    public NetBoxClient(Settings settings, Batching batching) {
        this(settings, batching, new AtomicReference<>());
    }

    private NetBoxClient(Settings settings, Batching batching, AtomicReference<NetBoxVersion> version) {
        this.settings = settings;
        this.version = version;
        this.api = new NetBoxApi(new NetBoxHttp(settings.url(), settings.token(), settings.connectTimeout(),
                settings.requestTimeout(), new NetBoxHttp.RetryPolicy(settings.maxRetries(),
                        settings.initialBackoff(), settings.maxBackoff()), settings.pageSize()), version);
        RequestSharing sharing = new RequestSharing(batching);
        this.devices = new NetBoxDevices(api, sharing);
        this.interfaces = new NetBoxInterfaces(api, sharing);
        this.ipam = new NetBoxIpam(api, sharing);
        this.journal = new NetBoxJournal(api, sharing);
    }

    /**
     * At most how many calls share one request, how many requests of one kind may be out at once
     * (calls arriving meanwhile form the next one), and how long the prefix plan is kept.
     */
    public record Batching(int maxBatch, int maxInFlight, Duration prefixCacheAge) {
        public static final Batching OFF = new Batching(1, 1, Duration.ZERO);

        public Batching {
            if (maxBatch < 1 || maxBatch > NetBoxApi.BATCH || maxInFlight < 1) {
                throw new IllegalArgumentException("batch size must be 1.." + NetBoxApi.BATCH
                        + " and in-flight at least 1, were " + maxBatch + ", " + maxInFlight);
            }
        }

        boolean on() {
            return maxBatch > 1;
        }
    }

    /** Connection settings; the token never appears in {@link #toString()}. */
    public record Settings(URI url, NetBoxToken token, Duration connectTimeout, Duration requestTimeout,
                           int maxRetries, Duration initialBackoff, Duration maxBackoff, int pageSize) {

        /** NetBox's default MAX_PAGE_SIZE: the fewest round trips a stock NetBox allows. */
        public static final int MAX_PAGE_SIZE = 1000;

        public static Settings of(URI url, NetBoxToken token) {
            return new Settings(url, token, Duration.ofSeconds(5), Duration.ofSeconds(30), 4,
                    Duration.ofMillis(200), Duration.ofSeconds(5), MAX_PAGE_SIZE);
        }

        public Settings withRetries(int retries) {
            return new Settings(url, token, connectTimeout, requestTimeout, retries, initialBackoff, maxBackoff, pageSize);
        }

        public Settings withPageSize(int size) {
            return new Settings(url, token, connectTimeout, requestTimeout, maxRetries, initialBackoff, maxBackoff, size);
        }
    }

    public NetBoxDevices devices() {
        return devices;
    }

    public NetBoxInterfaces interfaces() {
        return interfaces;
    }

    public NetBoxIpam ipam() {
        return ipam;
    }

    public NetBoxJournal journal() {
        return journal;
    }

    public URI url() {
        return api.http().base();
    }

    public NetBoxToken.Kind tokenKind() {
        return settings.token().kind();
    }

    /** The same NetBox with another retry budget: a health probe must answer now, not in 20 s. */
    public NetBoxClient withRetries(int retries) {
        return new NetBoxClient(settings.withRetries(retries), Batching.OFF, version);
    }

    /** Reads the version from {@code /api/status/} once; later calls reuse it. */
    public NetBoxVersion version() {
        return api.version();
    }

    /** Re-reads {@code /api/status/}: for health checks, which must see NetBox as it is now. */
    public NetBoxVersion refreshVersion() {
        return api.refreshVersion();
    }

    /** The wire layer, for the test fixture that seeds sites and device types through the same API. */
    NetBoxHttp http() {
        return api.http();
    }
}
