package io.bmpipeline.callback;

import io.bmpipeline.config.PipelineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The floors an operator sets for the measured figures (bm.pxe.memory-min-passes, bm.pxe.disk-floor.TYPE.*): a
 * figure below its floor fails the step, and the finding names the figure and the floor. Disk floors are per device
 * type slug, with {@code default} for the others; no floor configured means none (0).
 */
public record Thresholds(int memoryMinPasses, Map<String, Floor> diskFloors) {

    /** KiB/s for sequential jobs, IOPS for random ones; 0 = no floor. */
    public record Floor(double readKiBps, double writeKiBps, double randreadIops, double randwriteIops) {
        static final Floor NONE = new Floor(0, 0, 0, 0);
    }

    public Thresholds {
        diskFloors = Map.copyOf(diskFloors);
    }

    public static Thresholds from(PipelineConfig.Pxe pxe) {
        Map<String, Floor> floors = new java.util.HashMap<>();
        pxe.diskFloor().forEach((type, f) -> floors.put(type,
                new Floor(f.readKiBps(), f.writeKiBps(), f.randreadIops(), f.randwriteIops())));
        return new Thresholds(pxe.memoryMinPasses(), floors);
    }

    public List<Finding> memory(StepResult.MemoryFigures m) {
        List<Finding> findings = new ArrayList<>();
        if (m.passes() < memoryMinPasses) {
            findings.add(Finding.failure("memtester passes", "≥ " + memoryMinPasses, Integer.toString(m.passes())));
        }
        if (m.errors() != null && m.errors() > 0) {
            findings.add(Finding.failure("memtester errors", "0", Integer.toString(m.errors())));
        }
        return findings;
    }

    public List<Finding> disk(StepResult.DiskFigures d, String deviceTypeSlug) {
        Floor floor = diskFloors.getOrDefault(deviceTypeSlug, diskFloors.getOrDefault("default", Floor.NONE));
        List<Finding> findings = new ArrayList<>();
        for (StepResult.DiskJob job : d.jobs()) {
            String subject = job.device() + " " + job.job() + " (" + job.rw() + ")";
            switch (job.rw()) {
                case "read" -> below(findings, subject, "KiB/s", job.bandwidthKiBps(), floor.readKiBps());
                case "write" -> below(findings, subject, "KiB/s", job.bandwidthKiBps(), floor.writeKiBps());
                case "randread" -> below(findings, subject, "IOPS", job.iops(), floor.randreadIops());
                case "randwrite" -> below(findings, subject, "IOPS", job.iops(), floor.randwriteIops());
                default -> { }
            }
        }
        return findings;
    }

    private static void below(List<Finding> findings, String subject, String unit, double value, double floor) {
        if (floor > 0 && value < floor) {
            findings.add(Finding.failure(subject, "≥ " + format(floor) + " " + unit, format(value) + " " + unit));
        }
    }

    static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
