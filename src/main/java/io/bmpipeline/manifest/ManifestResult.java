package io.bmpipeline.manifest;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A whole file's result. {@code rows} holds every row that did not simply confirm NetBox (so a
 * million-row re-run does not hold a million results); {@code counts} counts them all.
 */
public record ManifestResult(String file, String contentHash, boolean dryRun, Map<ManifestOutcome, Long> counts,
                             List<RowResult> rows, List<RowError> rowErrors, java.util.Optional<String> fileError) {

    /** Counts in the outcomes' declared order, whatever map they came in: reports and logs list them alike. */
    public ManifestResult {
        Map<ManifestOutcome, Long> ordered = new EnumMap<>(ManifestOutcome.class);
        ordered.putAll(counts);
        counts = java.util.Collections.unmodifiableMap(ordered);
    }

    /** 0: every row fine; 1: some rows failed; 2: the file itself is unusable. */
    public int exitCode() {
        if (fileError.isPresent()) {
            return 2;
        }
        return rowErrors.isEmpty() && counts.getOrDefault(ManifestOutcome.FAILED, 0L) == 0 ? 0 : 1;
    }

    /** Nothing was (or, in a dry run, would be) written. */
    public boolean noChange() {
        return counts.getOrDefault(ManifestOutcome.SET, 0L) == 0
                && counts.getOrDefault(ManifestOutcome.CONFLICT_SKIPPED, 0L) == 0;
    }

    static Map<ManifestOutcome, Long> emptyCounts() {
        Map<ManifestOutcome, Long> counts = new EnumMap<>(ManifestOutcome.class);
        for (ManifestOutcome o : ManifestOutcome.values()) {
            counts.put(o, 0L);
        }
        return counts;
    }
}
