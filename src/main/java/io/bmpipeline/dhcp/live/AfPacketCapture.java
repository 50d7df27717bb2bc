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
 * keeps only {@code udp and (port 67 or 68)}. The kernel writes the frames into a TPACKET_V3 ring mapped
 * into this process (as tcpdump does): frames packed one after the other in blocks, with no per-frame
 * socket-buffer overhead and no net.core.rmem_max cap, so a burst of ~100,000 ACKs fits in 64 MiB while the
 * consumer catches up. The VLAN id the kernel strips from a tagged frame and the frame's direction come with
 * each frame's header.
 *
 * <p>Needs CAP_NET_RAW and {@code --enable-native-access}. One consumer thread calls {@link #next};
 * {@link #close} may come from another thread and then waits for the current poll (at most its timeout).
 */
public final class AfPacketCapture implements FrameSource {

    /** Default ring: a power-on burst of thousands of DORAs must fit while the consumer catches up. */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 64 * 1024 * 1024;

    /**
     * The ring's blocks: 32 KiB each (~75 DHCP frames), at least two. The kernel hands a block over when it is full or
     * {@link #RETIRE_BLOCK_MILLIS} after its first frame, so when frames come slowly each block holds few of them:
     * many small blocks let a stalled reader (a GC pause, a starved CPU) fall behind for seconds without a drop
     * (64 MiB: 2,048 blocks, 16 s at 8 ms each), while a dense burst still fills the ring's bytes.
     */
    private static final int MAX_BLOCK_BYTES = 32 * 1024;
    /** Frame slot size the kernel checks the ring against; V3 packs frames by their real length regardless. */
    private static final int FRAME_SLOT_BYTES = 2048;
    /** A block with frames in it goes to the consumer after this long even when not full (the latency floor). */
    private static final int RETIRE_BLOCK_MILLIS = 8;
    private static final java.lang.invoke.VarHandle INT = ValueLayout.JAVA_INT.varHandle();

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

    private final String interfaceName;
    private final int interfaceIndex;
    private final int fd;
    private final Arena arena;
    private final MemorySegment callState;
    private final MemorySegment statsCallState;
    /** Guards the statistics buffers and the socket's life, so a metrics read never waits for a poll. */
    private final Object statsLock = new Object();
    private final MemorySegment ring;
    private final int blockBytes;
    private final int blocks;
    private final MemorySegment pollFd;
    private final MemorySegment stats;
    private final MemorySegment statsLength;
    /** The block the consumer reads (or waits for), the frames left in it and where the next one starts. */
    private int block;
    private boolean inBlock;
    private int framesLeft;
    private long frameAt;
    private long passedFilter;
    private long dropped;
    private volatile boolean closed;

    private AfPacketCapture(String interfaceName, int interfaceIndex, int fd, Arena arena, MemorySegment ring,
                            int blockBytes, int blocks) {
        this.interfaceName = interfaceName;
        this.interfaceIndex = interfaceIndex;
        this.fd = fd;
        this.arena = arena;
        this.ring = ring;
        this.blockBytes = blockBytes;
        this.blocks = blocks;
        this.callState = newCallState(arena);
        this.statsCallState = newCallState(arena);
        this.pollFd = arena.allocate(POLLFD_SIZE, 8);
        this.stats = arena.allocate(STATS_SIZE, 8);
        this.statsLength = arena.allocate(ValueLayout.JAVA_INT);
        pollFd.set(ValueLayout.JAVA_INT, POLLFD_FD, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, POLLFD_EVENTS, (short) (POLLIN | POLLERR));
    }

    /** Opens a capture on {@code interfaceName} with the default 64 MiB ring. */
    public static AfPacketCapture open(String interfaceName) throws CaptureOpenException {
        return open(interfaceName, DEFAULT_RECEIVE_BUFFER_BYTES);
    }

    /**
     * Opens a capture on {@code interfaceName} whose ring holds {@code receiveBufferBytes} (rounded down to whole
     * blocks). The ring is kernel memory mapped into the process, not subject to net.core.rmem_max.
     */
    public static AfPacketCapture open(String interfaceName, int receiveBufferBytes) throws CaptureOpenException {
        if (interfaceName == null || interfaceName.isEmpty() || interfaceName.length() > 15) {
            throw new CaptureOpenException(CaptureOpenException.Reason.NO_SUCH_INTERFACE,
                    "no network interface named " + interfaceName + " (names are 1-15 characters)");
        }
        if (receiveBufferBytes < 65_536) {
            throw new IllegalArgumentException("the ring must hold at least 65536 bytes, was " + receiveBufferBytes);
        }
        // Blocks of a power of two bytes (a whole number of pages for any ring of 64 KiB or more), at least two.
        int blockBytes = Math.min(MAX_BLOCK_BYTES, Integer.highestOneBit(receiveBufferBytes / 2));
        int blocks = receiveBufferBytes / blockBytes;
        Arena arena = Arena.ofShared();
        int fd = -1;
        MemorySegment ring = null;
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
            setIntOption(arena, state, fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3, interfaceName, "PACKET_VERSION V3");
            MemorySegment request = arena.allocate(REQ3_SIZE, 4);
            request.set(ValueLayout.JAVA_INT, REQ3_BLOCK_SIZE, blockBytes);
            request.set(ValueLayout.JAVA_INT, REQ3_BLOCK_NR, blocks);
            request.set(ValueLayout.JAVA_INT, REQ3_FRAME_SIZE, FRAME_SLOT_BYTES);
            request.set(ValueLayout.JAVA_INT, REQ3_FRAME_NR, blocks * (blockBytes / FRAME_SLOT_BYTES));
            request.set(ValueLayout.JAVA_INT, REQ3_RETIRE_TOV, RETIRE_BLOCK_MILLIS);
            if ((int) SETSOCKOPT.invokeExact(state, fd, SOL_PACKET, PACKET_RX_RING, request, (int) REQ3_SIZE) != 0) {
                throw refused(interfaceName, "setsockopt(PACKET_RX_RING " + blocks + " blocks of " + blockBytes + " bytes)",
                        errno(state));
            }
            long ringBytes = (long) blockBytes * blocks;
            MemorySegment mapped = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, ringBytes,
                    PROT_READ_WRITE, MAP_SHARED, fd, 0L);
            if (mapped.address() == MAP_FAILED) {
                throw refused(interfaceName, "mmap(" + ringBytes + " bytes of ring)", errno(state));
            }
            ring = mapped.reinterpret(ringBytes);
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
            return new AfPacketCapture(interfaceName, index, fd, arena, ring, blockBytes, blocks);
        } catch (CaptureOpenException e) {
            unmapQuietly(ring);
            closeQuietly(fd);
            arena.close();
            throw e;
        } catch (Throwable e) {
            unmapQuietly(ring);
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

    private static CaptureOpenException refused(String interfaceName, String call, int errno) {
        return new CaptureOpenException(CaptureOpenException.Reason.KERNEL_REFUSED,
                "capturing on " + interfaceName + " failed: " + call + " gave " + describe(errno));
    }

    private static void unmapQuietly(MemorySegment ring) {
        if (ring == null) {
            return;
        }
        try {
            int ignored = (int) MUNMAP.invokeExact(newCallState(Arena.ofAuto()), ring, ring.byteSize());
        } catch (Throwable ignored) {
            // Nothing left to do for a ring we could not set up.
        }
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

    /** The ring's size: its blocks times their size. */
    public int receiveBufferBytes() {
        return blockBytes * blocks;
    }

    @Override
    public synchronized Optional<CapturedFrame> next(Duration timeout) throws IOException {
        if (closed) {
            throw new IOException("capture on " + interfaceName + " is closed");
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        try {
            // A block the kernel has handed over is read to its end without a system call; poll only for the next.
            if (takeBlock() || awaitBlock(millis) && takeBlock()) {
                return Optional.of(frame());
            }
            return Optional.empty();
        } catch (IOException e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("native call failed reading the capture of " + interfaceName, e);
        }
    }

    /** Whether a frame is ready: the current block has one left, or the next block is the consumer's now. */
    private boolean takeBlock() {
        if (inBlock && framesLeft == 0) {
            // Every frame of the block was copied out: the block goes back to the kernel.
            INT.setRelease(ring, (long) block * blockBytes + BLOCK_STATUS, TP_STATUS_KERNEL);
            block = (block + 1) % blocks;
            inBlock = false;
        }
        if (!inBlock) {
            long base = (long) block * blockBytes;
            if (((int) INT.getAcquire(ring, base + BLOCK_STATUS) & TP_STATUS_USER) == 0) {
                return false;
            }
            inBlock = true;
            framesLeft = ring.get(ValueLayout.JAVA_INT, base + BLOCK_NUM_PKTS);
            frameAt = base + Integer.toUnsignedLong(ring.get(ValueLayout.JAVA_INT, base + BLOCK_FIRST_PKT));
            if (framesLeft == 0) {
                return takeBlock();
            }
        }
        return true;
    }

    /**
     * Waits for the kernel to hand a block over; false on timeout or a signal. An error on the socket (ENETDOWN when
     * the interface goes away) is thrown once the blocks before it are read, so the caller can reopen.
     */
    private boolean awaitBlock(int millis) throws Throwable {
        pollFd.set(ValueLayout.JAVA_SHORT, POLLFD_REVENTS, (short) 0);
        int ready = (int) POLL.invokeExact(callState, pollFd, 1L, millis);
        if (ready < 0) {
            int errno = errno(callState);
            if (errno == EINTR) {
                return false;
            }
            throw new IOException("poll on the capture of " + interfaceName + " gave " + describe(errno));
        }
        short revents = pollFd.get(ValueLayout.JAVA_SHORT, POLLFD_REVENTS);
        if (ready > 0 && (revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 && !takeBlock()) {
            // SO_ERROR reads (and clears) the socket's pending error.
            pollFd.set(ValueLayout.JAVA_SHORT, POLLFD_REVENTS, (short) 0);
            MemorySegment error = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, 4);
            int rc = (int) GETSOCKOPT.invokeExact(callState, fd, SOL_SOCKET, SO_ERROR, error, length);
            int errno = rc == 0 ? error.get(ValueLayout.JAVA_INT, 0) : errno(callState);
            throw new IOException("the capture of " + interfaceName + " gave " + describe(errno)
                    + ((revents & POLLNVAL) != 0 ? " (socket closed)" : ""));
        }
        return ready > 0;
    }

    /** Copies out the frame at {@link #frameAt} with its time, VLAN and direction, and moves to the next one. */
    private CapturedFrame frame() {
        long at = frameAt;
        int status = ring.get(ValueLayout.JAVA_INT, at + PKT_STATUS);
        int length = ring.get(ValueLayout.JAVA_INT, at + PKT_SNAPLEN);
        int mac = Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, at + PKT_MAC));
        byte[] data = ring.asSlice(at + mac, length).toArray(ValueLayout.JAVA_BYTE);
        Instant capturedAt = Instant.ofEpochSecond(Integer.toUnsignedLong(ring.get(ValueLayout.JAVA_INT, at + PKT_SEC)),
                Integer.toUnsignedLong(ring.get(ValueLayout.JAVA_INT, at + PKT_NSEC)));
        int vlan = (status & TP_STATUS_VLAN_VALID) != 0
                ? ring.get(ValueLayout.JAVA_INT, at + PKT_VLAN_TCI) & 0x0fff : CapturedFrame.NO_VLAN;
        boolean outgoing = Byte.toUnsignedInt(ring.get(ValueLayout.JAVA_BYTE, at + PKT_SOCKADDR_LL + SLL_PKTTYPE))
                == PACKET_OUTGOING;
        frameAt = at + Integer.toUnsignedLong(ring.get(ValueLayout.JAVA_INT, at + PKT_NEXT));
        framesLeft--;
        return new CapturedFrame(data, capturedAt, interfaceName, vlan, outgoing);
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
                unmapQuietly(ring);
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
