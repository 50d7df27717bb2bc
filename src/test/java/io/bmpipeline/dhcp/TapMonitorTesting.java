package io.bmpipeline.dhcp;

import java.time.Instant;

/** Test access to what only the tap's reader does: count kernel drops. */
public final class TapMonitorTesting {

    private TapMonitorTesting() {}

    public static void kernelDropped(TapMonitor.Tap tap, long frames, Instant at) {
        tap.kernelDropped(frames, at);
    }
}
