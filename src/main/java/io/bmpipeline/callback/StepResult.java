package io.bmpipeline.callback;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the validation image posts when a step ends ({@code POST /pxe/v1/devices/{serial}/steps/{step}}). The
 * OpenAPI document's schema of this body is generated from these records, and every request is checked against
 * that schema ({@link ApiSchema}) before anything else reads it. The figures a step measured sit in the section
 * named after it; an operator's own step puts its figures in {@code figures}.
 */
@Schema(name = "StepResult", description = "The result of one validation step.")
public record StepResult(
        @Schema(requiredMode = REQUIRED, pattern = Patterns.RUN_ID, maxLength = 64,
                description = "The validation run (one boot of the image); a step is taken once per run.")
        String runId,
        @Schema(requiredMode = REQUIRED, allowableValues = {"pass", "fail", "error"},
                description = "pass: measured and within limits; fail: measured and not; error: could not measure.")
        String status,
        @Schema(requiredMode = REQUIRED, description = "When the step started (RFC 3339).")
        OffsetDateTime startedAt,
        @Schema(requiredMode = REQUIRED, description = "When the step ended (RFC 3339).")
        OffsetDateTime endedAt,
        @Schema(requiredMode = REQUIRED)
        Tool tool,
        @Schema(maxLength = 4000, description = "Why the step failed or could not run; required for fail and error.")
        String reason,
        Inventory inventory,
        MemoryFigures memory,
        DiskFigures disk,
        LldpFigures lldp,
        @Schema(type = "object", additionalProperties = Schema.AdditionalPropertiesValue.TRUE,
                description = "Figures of a step the pipeline has no section for (an operator's own step): any JSON.")
        Map<String, Object> figures) {

    public StepResult {
        figures = figures == null ? Map.of() : Map.copyOf(figures);
    }

    public Optional<String> reasonText() {
        return Optional.ofNullable(reason).filter(r -> !r.isBlank());
    }

    /** The program that measured, e.g. memtester 4.6.0. */
    @Schema(name = "Tool")
    public record Tool(
            @Schema(requiredMode = REQUIRED, maxLength = 64) String name,
            @Schema(requiredMode = REQUIRED, maxLength = 64) String version) {}

    /** 01-init: what dmidecode and the kernel report about the machine. */
    @Schema(name = "Inventory")
    public record Inventory(
            @Schema(requiredMode = REQUIRED, maxLength = 128, description = "System serial number (SMBIOS type 1).")
            String serial,
            @Schema(maxLength = 128, description = "System manufacturer (SMBIOS type 1).") String manufacturer,
            @Schema(maxLength = 128, description = "System product name, the model (SMBIOS type 1).") String product,
            Bios bios,
            @Size(max = 16) List<Cpu> cpus,
            @Size(max = 512) List<Dimm> dimms,
            @Size(max = 64) @Schema(requiredMode = REQUIRED, description = "Every NIC the image found.")
            List<Nic> nics) {

        public Inventory {
            cpus = cpus == null ? List.of() : List.copyOf(cpus);
            dimms = dimms == null ? List.of() : List.copyOf(dimms);
            nics = List.copyOf(nics);
        }
    }

    @Schema(name = "Bios")
    public record Bios(@Schema(maxLength = 128) String vendor, @Schema(maxLength = 128) String version,
                       @Schema(maxLength = 64) String date) {}

    @Schema(name = "Cpu")
    public record Cpu(@Schema(maxLength = 256) String model, @Schema(minimum = "0") Integer cores,
                      @Schema(minimum = "0") Integer threads) {}

    @Schema(name = "Dimm")
    public record Dimm(@Schema(maxLength = 128) String locator, @Schema(minimum = "0") Long sizeMiB,
                       @Schema(maxLength = 64) String type, @Schema(minimum = "0") Integer speedMTs,
                       @Schema(maxLength = 128) String serial) {}

    @Schema(name = "Nic")
    public record Nic(
            @Schema(requiredMode = REQUIRED, maxLength = 64, description = "The kernel's name, e.g. eth0.") String name,
            @Schema(requiredMode = REQUIRED, pattern = Patterns.MAC) String mac,
            @Schema(maxLength = 64) String driver,
            @Schema(minimum = "0") Integer speedMbps) {}

    /** 02-memory: memtester's run. */
    @Schema(name = "MemoryFigures")
    public record MemoryFigures(
            @Schema(requiredMode = REQUIRED, minimum = "0", description = "MiB memtester locked and tested.")
            Long testedMiB,
            @Schema(requiredMode = REQUIRED, minimum = "0", description = "Complete passes memtester made.")
            Integer passes,
            @Schema(minimum = "0", description = "Errors memtester reported (0 on a pass).") Integer errors) {}

    /** 03-disk: fio's jobs, one entry per job and device. */
    @Schema(name = "DiskFigures")
    public record DiskFigures(@Size(max = 256) @Schema(requiredMode = REQUIRED) List<DiskJob> jobs) {
        public DiskFigures {
            jobs = List.copyOf(jobs);
        }
    }

    @Schema(name = "DiskJob")
    public record DiskJob(
            @Schema(requiredMode = REQUIRED, maxLength = 128, description = "Block device, e.g. /dev/sda.") String device,
            @Schema(requiredMode = REQUIRED, maxLength = 64, description = "fio job name.") String job,
            @Schema(requiredMode = REQUIRED, allowableValues = {"read", "write", "randread", "randwrite"})
            String rw,
            @Schema(requiredMode = REQUIRED, minimum = "0", description = "Bandwidth, KiB/s.") Double bandwidthKiBps,
            @Schema(requiredMode = REQUIRED, minimum = "0") Double iops,
            @Schema(minimum = "0", description = "Completion latency p50, µs.") Double latencyP50Us,
            @Schema(minimum = "0", description = "Completion latency p99, µs.") Double latencyP99Us) {}

    /** 04-lldp: the neighbours each NIC heard. */
    @Schema(name = "LldpFigures")
    public record LldpFigures(
            @Size(max = 256) @Schema(requiredMode = REQUIRED, description = "One entry per NIC and neighbour heard.")
            List<LldpNeighbour> neighbours) {
        public LldpFigures {
            neighbours = List.copyOf(neighbours);
        }
    }

    @Schema(name = "LldpNeighbour")
    public record LldpNeighbour(
            @Schema(requiredMode = REQUIRED, maxLength = 64, description = "The local NIC's kernel name.") String nic,
            @Schema(requiredMode = REQUIRED, pattern = Patterns.MAC, description = "The local NIC's MAC.") String mac,
            @Schema(maxLength = 255, description = "LLDP system name of the neighbour.") String chassisName,
            @Schema(maxLength = 255) String chassisId,
            @Schema(maxLength = 255) String portId,
            @Schema(maxLength = 255) String portDescription,
            @Schema(minimum = "0", maximum = "4095") Integer vlan) {}
}
