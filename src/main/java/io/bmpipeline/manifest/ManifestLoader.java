package io.bmpipeline.manifest;

import io.bmpipeline.address.MacAddress;
import io.bmpipeline.netbox.BmcInterfacePattern;
import io.bmpipeline.netbox.Device;
import io.bmpipeline.netbox.DeviceInterface;
import io.bmpipeline.netbox.JournalEntry;
import io.bmpipeline.netbox.NetBoxClient;
import io.bmpipeline.netbox.NetBoxJournal;
import io.bmpipeline.netbox.NetBoxException;
import java.io.IOException;
import java.io.InputStream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Loads a manifest of {@code server_serial,server_bmc_mac} into NetBox with the rules of the
 * spec's {@code netbox_load_bmc_mac.sh}: the device by serial (not found: the row fails), its BMC
 * interface by name, then — no MAC: set it, journal success; the same MAC: nothing; another MAC:
 * journal a warning and leave it. Beyond the spec: the cross-row rules, a MAC already on another
 * device fails its row, lookups and writes go in batches, and every write is idempotent — each
 * journal entry carries the file's content hash and line, so a run interrupted between the journal
 * and the MAC write finishes on the next run without a second entry.
 */
public final class ManifestLoader {

    static final int BATCH = 100;

    private final NetBoxClient netbox;
    private final BmcInterfacePattern bmcPattern;
    private final int concurrency;

    public ManifestLoader(NetBoxClient netbox, BmcInterfacePattern bmcPattern, int concurrency) {
        this.netbox = netbox;
        this.bmcPattern = bmcPattern;
        this.concurrency = Math.max(1, concurrency);
    }

    public ManifestResult load(Path file, boolean dryRun) throws IOException {
        return load(file, dryRun, rows -> { });
    }

