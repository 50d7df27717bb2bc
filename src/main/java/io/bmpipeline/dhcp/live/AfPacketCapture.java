package io.bmpipeline.dhcp.live;

import io.bmpipeline.dhcp.CapturedFrame;
import io.bmpipeline.dhcp.FrameSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static io.bmpipeline.dhcp.live.LinuxPacketSockets.*;

/**
 * Live DHCP frames from one Linux interface through an AF_PACKET socket, including the ACKs the
 * host's own DHCP server sends (a UDP socket cannot see those). A classic BPF filter in the kernel
 * keeps only {@code udp and (port 67 or 68)}, so the socket buffer holds DHCP only; the VLAN id the
 * kernel strips from a tagged frame comes back through PACKET_AUXDATA.
 *
 * <p>Needs CAP_NET_RAW and {@code --enable-native-access}. One consumer thread calls {@link #next};
 * {@link #close} may come from another thread and then waits for the current poll (at most its timeout).
 */
public final class AfPacketCapture implements FrameSource {

    /** Default socket receive buffer: a power-on burst of hundreds of DORAs must fit while the consumer catches up. */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 32 * 1024 * 1024;

    /**
     * {@code tcpdump -dd 'udp and (port 67 or 68)'} (tcpdump 4.99, Ethernet link type): IPv4 UDP
     * first fragments and IPv6 UDP with either port 67 or 68, snap length 262144. Rows are
     * {code, jt, jf, k}. A VLAN tag is never in the frame the filter sees on receive: the kernel
     * has moved it to the skb's metadata before the filter runs.
     */
    static final int[][] DHCP_FILTER = {
            {0x28, 0, 0, 0x0000000c},
            {0x15, 0, 10, 0x00000800},
            {0x30, 0, 0, 0x00000017},
            {0x15, 0, 18, 0x00000011},
            {0x28, 0, 0, 0x00000014},
            {0x45, 16, 0, 0x00001fff},
            {0xb1, 0, 0, 0x0000000e},
            {0x48, 0, 0, 0x0000000e},
            {0x15, 12, 0, 0x00000043},
            {0x15, 11, 0, 0x00000044},
            {0x48, 0, 0, 0x00000010},
            {0x15, 9, 8, 0x00000043},
            {0x15, 0, 9, 0x000086dd},
            {0x30, 0, 0, 0x00000014},
            {0x15, 0, 7, 0x00000011},
            {0x28, 0, 0, 0x00000036},
            {0x15, 4, 0, 0x00000043},
            {0x15, 3, 0, 0x00000044},
            {0x28, 0, 0, 0x00000038},
            {0x15, 1, 0, 0x00000043},
            {0x15, 0, 1, 0x00000044},
            {0x6, 0, 0, 0x00040000},
            {0x6, 0, 0, 0x00000000},
    };

    /** Largest frame kept; DHCP frames are < 1.5 KiB, anything longer is cut (recvmsg reports the real length). */
    private static final int FRAME_BUFFER_BYTES = 65_536;
    private static final int CONTROL_BUFFER_BYTES = 256;

    private final String interfaceName;
    private final int interfaceIndex;
    private final int fd;
    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment statsCallState;
    /** Guards the statistics buffers and the socket's life, so a metrics read never waits for a poll. */
    private final Object statsLock = new Object();
    private final MemorySegment frame;
    private final MemorySegment control;
    private final MemorySegment peer;
    private final MemorySegment iov;
    private final MemorySegment msg;
    private final MemorySegment pollFd;
    private final MemorySegment stats;
    private final MemorySegment statsLength;
    private final int receiveBufferBytes;
    private long passedFilter;
    private long dropped;
    private volatile boolean closed;

    private AfPacketCapture(String interfaceName, int interfaceIndex, int fd, Arena arena, int receiveBufferBytes) {
        this.interfaceName = interfaceName;
        this.interfaceIndex = interfaceIndex;
        this.fd = fd;
        this.arena = arena;
        this.receiveBufferBytes = receiveBufferBytes;
        this.callState = newCallState(arena);
        this.statsCallState = newCallState(arena);
        this.frame = arena.allocate(FRAME_BUFFER_BYTES, 8);
        this.control = arena.allocate(CONTROL_BUFFER_BYTES, 8);
        this.peer = arena.allocate(SOCKADDR_LL);
        this.iov = arena.allocate(IOVEC);
        this.msg = arena.allocate(MSGHDR);
        this.pollFd = arena.allocate(POLLFD_SIZE, 8);
        this.stats = arena.allocate(STATS_SIZE, 8);
        this.statsLength = arena.allocate(ValueLayout.JAVA_INT);
        iov.set(ValueLayout.ADDRESS, 0, frame);
        iov.set(ValueLayout.JAVA_LONG, 8, FRAME_BUFFER_BYTES);
        pollFd.set(ValueLayout.JAVA_INT, POLLFD_FD, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, POLLFD_EVENTS, POLLIN);
    }

