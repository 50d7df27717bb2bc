package io.bmpipeline.cli;

import io.bmpipeline.config.PipelineConfig;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxException;
import io.bmpipeline.reconcile.ReconcileReport;
import io.bmpipeline.reconcile.Reconciler;
import io.bmpipeline.reconcile.Reconciliation;
import io.bmpipeline.management.ServiceClient;
import io.bmpipeline.reconcile.LeaseSightingSource;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bm-pipeline manifest reconcile [--site SLUG]… [--json REPORT]}, with the service's configuration.
 * Exit 0: nothing outstanding; 1: expected-not-seen or seen-not-expected entries; 2: could not tell.
 */
@Dependent
@io.quarkus.arc.Unremovable
@Command(name = "reconcile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Expected (BMC MACs a manifest put in NetBox) against seen (BMC DHCP leases discovery handled): "
                        + "lists the devices expected but not seen (no lease of their BMC MACs, and NetBox does not "
                        + "show them discovered), the devices seen but held back (discovery warned, quarantined, or "
                        + "NetBox refused the write: the decision is shown), and the MACs seen but not expected "
                        + "(leased, yet on no BMC interface in NetBox).",
                "",
                "The leases are the service's lease sightings, a file only one process may hold. So the running "
                        + "service is asked for them on its management port (bm.management.url, GET "
                        + "/bm/lease-sightings, with bm.management.token-file's token when set); when nothing answers "
                        + "there, the service is taken to be stopped and its file (bm.lease-sightings.path) is read "
                        + "directly, read-only. A MAC that leased before a manifest named it, and that NetBox has on "
                        + "a BMC interface now, is not listed: its device counts as seen."},
        footer = {"", "Exit status: 0 nothing outstanding; 1 something expected not seen, seen but held back, or "
                + "seen not expected; 2 usage wrong, or NetBox or the lease sightings could not be read."})
public class ManifestReconcileCommand implements Callable<Integer> {

    @Option(names = "--site", paramLabel = "SLUG",
            description = "Only devices at this site (repeatable). Unexpected leases have no site: always all.")
    List<String> sites = List.of();

    @Option(names = "--json", paramLabel = "REPORT",
            description = "Also write the report as JSON (schema " + ReconcileReport.SCHEMA + ") to this file")
    Path json;

    // Resolved when the command runs, not when picocli builds it: --help needs no NetBox configuration.
    private final Instance<NetBoxClient> netboxes;
    private final Instance<BmcInterfacePattern> bmcPatterns;
    private final PipelineConfig config;

    @Inject
    public ManifestReconcileCommand(Instance<NetBoxClient> netboxes, Instance<BmcInterfacePattern> bmcPatterns,
                                    PipelineConfig config) {
        this.netboxes = netboxes;
        this.bmcPatterns = bmcPatterns;
        this.config = config;
    }

    @Override
    public Integer call() {
        if (sites.stream().anyMatch(String::isBlank)) {
            System.err.println("bm-pipeline: --site needs a site slug");
            return 2;
        }
        NetBoxClient netbox;
        BmcInterfacePattern bmcPattern;
        try {
            netbox = netboxes.get();
            bmcPattern = bmcPatterns.get();
        } catch (RuntimeException e) { // the configuration is wrong: the producer says which key
            System.err.println("bm-pipeline: " + CommandMode.rootMessage(e));
            return 2;
        }
        Reconciliation result;
        try {
            LeaseSightingSource.Answer leases = new LeaseSightingSource(ServiceClient.configured(config),
                    config.leaseSightings().path()).read();
            result = new Reconciler(netbox, bmcPattern, Clock.systemUTC()).reconcile(sites, leases);
        } catch (LeaseSightingSource.Unavailable e) {
            System.err.println("bm-pipeline: cannot read the lease sightings: " + e.getMessage());
            return 2;
        } catch (NetBoxException e) {
            System.err.println("bm-pipeline: NetBox " + netbox.url() + ": " + e.getMessage());
            return 2;
        } catch (IllegalStateException e) { // bm.management.token-file unreadable: the message names it
            System.err.println("bm-pipeline: " + e.getMessage());
            return 2;
        }
        System.out.print(ReconcileReport.text(result));
        if (json != null) {
            try {
                Files.writeString(json, ReconcileReport.json(result));
            } catch (IOException e) {
                System.err.println("bm-pipeline: cannot write the JSON report to " + json + ": " + e);
                return 2;
            }
        }
        return result.exitCode();
    }
}
