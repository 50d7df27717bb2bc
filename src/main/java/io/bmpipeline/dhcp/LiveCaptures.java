package io.bmpipeline.dhcp;

import java.io.IOException;

/** Opens the live capture for an interface. */
final class LiveCaptures {

    private LiveCaptures() {}

    static FrameSource open(String interfaceName, int bufferSize) throws IOException {
        throw new IOException("live capture on " + interfaceName + " is not in this build yet: replay with pcap=PATH");
    }
}
