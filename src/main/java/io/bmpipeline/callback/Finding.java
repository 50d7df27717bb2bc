package io.bmpipeline.callback;

/**
 * One row of what a check compared: the subject (a field, a NIC, a fio job), what NetBox plans or the threshold
 * says, what the machine reported, and whether it fails the step ({@code fails}) or is only noted.
 */
public record Finding(String subject, String expected, String seen, boolean fails) {

    static Finding failure(String subject, String expected, String seen) {
        return new Finding(subject, expected, seen, true);
    }

    static Finding note(String subject, String expected, String seen) {
        return new Finding(subject, expected, seen, false);
    }
}