    /** As {@link #load(Path, boolean)}, telling {@code progress} how many rows are done after each batch. */
    public ManifestResult load(Path file, boolean dryRun, java.util.function.LongConsumer progressTotal) throws IOException {
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        java.util.function.LongConsumer progress = batch -> progressTotal.accept(done.addAndGet(batch));
        String name = file.getFileName().toString();
        CrossRowCheck crossRows = new CrossRowCheck();
        List<RowError> rowErrors = Collections.synchronizedList(new ArrayList<>());
        String hash;
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), sha256())) {
            ManifestReader.read(name, in, item -> {
                switch (item) {
                    case ManifestReader.Item.Row row -> crossRows.add(row.row());
                    case ManifestReader.Item.Error error -> rowErrors.add(error.error());
                }
            });
            hash = HexFormat.of().formatHex(in.getMessageDigest().digest()).substring(0, 16);
        } catch (ManifestFileException e) {
            return new ManifestResult(name, "", dryRun, ManifestResult.emptyCounts(), List.of(), List.of(),
                    Optional.of(e.getMessage()));
        }

        Map<ManifestOutcome, Long> counts = Collections.synchronizedMap(ManifestResult.emptyCounts());
        List<RowResult> notable = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name("manifest-", 0).factory());
        List<Future<?>> pending = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            List<ManifestRow> batch = new ArrayList<>(BATCH);
            int[] index = {0};
            ManifestReader.read(name, in, item -> {
                if (!(item instanceof ManifestReader.Item.Row(ManifestRow row))) {
                    return;
                }
                var verdict = crossRows.verdict(row.line(), index[0]++);
                if (verdict.isPresent()) {
                    record(counts, notable, new RowResult(row.line(), row.serial(), row.mac().value(),
                            verdict.get().outcome(), verdict.get().reason(), Optional.empty()));
                    return;
                }
                batch.add(row);
                if (batch.size() == BATCH) {
                    List<ManifestRow> full = List.copyOf(batch);
                    batch.clear();
                    pending.add(pool.submit(() -> loadBatch(full, hash, name, dryRun, counts, notable, progress)));
                    drainIfFull(pending);
                }
            });
            if (!batch.isEmpty()) {
                List<ManifestRow> last = List.copyOf(batch);
                pending.add(pool.submit(() -> loadBatch(last, hash, name, dryRun, counts, notable, progress)));
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (ManifestFileException e) {
            throw new IllegalStateException("file changed between the two passes: " + e.getMessage(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        List<RowResult> sorted = new ArrayList<>(notable);
        sorted.sort((a, b) -> Long.compare(a.line(), b.line()));
        List<RowError> errors = new ArrayList<>(rowErrors);
        errors.sort((a, b) -> Long.compare(a.line(), b.line()));
        return new ManifestResult(name, hash, dryRun, Map.copyOf(counts), sorted, errors, Optional.empty());
    }

    /** Bounded concurrency: at most {@code concurrency} batches in flight, so memory stays flat. */
    private void drainIfFull(List<Future<?>> pending) {
        while (pending.stream().filter(f -> !f.isDone()).count() >= concurrency) {
            try {
                pending.stream().filter(f -> !f.isDone()).findFirst().orElseThrow().get();
            } catch (Exception e) {
                return;
            }
        }
        pending.removeIf(f -> f.isDone() && !failed(f));
    }

    private static boolean failed(Future<?> f) {
        try {
            f.get();
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    private void loadBatch(List<ManifestRow> rows, String hash, String file, boolean dryRun,
                           Map<ManifestOutcome, Long> counts, List<RowResult> notable,
                           java.util.function.LongConsumer progress) {
        Map<String, List<Device>> devicesBySerial = netbox.devices()
                .bySerials(rows.stream().map(ManifestRow::serial).toList()).stream().collect(Collectors.groupingBy(d -> d.serial().toUpperCase(Locale.ROOT)));
        Set<Long> deviceIds = devicesBySerial.values().stream().filter(l -> l.size() == 1)
                .map(l -> l.getFirst().id()).collect(Collectors.toSet());
        Map<Long, List<DeviceInterface>> interfaces = deviceIds.isEmpty() ? Map.of()
                : netbox.interfaces().ofDevices(deviceIds).stream()
                        .collect(Collectors.groupingBy(DeviceInterface::deviceId));
        Map<MacAddress, List<DeviceInterface>> holders = netbox.interfaces()
                .byMacs(rows.stream().map(ManifestRow::mac).toList()).stream().filter(i -> i.mac().isPresent()).collect(Collectors.groupingBy(i -> i.mac().get()));

        List<NetBoxJournal.NewEntry> journal = new ArrayList<>();
        Map<Long, MacAddress> macWrites = new LinkedHashMap<>();
        Map<Long, NetBoxJournal.NewEntry> journalOfWrite = new LinkedHashMap<>();
        Map<Long, Integer> resultOfWrite = new LinkedHashMap<>();
        List<RowResult> results = new ArrayList<>();
        for (ManifestRow row : rows) {
            RowResult result = decide(row, devicesBySerial, interfaces, holders, hash, file, journal, macWrites,
                    journalOfWrite);
            journalOfWrite.keySet().stream().filter(iface -> !resultOfWrite.containsKey(iface))
                    .forEach(iface -> resultOfWrite.put(iface, results.size()));
            results.add(result);
        }
        if (!dryRun) {
            // The MACs first, then the journal entries of the writes that happened: an entry never describes a write
            // NetBox refused. A refusal (400) of the bulk write is retried row by row, so only the bad row fails.
            Map<Long, String> refused = writeMacs(macWrites);
            refused.forEach((iface, why) -> {
                int at = resultOfWrite.get(iface);
                RowResult r = results.get(at);
                // NetBox's words name the interface by id only; the row says which one it is.
                String on = r.deviceId().map(device -> interfaces.getOrDefault(device, List.of())).orElse(List.of())
                        .stream().filter(i -> i.id() == iface).findFirst().map(i -> " on " + i.name()).orElse("");
                results.set(at, new RowResult(r.line(), r.serial(), r.mac(), ManifestOutcome.FAILED,
                        "NetBox refused the MAC" + on + ": " + why, r.deviceId()));
            });
            journalOfWrite.forEach((iface, entry) -> {
                if (!refused.containsKey(iface)) {
                    journal.add(entry);
                }
            });
            journalWhenNetBoxAnswers(journal);
        }
        for (RowResult r : results) {
            record(counts, notable, r);
        }
        progress.accept(rows.size());
    }

    private RowResult decide(ManifestRow row, Map<String, List<Device>> devicesBySerial,
                             Map<Long, List<DeviceInterface>> interfaces, Map<MacAddress, List<DeviceInterface>> holders,
                             String hash, String file, List<NetBoxJournal.NewEntry> journal,
                             Map<Long, MacAddress> macWrites, Map<Long, NetBoxJournal.NewEntry> journalOfWrite) {
        List<Device> devices = devicesBySerial.getOrDefault(row.serial().toUpperCase(Locale.ROOT), List.of());
        if (devices.isEmpty()) {
            return failed(row, "no device with serial " + row.serial() + " in NetBox", Optional.empty());
        }
        if (devices.size() > 1) {
            return failed(row, "serial " + row.serial() + " is on " + devices.size() + " devices "
                    + devices.stream().map(Device::label).toList(), Optional.empty());
        }
        Device device = devices.getFirst();
        if (!bmcPattern.coversRole(device)) {
            return failed(row, "device " + bmcPattern.roleRefusal(device), Optional.of(device.id()));
        }
        List<DeviceInterface> all = interfaces.getOrDefault(device.id(), List.of());
        DeviceInterface bmc;
        switch (bmcPattern.choose(all)) {
            case io.bmpipeline.netbox.BmcInterfaceMatch.Found found -> bmc = found.bmc();
            case io.bmpipeline.netbox.BmcInterfaceMatch.Missing missing -> {
                return failed(row, "device " + device.label() + " has no BMC interface (none management-only or "
                        + "named like one; interfaces: " + missing.interfaceNames() + ")", Optional.of(device.id()));
            }
            case io.bmpipeline.netbox.BmcInterfaceMatch.Ambiguous ambiguous -> {
                return failed(row, "device " + device.label() + " has several BMC interfaces "
                        + ambiguous.candidates().stream().map(DeviceInterface::name).toList()
                        + " (flag the BMC's management-only in NetBox)", Optional.of(device.id()));
            }
        }
        Optional<DeviceInterface> elsewhere = holders.getOrDefault(row.mac(), List.of()).stream()
                .filter(i -> i.deviceId() != device.id()).findFirst();
        if (elsewhere.isPresent()) {
            return failed(row, "MAC " + row.mac() + " is already on " + elsewhere.get().deviceName() + "/"
                    + elsewhere.get().name(), Optional.of(device.id()));
        }
        String where = " (manifest " + file + ", line " + row.line() + ") " + marker(hash, row.line());
        if (bmc.mac().isEmpty()) {
            journalOfWrite.put(bmc.id(), new NetBoxJournal.NewEntry(device.id(), JournalEntry.Kind.SUCCESS,
                    "BMC MAC " + row.mac() + " set on " + bmc.name() + " from the vendor manifest" + where));
            macWrites.put(bmc.id(), row.mac());
            return new RowResult(row.line(), row.serial(), row.mac().value(), ManifestOutcome.SET, "set on " + bmc.name(),
                    Optional.of(device.id()));
        }
        if (bmc.mac().get().equals(row.mac())) {
            return new RowResult(row.line(), row.serial(), row.mac().value(), ManifestOutcome.ALREADY_SET, "",
                    Optional.of(device.id()));
        }
        journal.add(new NetBoxJournal.NewEntry(device.id(), JournalEntry.Kind.WARNING,
                "vendor manifest says BMC MAC " + row.mac() + " but " + bmc.name() + " has " + bmc.mac().get()
                        + "; not changed" + where));
        return new RowResult(row.line(), row.serial(), row.mac().value(), ManifestOutcome.CONFLICT_SKIPPED,
                bmc.name() + " has " + bmc.mac().get(), Optional.of(device.id()));
    }

    /**
     * Writes the entries of writes that happened (those the file's marker does not show already). NetBox becoming
     * unreachable between the MAC write and its entry does not lose the entry: this waits for NetBox (backoff up to
     * 30 s) rather than leave a write undescribed.
     */
    private void journalWhenNetBoxAnswers(List<NetBoxJournal.NewEntry> journal) {
        java.time.Duration wait = java.time.Duration.ofSeconds(2);
        while (true) {
            try {
                Set<String> written = journal.isEmpty() ? Set.of() : netbox.journal().entriesOfDevices(
                                journal.stream().map(NetBoxJournal.NewEntry::deviceId).collect(Collectors.toSet()))
                        .stream().map(JournalEntry::comments).map(ManifestLoader::marker).flatMap(Optional::stream)
                        .collect(Collectors.toSet());
                netbox.journal().writeAll(journal.stream()
                        .filter(e -> !marker(e.comments()).map(written::contains).orElse(false)).toList());
                return;
            } catch (NetBoxException.Unavailable e) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("stopped while journal entries waited for NetBox", stopping);
                }
                wait = wait.multipliedBy(2).compareTo(java.time.Duration.ofSeconds(30)) > 0
                        ? java.time.Duration.ofSeconds(30) : wait.multipliedBy(2);
            }
        }
    }

    /** Sets the MACs in one bulk write; when NetBox refuses it (400), one by one. What NetBox refused, by interface. */
    private Map<Long, String> writeMacs(Map<Long, MacAddress> macWrites) {
        try {
            netbox.interfaces().setMacs(macWrites);
            return Map.of();
        } catch (NetBoxException.Rejected bulk) {
            Map<Long, String> refused = new LinkedHashMap<>();
            macWrites.forEach((iface, mac) -> {
                try {
                    netbox.interfaces().setMacs(Map.of(iface, mac));
                } catch (NetBoxException.Rejected one) {
                    refused.put(iface, one.errors().toString());
                }
            });
            return refused;
        }
    }

    private static RowResult failed(ManifestRow row, String reason, Optional<Long> device) {
        return new RowResult(row.line(), row.serial(), row.mac().value(), ManifestOutcome.FAILED, reason, device);
    }

    private static void record(Map<ManifestOutcome, Long> counts, List<RowResult> notable, RowResult result) {
        counts.merge(result.outcome(), 1L, Long::sum);
        if (result.outcome() != ManifestOutcome.ALREADY_SET) {
            notable.add(result);
        }
    }

    static String marker(String hash, long line) {
        return "[manifest " + hash + ":" + line + "]";
    }

    private static Optional<String> marker(String comments) {
        int at = comments.lastIndexOf("[manifest ");
        int end = at < 0 ? -1 : comments.indexOf(']', at);
        return end < 0 ? Optional.empty() : Optional.of(comments.substring(at, end + 1));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
