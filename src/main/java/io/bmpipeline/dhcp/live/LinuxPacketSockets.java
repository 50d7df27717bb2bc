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
    static final int SO_ERROR = 4;
    static final int SO_RCVBUF = 8;
    static final int SO_ATTACH_FILTER = 26;
    static final int SO_RCVBUFFORCE = 33;
    static final int SOL_PACKET = 263;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_VERSION = 10;
    static final int TPACKET_V3 = 2;
    static final int PACKET_OUTGOING = 4; // sll_pkttype of a frame this host sent
    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    static final int TP_STATUS_VLAN_VALID = 1 << 4;
    static final short POLLIN = 0x001;
    static final short POLLERR = 0x008;
    static final short POLLHUP = 0x010;
    static final short POLLNVAL = 0x020;
    // <sys/mman.h>
    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_SHARED = 0x01;
    static final long MAP_FAILED = -1L;
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

    /** struct tpacket_stats, 8 bytes: u32 tp_packets (received incl. dropped), u32 tp_drops. Reading resets both. */
    static final long STATS_SIZE = 8, STATS_PACKETS = 0, STATS_DROPS = 4;

    /**
     * struct tpacket_req3, 28 bytes: u32 tp_block_size, tp_block_nr, tp_frame_size, tp_frame_nr, tp_retire_blk_tov
     * (ms), tp_sizeof_priv, tp_feature_req_word.
     */
    static final long REQ3_SIZE = 28, REQ3_BLOCK_SIZE = 0, REQ3_BLOCK_NR = 4, REQ3_FRAME_SIZE = 8, REQ3_FRAME_NR = 12,
            REQ3_RETIRE_TOV = 16;

    /**
     * struct tpacket_block_desc: u32 version @0, u32 offset_to_priv @4, then struct tpacket_hdr_v1: u32 block_status
     * @8, u32 num_pkts @12, u32 offset_to_first_pkt @16, u32 blk_len @20, u64 seq_num @24, timestamps @32.
     */
    static final long BLOCK_STATUS = 8, BLOCK_NUM_PKTS = 12, BLOCK_FIRST_PKT = 16;

    /**
     * struct tpacket3_hdr, 48 bytes: u32 tp_next_offset @0, tp_sec @4, tp_nsec @8, tp_snaplen @12, tp_len @16,
     * tp_status @20, u16 tp_mac @24, tp_net @26, then tpacket_hdr_variant1: u32 tp_rxhash @28, u32 tp_vlan_tci @32,
     * u16 tp_vlan_tpid @36; the frame's struct sockaddr_ll follows at TPACKET_ALIGN(48) = 48.
     */
    static final long PKT_NEXT = 0, PKT_SEC = 4, PKT_NSEC = 8, PKT_SNAPLEN = 12, PKT_STATUS = 20, PKT_MAC = 24,
            PKT_VLAN_TCI = 32, PKT_SOCKADDR_LL = 48;

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
    static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(C_POINTER, C_POINTER, C_LONG, C_INT, C_INT, C_INT, C_LONG));
    static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(C_INT, C_POINTER, C_LONG));
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
