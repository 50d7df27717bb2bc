package io.bmpipeline.dhcp;

/** What the tap made of one frame. Only a {@link Lease} goes on to discovery. */
public sealed interface TapOutcome {

    record Lease(DhcpLeaseEvent event) implements TapOutcome {}

    /** An ACK from a server not on the allowlist: counted and reported, never processed. */
    record Spoofed(DhcpMessage ack) implements TapOutcome {}

    /** A valid DHCP message that is not a new lease (a REQUEST, an INFORM ACK, a duplicate…). */
    record Ignored(IgnoreReason reason) implements TapOutcome {}

    record Dropped(ParsedFrame.Dropped drop) implements TapOutcome {}

    enum IgnoreReason { NOT_AN_ACK, INFORM_ACK, DUPLICATE, OUTGOING_COPY }
}
