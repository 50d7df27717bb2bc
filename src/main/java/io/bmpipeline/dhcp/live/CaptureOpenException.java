package io.bmpipeline.dhcp.live;

import java.io.IOException;

/** A live capture could not start; {@link #reason()} says which fix applies, the message names the interface. */
public final class CaptureOpenException extends IOException {

    public enum Reason {
        /** The process lacks CAP_NET_RAW (socket() gave EPERM/EACCES). */
        NEEDS_CAP_NET_RAW,
        /** if_nametoindex found no interface of that name. */
        NO_SUCH_INTERFACE,
        /** Anything else the kernel refused; the message has the call and errno. */
        KERNEL_REFUSED
    }

    private final Reason reason;

    CaptureOpenException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
