package io.bmpipeline.dhcp.live;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls and kernel ABI constants/structs an AF_PACKET capture needs, for x86_64 Linux
 * (LP64: pointers and size_t are 8 bytes, 8-byte aligned). The downcall handles are static finals
 * built once, so a native image can register them ahead of time; every call that can fail captures
 * errno in the same downcall (Linker.Option.captureCallState), because a later Java-side call could
 * overwrite it.
 */
final class LinuxPacketSockets {

    private LinuxPacketSockets() {}

    // <sys/socket.h>, <linux/if_ether.h>, <linux/if_packet.h>, <asm-generic/socket.h> (x86_64 uses the generic values)
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int ETH_P_ALL = 0x0003;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int SO_ATTACH_FILTER = 26;
    static final int SO_RCVBUFFORCE = 33;
    static final int SO_TIMESTAMPNS = 35; // cmsg type SCM_TIMESTAMPNS has the same value
    static final int SOL_PACKET = 263;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_AUXDATA = 8;
    static final int PACKET_OUTGOING = 4; // sll_pkttype of a frame this host sent
    static final int TP_STATUS_VLAN_VALID = 1 << 4;
    static final int MSG_TRUNC = 0x20;   // recvmsg returns the frame's real length even when cut
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 0x001;
    // <asm-generic/errno-base.h>
    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int ENODEV = 19;

    private static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG; // long, size_t, ssize_t
    private static final ValueLayout C_POINTER = ValueLayout.ADDRESS;

    /** struct sockaddr_ll, 20 bytes: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8]. */
    static final StructLayout SOCKADDR_LL = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sll_family"),
            ValueLayout.JAVA_SHORT.withName("sll_protocol"),
            C_INT.withName("sll_ifindex"),
            ValueLayout.JAVA_SHORT.withName("sll_hatype"),
            ValueLayout.JAVA_BYTE.withName("sll_pkttype"),
            ValueLayout.JAVA_BYTE.withName("sll_halen"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sll_addr"));
    static final long SLL_FAMILY = 0, SLL_PROTOCOL = 2, SLL_IFINDEX = 4, SLL_PKTTYPE = 10;

    /** struct sock_filter, 8 bytes: u16 code, u8 jt, u8 jf, u32 k. */
    static final long SOCK_FILTER_SIZE = 8;

    /** struct sock_fprog, 16 bytes: u16 len, 6 bytes padding, struct sock_filter *filter. */
    static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("len"),
            MemoryLayout.paddingLayout(6),
            C_POINTER.withName("filter"));
    static final long FPROG_LEN = 0, FPROG_FILTER = 8;

    /** struct iovec, 16 bytes: void *iov_base, size_t iov_len. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            C_POINTER.withName("iov_base"), C_LONG.withName("iov_len"));

    /**
     * struct msghdr, 56 bytes: msg_name @0, socklen_t msg_namelen @8 (+4 padding), msg_iov @16,
     * size_t msg_iovlen @24, msg_control @32, size_t msg_controllen @40, int msg_flags @48 (+4).
     */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            C_POINTER.withName("msg_name"),
            C_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            C_POINTER.withName("msg_iov"),
            C_LONG.withName("msg_iovlen"),
            C_POINTER.withName("msg_control"),
            C_LONG.withName("msg_controllen"),
            C_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));
    static final long MSG_NAME = 0, MSG_NAMELEN = 8, MSG_IOV = 16, MSG_IOVLEN = 24,
            MSG_CONTROL = 32, MSG_CONTROLLEN = 40, MSG_FLAGS = 48;

    /** struct cmsghdr, 16-byte header: size_t cmsg_len, int cmsg_level, int cmsg_type; data follows, 8-aligned. */
    static final long CMSG_HEADER = 16, CMSG_LEN = 0, CMSG_LEVEL = 8, CMSG_TYPE = 12;

    /**
     * struct tpacket_auxdata, 20 bytes: u32 tp_status @0, tp_len @4, tp_snaplen @8, u16 tp_mac @12,
     * tp_net @14, tp_vlan_tci @16, tp_vlan_tpid @18.
     */
    static final long AUX_STATUS = 0, AUX_VLAN_TCI = 16;

    /** struct timespec, 16 bytes: long tv_sec, long tv_nsec. */
    static final long TS_SEC = 0, TS_NSEC = 8;

    /** struct tpacket_stats, 8 bytes: u32 tp_packets (received incl. dropped), u32 tp_drops. Reading resets both. */
    static final long STATS_SIZE = 8, STATS_PACKETS = 0, STATS_DROPS = 4;

    /** struct pollfd, 8 bytes: int fd, short events, short revents. */
    static final long POLLFD_SIZE = 8, POLLFD_FD = 0, POLLFD_EVENTS = 4, POLLFD_REVENTS = 6;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    // Each handle takes the call-state segment first, then the C arguments.
    static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT));
    static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_INT));
    static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER));
    static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    static final MethodHandle RECVMSG = downcall("recvmsg", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_INT));
    static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT));
    static final MethodHandle IF_NAMETOINDEX = downcall("if_nametoindex", FunctionDescriptor.of(C_INT, C_POINTER));
    static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(C_INT, C_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, ERRNO_OPTION);
    }

    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    static short htons(int value) {
        return Short.reverseBytes((short) value);
    }

    /** strerror without another native call: the few errno values an open or read can meet, else the number. */
    static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM (operation not permitted)";
            case EACCES -> "EACCES (permission denied)";
            case ENODEV -> "ENODEV (no such device)";
            case ENXIO -> "ENXIO (no such device or address)";
            case EINTR -> "EINTR (interrupted)";
            case 9 -> "EBADF (bad file descriptor)";
            case EAGAIN -> "EAGAIN (nothing queued)";
            case 12 -> "ENOMEM (out of memory)";
            case 22 -> "EINVAL (invalid argument)";
            case 97 -> "EAFNOSUPPORT (address family not supported)";
            case 100 -> "ENETDOWN (network is down)";
            default -> "errno " + errno;
        };
    }
}
