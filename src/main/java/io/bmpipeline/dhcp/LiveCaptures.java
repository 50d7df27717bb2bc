package io.bmpipeline.dhcp;

import io.bmpipeline.dhcp.live.AfPacketCapture;
import io.bmpipeline.dhcp.live.CaptureOpenException;
import java.io.IOException;

/** Opens the live capture for an interface: an AF_PACKET socket with the kernel's DHCP filter. */
final class LiveCaptures {

    private LiveCaptures() {}

    static FrameSource open(String interfaceName, int bufferSize) throws IOException {
        try {
            return AfPacketCapture.open(interfaceName, bufferSize);
        } catch (CaptureOpenException e) {
            // The message names the missing capability or the unknown interface; the route fails to start with it.
            throw new IOException("dhcp:" + interfaceName + ": " + e.getMessage(), e);
        }
    }
}
