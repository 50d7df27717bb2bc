package io.bmpipeline.dhcp;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Where frames come from: a live socket or a capture file. Both feed the same parser, so a replay
 * gives the events the live tap gave.
 */
public interface FrameSource extends AutoCloseable {

    /**
     * The next frame, waiting at most {@code timeout}; empty when none came in that time.
     *
     * @throws java.io.EOFException when a finite source (a file) has no more frames
     */
    Optional<CapturedFrame> next(Duration timeout) throws IOException;

    /** Frames the source itself lost (kernel drops), when it can know; -1 when it cannot. */
    default long dropped() {
        return -1;
    }

    @Override
    void close() throws IOException;
}
