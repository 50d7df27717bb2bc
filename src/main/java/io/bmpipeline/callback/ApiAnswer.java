package io.bmpipeline.callback;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Every answer of the callback API has this body: {@code 202} says what was accepted, the others what is wrong,
 * with the field that failed validation ({@code 400}) or the device's status ({@code 409}). A field that does not
 * apply is left out, not sent as {@code null}: the document types each as a string or boolean, never null.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Answer", description = "What the service did with the request, or why it did not.")
public record ApiAnswer(
        @Schema(requiredMode = REQUIRED, description = "The HTTP status, repeated.") int status,
        @Schema(requiredMode = REQUIRED, maxLength = 4000) String message,
        @Schema(description = "400: the field (JSON pointer or parameter name) that failed validation.") String field,
        @Schema(description = "409: the device's lifecycle status.") String deviceStatus,
        @Schema(description = "The device the request was for, once known (its serial).") String serial,
        @Schema(description = "202: the event id the result was stored under on bm.pxe.events.") String eventId,
        @Schema(description = "202: true when this run's step (or report) was accepted before; nothing changes.")
        Boolean duplicate) {

    static ApiAnswer error(int status, String message) {
        return new ApiAnswer(status, message, null, null, null, null, null);
    }

    static ApiAnswer badField(String field, String message) {
        return new ApiAnswer(400, message, field, null, null, null, null);
    }

    static ApiAnswer wrongState(String serial, String status, String message) {
        return new ApiAnswer(409, message, null, status, serial, null, null);
    }

    static ApiAnswer accepted(String serial, String eventId, boolean duplicate) {
        return new ApiAnswer(202, duplicate ? "already accepted; nothing changed" : "accepted", null, null, serial,
                eventId, duplicate);
    }
}
