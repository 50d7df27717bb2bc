package io.bmpipeline.dhcp;

/** What one frame was: a DHCP message, or dropped for a counted reason with the byte that decided it. */
public sealed interface ParsedFrame {

    record Message(DhcpMessage message) implements ParsedFrame {}

    record Dropped(DropReason reason, int offset, String detail) implements ParsedFrame {
        @Override
        public String toString() {
            return reason + " at byte " + offset + ": " + detail;
        }
    }
}
