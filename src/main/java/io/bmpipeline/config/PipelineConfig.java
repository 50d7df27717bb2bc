package io.bmpipeline.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * All of the pipeline's own settings, validated at start: a missing or malformed key stops the
 * service with a message that names it. The NetBox token has no default on purpose.
 */
@ConfigMapping(prefix = "bm")
public interface PipelineConfig {

    NetBox netbox();

    Bmc bmc();

    Discovery discovery();

    Dhcp dhcp();

    Manifest manifest();

    Management management();

    LeaseSightings leaseSightings();

    DeviceCounts deviceCounts();

    Pxe pxe();

    /** Phase 1: the PXE callback API (served on the main HTTP port, {@code quarkus.http.*}) and its verdicts. */
    interface Pxe {
        /**
         * The per-device callback credentials: an H2 MVStore file {@code <path>.mv.db} holding each credential's
         * hash, expiry and device, and {@code <path>.key}, the service's key the credentials are derived with.
         */
        Path credentials();

        /** A credential is refused this long after it was minted (at discovery, or a new run). */
        @WithDefault("24h")
        Duration credentialTtl();

        /**
         * A file holding the site's HMAC secret: requests signed with it ({@code X-BM-Signature}) are accepted for
         * any device. Absent: only per-device credentials are.
         */
        Optional<Path> hmacSecretFile();

        /** A signature whose timestamp is further than this from the service's clock is refused (replay window). */
        @WithDefault("5m")
        Duration hmacMaxSkew();

        /**
         * Bodies larger than this (e.g. 1M, 512K) are refused with 413 before they are read; the HTTP server enforces
         * it ({@code quarkus.http.limits.max-body-size} is set from it in application.properties).
         */
        @WithDefault("1M")
        String maxBodySize();

        /** Seconds a 503 asks the caller to wait ({@code Retry-After}). */
        @WithDefault("5")
        @Min(1)
        int retryAfterSeconds();

        /** The steps a run must pass for the device to be staged. */
        @WithDefault("init,memory,disk,lldp")
        java.util.List<String> requiredSteps();

        /**
         * An interface with no cable planned in NetBox: {@code report} notes it in the step's entry (the step still
         * passes), {@code fail} fails the LLDP step.
         */
        @WithDefault("report")
        UncabledInterfaces uncabledInterfaces();

        /** The least memtester must do for the memory step to pass. */
        @WithDefault("1")
        @Min(1)
        int memoryMinPasses();

        /** Per-device-type floors for fio; a device type without its own uses the defaults. */
        Map<String, DiskFloor> diskFloor();

        /** Consumers applying results to NetBox (one device's results in order). */
        @WithDefault("16")
        @Min(1)
        @Max(256)
        int consumers();

        enum UncabledInterfaces { REPORT, FAIL }

        /** Floors a fio job must reach, by direction; 0 = no floor. */
        interface DiskFloor {
            @WithDefault("0")
            double readKiBps();

            @WithDefault("0")
            double writeKiBps();

            @WithDefault("0")
            double randreadIops();

            @WithDefault("0")
            double randwriteIops();
        }
    }

    /** How often the service counts NetBox's devices per lifecycle status for {@code bm.devices} on the metrics page. */
    interface DeviceCounts {
        @WithDefault("60s")
        Duration every();
    }

    /** Which MACs leased and what discovery decided ({@code io.bmpipeline.reconcile.LeaseSightings}). */
    interface LeaseSightings {
        /** The store, an H2 MVStore file {@code <path>.mv.db}; one process at a time may hold it. */
        Path path();

        /** A MAC that has not leased for this long is dropped from the store. */
        @WithDefault("90d")
        Duration maxAge();
    }

    /** The operator's endpoints ({@code /bm/*}) on the management interface, and how commands reach them. */
    interface Management {
        /**
         * The running service's management interface, as seen from where a command ({@code manifest reconcile},
         * {@code events …}) runs.
         */
        @WithDefault("http://127.0.0.1:9000/")
        URI url();

        /**
         * A file holding the token {@code /bm/*} requires ({@code Authorization: Bearer TOKEN}); commands send it.
         * Without it {@code /bm/*} answers only when the management interface listens on loopback.
         */
        Optional<Path> tokenFile();
    }

