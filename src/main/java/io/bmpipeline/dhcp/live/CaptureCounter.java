package io.bmpipeline.dhcp.live;

import io.bmpipeline.dhcp.CapturedFrame;

import java.time.Duration;
import java.util.Optional;

/**
 * A small command for the burst benchmark and the permission test: captures DHCP frames on one
 * interface until none came for the idle time, then prints {@code captured=N passed_filter=N dropped=N}.
 * Exit code 2 and the reason on stderr when the capture cannot open.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp target/classes
 * io.bmpipeline.dhcp.live.CaptureCounter IFACE [idle-seconds] [receive-buffer-bytes]}.
 * It prints {@code ready} on stdout once the socket is bound, so a script knows when to send.
 */
public final class CaptureCounter {

    private CaptureCounter() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CaptureCounter IFACE [idle-seconds] [receive-buffer-bytes]");
            System.exit(64);
        }
        Duration idle = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 3);
        int buffer = args.length > 2 ? Integer.parseInt(args[2]) : AfPacketCapture.DEFAULT_RECEIVE_BUFFER_BYTES;
        AfPacketCapture capture;
        try {
            capture = AfPacketCapture.open(args[0], buffer);
        } catch (CaptureOpenException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try (capture) {
            System.out.println("ready " + capture + " rcvbuf=" + capture.receiveBufferBytes());
            System.out.flush();
            long captured = 0;
            boolean seenAny = false;
            while (true) {
                Optional<CapturedFrame> frame = capture.next(seenAny ? idle : Duration.ofSeconds(60));
                if (frame.isEmpty()) {
                    break;
                }
                seenAny = true;
                captured++;
            }
            CaptureStatistics stats = capture.statistics();
            System.out.println("captured=" + captured + " passed_filter=" + stats.passedFilter()
                    + " dropped=" + stats.dropped());
        }
    }
}