    /** Opens a capture on {@code interfaceName} with the default 32 MiB receive buffer. */
    public static AfPacketCapture open(String interfaceName) throws CaptureOpenException {
        return open(interfaceName, DEFAULT_RECEIVE_BUFFER_BYTES);
    }

    /**
     * Opens a capture on {@code interfaceName}. The receive buffer is set with SO_RCVBUFFORCE (which
     * ignores net.core.rmem_max, needs CAP_NET_ADMIN) and falls back to SO_RCVBUF (capped by rmem_max).
     */
    public static AfPacketCapture open(String interfaceName, int receiveBufferBytes) throws CaptureOpenException {
        if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() > 15) {
            throw new CaptureOpenException(CaptureOpenException.Reason.NO_SUCH_INTERFACE,
                    "no network interface named " + interfaceName + " (names are 1-15 characters)");
        }
        if (receiveBufferBytes <= 0) {
            throw new IllegalArgumentException("receive buffer must be positive, was " + receiveBufferBytes);
        }
        Arena arena = Arena.ofShared();
        int fd = -1;
        try {
            MemorySegment state = newCallState(arena);
            int index = (int) IF_NAMETOINDEX.invokeExact(state, arena.allocateFrom(interfaceName));
            if (index == 0) {
                throw new CaptureOpenException(CaptureOpenException.Reason.NO_SUCH_INTERFACE,
                        "no network interface named " + interfaceName + " (" + describe(errno(state)) + ")");
            }
            // Protocol 0: the socket receives nothing until bind() names the interface and ETH_P_ALL,
            // so no frame of another interface slips in before the filter and the bind are in place.
            fd = (int) SOCKET.invokeExact(state, AF_PACKET, SOCK_RAW, 0);
            if (fd < 0) {
                int errno = errno(state);
                if (errno == EPERM || errno == EACCES) {
                    throw new CaptureOpenException(CaptureOpenException.Reason.NEEDS_CAP_NET_RAW,
                            "capturing on " + interfaceName + " needs CAP_NET_RAW (socket(AF_PACKET): "
                                    + describe(errno) + ")");
                }
                throw refused(interfaceName, "socket(AF_PACKET, SOCK_RAW)", errno);
            }
            attachDhcpFilter(arena, state, fd, interfaceName);
            setIntOption(arena, state, fd, SOL_PACKET, PACKET_AUXDATA, 1, interfaceName, "PACKET_AUXDATA");
            setIntOption(arena, state, fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, interfaceName, "SO_TIMESTAMPNS");
            int granted = sizeReceiveBuffer(arena, state, fd, receiveBufferBytes, interfaceName);
            MemorySegment address = arena.allocate(SOCKADDR_LL);
            address.set(ValueLayout.JAVA_SHORT, SLL_FAMILY, (short) AF_PACKET);
            address.set(ValueLayout.JAVA_SHORT, SLL_PROTOCOL, htons(ETH_P_ALL));
            address.set(ValueLayout.JAVA_INT, SLL_IFINDEX, index);
            int bound = (int) BIND.invokeExact(state, fd, address, (int) SOCKADDR_LL.byteSize());
            if (bound != 0) {
                int errno = errno(state);
                if (errno == ENODEV || errno == ENXIO) {
                    throw new CaptureOpenException(CaptureOpenException.Reason.NO_SUCH_INTERFACE,
                            "no network interface named " + interfaceName + " (it went away: " + describe(errno) + ")");
                }
                throw refused(interfaceName, "bind(sockaddr_ll ifindex " + index + ")", errno);
            }
            return new AfPacketCapture(interfaceName, index, fd, arena, granted);
        } catch (CaptureOpenException e) {
            closeQuietly(fd);
            arena.close();
            throw e;
        } catch (Throwable e) {
            closeQuietly(fd);
            arena.close();
            throw new IllegalStateException("native call failed opening a capture on " + interfaceName, e);
        }
    }

    private static void attachDhcpFilter(Arena arena, MemorySegment state, int fd, String interfaceName)
            throws Throwable {
        MemorySegment program = arena.allocate(SOCK_FILTER_SIZE * DHCP_FILTER.length, 8);
        for (int i = 0; i < DHCP_FILTER.length; i++) {
            long at = i * SOCK_FILTER_SIZE;
            program.set(ValueLayout.JAVA_SHORT, at, (short) DHCP_FILTER[i][0]);
            program.set(ValueLayout.JAVA_BYTE, at + 2, (byte) DHCP_FILTER[i][1]);
            program.set(ValueLayout.JAVA_BYTE, at + 3, (byte) DHCP_FILTER[i][2]);
            program.set(ValueLayout.JAVA_INT, at + 4, DHCP_FILTER[i][3]);
        }
        MemorySegment fprog = arena.allocate(SOCK_FPROG);
        fprog.set(ValueLayout.JAVA_SHORT, FPROG_LEN, (short) DHCP_FILTER.length);
        fprog.set(ValueLayout.ADDRESS, FPROG_FILTER, program);
        int rc = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog,
                (int) SOCK_FPROG.byteSize());
        if (rc != 0) {
            throw refused(interfaceName, "setsockopt(SO_ATTACH_FILTER)", errno(state));
        }
    }

    private static void setIntOption(Arena arena, MemorySegment state, int fd, int level, int option, int value,
                                     String interfaceName, String optionName) throws Throwable {
        MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, value);
        int rc = (int) SETSOCKOPT.invokeExact(state, fd, level, option, v, 4);
        if (rc != 0) {
            throw refused(interfaceName, "setsockopt(" + optionName + ")", errno(state));
        }
    }

    /** Returns what the kernel granted (it doubles the request for bookkeeping; we report what getsockopt says). */
    private static int sizeReceiveBuffer(Arena arena, MemorySegment state, int fd, int bytes, String interfaceName)
            throws Throwable {
        MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, bytes);
        int rc = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVBUFFORCE, v, 4);
        if (rc != 0) {
            // Without CAP_NET_ADMIN: SO_RCVBUF, which the kernel caps at net.core.rmem_max.
            rc = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVBUF, v, 4);
            if (rc != 0) {
                throw refused(interfaceName, "setsockopt(SO_RCVBUF " + bytes + ")", errno(state));
            }
        }
        MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, 4);
        rc = (int) GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVBUF, v, length);
        return rc == 0 ? v.get(ValueLayout.JAVA_INT, 0) : bytes;
    }

    private static CaptureOpenException refused(String interfaceName, String call, int errno) {
        return new CaptureOpenException(CaptureOpenException.Reason.KERNEL_REFUSED,
                "capturing on " + interfaceName + " failed: " + call + " gave " + describe(errno));
    }

    private static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(newCallState(Arena.ofAuto()), fd);
        } catch (Throwable ignored) {
            // Nothing left to do for a socket we could not set up.
        }
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** The receive buffer the kernel granted, as getsockopt(SO_RCVBUF) reports it (twice the usable payload). */
    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    @Override
    public synchronized Optional<CapturedFrame> next(Duration timeout) throws IOException {
        if (closed) {
            throw new IOException("capture on " + interfaceName + " is closed");
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        try {
            // Drain first, poll only when the queue is empty: in a burst that halves the syscalls per frame.
            Optional<CapturedFrame> queued = receive(MSG_DONTWAIT);
            if (queued.isPresent()) {
                return queued;
            }
            pollFd.set(ValueLayout.JAVA_SHORT, POLLFD_REVENTS, (short) 0);
            int ready = (int) POLL.invokeExact(callState, pollFd, 1L, millis);
            if (ready < 0) {
                int errno = errno(callState);
                if (errno == EINTR) {
                    return Optional.empty();
                }
                throw new IOException("poll on the capture of " + interfaceName + " gave " + describe(errno));
            }
            if (ready == 0) {
                return Optional.empty();
            }
            return receive(MSG_DONTWAIT);
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("native call failed reading the capture of " + interfaceName, e);
        }
    }

    /** One frame if one is queued; empty on EAGAIN/EINTR. */
    private Optional<CapturedFrame> receive(int flags) throws Throwable {
        msg.set(ValueLayout.ADDRESS, MSG_NAME, peer);
        msg.set(ValueLayout.JAVA_INT, MSG_NAMELEN, (int) SOCKADDR_LL.byteSize());
        msg.set(ValueLayout.ADDRESS, MSG_IOV, iov);
        msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1L);
        msg.set(ValueLayout.ADDRESS, MSG_CONTROL, control);
        msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, CONTROL_BUFFER_BYTES);
        msg.set(ValueLayout.JAVA_INT, MSG_FLAGS, 0);
        long length = (long) RECVMSG.invokeExact(callState, fd, msg, MSG_TRUNC | flags);
        if (length < 0) {
            int errno = errno(callState);
            if (errno == EINTR || errno == EAGAIN) {
                return Optional.empty();
            }
            throw new IOException("recvmsg on the capture of " + interfaceName + " gave " + describe(errno));
        }
        int kept = (int) Math.min(length, FRAME_BUFFER_BYTES);
        byte[] data = frame.asSlice(0, kept).toArray(ValueLayout.JAVA_BYTE);
        boolean outgoing = Byte.toUnsignedInt(peer.get(ValueLayout.JAVA_BYTE, SLL_PKTTYPE)) == PACKET_OUTGOING;
        int vlan = CapturedFrame.NO_VLAN;
        Instant capturedAt = null;
        long controlLength = msg.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN);
        long at = 0;
        while (at + CMSG_HEADER <= controlLength) {
            long cmsgLength = control.get(ValueLayout.JAVA_LONG, at + CMSG_LEN);
            if (cmsgLength < CMSG_HEADER) {
                break;
            }
            int level = control.get(ValueLayout.JAVA_INT, at + CMSG_LEVEL);
            int type = control.get(ValueLayout.JAVA_INT, at + CMSG_TYPE);
            long data0 = at + CMSG_HEADER;
            if (level == SOL_PACKET && type == PACKET_AUXDATA && cmsgLength >= CMSG_HEADER + 20) {
                int status = control.get(ValueLayout.JAVA_INT, data0 + AUX_STATUS);
                if ((status & TP_STATUS_VLAN_VALID) != 0) {
                    vlan = Short.toUnsignedInt(control.get(ValueLayout.JAVA_SHORT, data0 + AUX_VLAN_TCI)) & 0x0fff;
                }
            } else if (level == SOL_SOCKET && type == SO_TIMESTAMPNS && cmsgLength >= CMSG_HEADER + 16) {
                capturedAt = Instant.ofEpochSecond(control.get(ValueLayout.JAVA_LONG, data0 + TS_SEC),
                        control.get(ValueLayout.JAVA_LONG, data0 + TS_NSEC));
            }
            at += (cmsgLength + 7) & ~7L;
        }
        return Optional.of(new CapturedFrame(data, capturedAt != null ? capturedAt : Instant.now(),
                interfaceName, vlan, outgoing));
    }

    /** Frames the kernel dropped for this socket since it opened (buffer full). */
    @Override
    public long dropped() {
        return statistics().dropped();
    }

    /**
     * Reads PACKET_STATISTICS (which resets the kernel's counters) and adds it to what earlier reads
     * saw. Safe from any thread, and does not wait for a {@link #next} in progress.
     */
    public CaptureStatistics statistics() {
        synchronized (statsLock) {
            if (!closed) {
                try {
                    statsLength.set(ValueLayout.JAVA_INT, 0, (int) STATS_SIZE);
                    int rc = (int) GETSOCKOPT.invokeExact(statsCallState, fd, SOL_PACKET, PACKET_STATISTICS,
                            stats, statsLength);
                    if (rc == 0) {
                        passedFilter += Integer.toUnsignedLong(stats.get(ValueLayout.JAVA_INT, STATS_PACKETS));
                        dropped += Integer.toUnsignedLong(stats.get(ValueLayout.JAVA_INT, STATS_DROPS));
                    }
                } catch (Throwable e) {
                    throw new IllegalStateException("getsockopt(PACKET_STATISTICS) failed on " + interfaceName, e);
                }
            }
            return new CaptureStatistics(passedFilter, dropped);
        }
    }

    /** Closes the socket; waits for a {@link #next} in progress (at most its timeout). The counts stay readable. */
    @Override
    public void close() {
        synchronized (this) {
            synchronized (statsLock) {
                if (closed) {
                    return;
                }
                statistics(); // fold the kernel's last counts in before the socket goes
                closed = true;
                closeQuietly(fd);
                arena.close();
            }
        }
    }

    @Override
    public String toString() {
        return "AfPacketCapture[" + interfaceName + "#" + interfaceIndex + ", fd " + fd + "]";
    }
}