    /** Vendor manifests: the watched folder and how hard to push NetBox. */
    interface Manifest {
        /** Batches of 100 rows in flight at once. */
        @WithDefault("2")
        @Min(1)
        @Max(16)
        int concurrency();

        /** Watched folder; files move to done/ or failed/ beside it, with reports. */
        @WithDefault("inbox")
        String inbox();
    }

    /** The DHCP tap: live on an interface, or replaying capture files. */
    interface Dhcp {
        /** Off by default: a service that only takes manifests and callbacks needs no capture privilege. */
        @WithDefault("false")
        boolean enabled();

        /** Interface the local DHCP server sends its ACKs on (the BMC management network). */
        @WithDefault("eth0")
        String interfaceName();

        /** Replay these capture files (a file or a folder) instead of capturing live. */
        Optional<String> pcap();

        /** IPs of the DHCP servers whose ACKs are trusted; absent: all (a warning at start). */
        Optional<java.util.List<String>> servers();

        /** MACs of the DHCP servers whose ACKs are trusted. */
        Optional<java.util.List<String>> serverMacs();

        @WithDefault("60s")
        String dedupWindow();

        @WithDefault("67108864")
        @Min(65536)
        int bufferSize();

        /** Directory of the tap's write-ahead spool; absent (empty): no spool, a crash loses leases not yet on the bus. */
        Optional<String> spool();
    }

    interface Discovery {
        /** At most one journal warning (or IP refresh note) per device per window: a flapping BMC must not flood the journal. */
        @WithDefault("1h")
        Duration flapWindow();

        /** Devices whose flap state is remembered; the oldest is forgotten beyond this. */
        @WithDefault("100000")
        @Min(100)
        int flapTrackedDevices();

        /**
         * Discovery threads: leases of different devices are applied in parallel, one device's in
         * order. They mostly wait on NetBox; with request sharing, more of them in flight means
         * larger shared requests (bm.netbox.batch-size).
         */
        @WithDefault("256")
        @Min(1)
        @Max(1024)
        int consumers();
    }

    interface NetBox {
        /** Base URL, e.g. {@code https://netbox.example.net/}. */
        URI url();

        /** The API token itself; prefer {@link #tokenFile()} so it never sits in a process listing. */
        Optional<String> token();

        /** A file whose content is the API token (a Kubernetes secret mount, a systemd credential). */
        Optional<Path> tokenFile();

        @WithDefault("5s")
        Duration connectTimeout();

        @WithDefault("30s")
        Duration requestTimeout();

        @WithDefault("4")
        @Min(0)
        @Max(20)
        int maxRetries();

        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("5s")
        Duration maxBackoff();

        /**
         * Concurrent single-object calls (many leases in flight) share one bulk request: at most this
         * many per request; 1 switches sharing off (every call its own request).
         */
        @WithDefault("100")
        @Min(1)
        @Max(100)
        int batchSize();

        /**
         * Requests of one kind (e.g. IP creates) out to NetBox at once; calls arriving meanwhile
         * wait and go together as the next request.
         */
        @WithDefault("1")
        @Min(1)
        @Max(16)
        int batchConcurrency();

        /**
         * With sharing on: NetBox's IPv4 prefix plan (which prefix a leased address is recorded in)
         * is read once per this long instead of once per lease; 0 asks NetBox every time.
         */
        @WithDefault("30s")
        Duration prefixCacheAge();
    }

    interface Bmc {
        /**
         * Regular expression found anywhere in an interface name marks it as the BMC interface, beside NetBox's
         * management-only flag (which needs no pattern).
         */
        @WithDefault("(?i)bmc|ilo|idrac")
        String interfacePattern();

        /**
         * Device role slugs (e.g. server) whose devices have BMCs; unset, every device's management-only or
         * BMC-named interface is a BMC, switches' and PDUs' management ports included.
         */
        Optional<java.util.List<String>> deviceRoles();

        /**
         * OUI prefixes (e.g. 94:57:A5) of BMC NICs on this network. With this or vendor classes set, a
         * lease NetBox does not know is reported as "seen, not expected" only if it looks like a BMC;
         * others (host NICs sharing the segment) are counted and dropped. NetBox's knowledge wins over both.
         */
        Optional<java.util.List<String>> ouiPrefixes();

        /** DHCP option 60 vendor classes of BMCs (e.g. iDRAC, CPQRIB3), matched as prefixes. */
        Optional<java.util.List<String>> vendorClasses();
    }
}
