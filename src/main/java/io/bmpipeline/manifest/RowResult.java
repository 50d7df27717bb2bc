package io.bmpipeline.manifest;

import java.util.Optional;

/** One row's outcome, for the report and the exit code. */
public record RowResult(long line, String serial, String mac, ManifestOutcome outcome, String reason,
                        Optional<Long> deviceId) {}
