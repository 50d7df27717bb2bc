package io.bmpipeline.callback;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The final report of a validation run ({@code POST /pxe/v1/devices/{serial}/report}): the run and how the image
 * saw each step. The service decides on the results it recorded for the run, not on this summary: a required step
 * it never received fails the run whatever the summary says.
 */
@Schema(name = "ValidationReport", description = "The end of a validation run.")
public record ValidationReport(
        @Schema(requiredMode = REQUIRED, pattern = Patterns.RUN_ID, maxLength = 64) String runId,
        @Schema(requiredMode = REQUIRED) OffsetDateTime startedAt,
        @Schema(requiredMode = REQUIRED) OffsetDateTime endedAt,
        @Size(max = 64) @Schema(requiredMode = REQUIRED, description = "Each step the image ran, as it saw it.")
        List<StepStatus> steps,
        @Schema(maxLength = 128, description = "The image's version, for the record.") String image) {

    public ValidationReport {
        steps = List.copyOf(steps);
    }

    @Schema(name = "StepStatus")
    public record StepStatus(
            @Schema(requiredMode = REQUIRED, pattern = Patterns.STEP, maxLength = 32) String step,
            @Schema(requiredMode = REQUIRED, allowableValues = {"pass", "fail", "error"}) String status) {}
}
