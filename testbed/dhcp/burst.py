#!/usr/bin/env python3
"""A power-on burst: many DHCP clients at once, emulated at the packet level (stdlib only).

One AF_PACKET socket on a promiscuous interface plays every client: per MAC a DISCOVER, the
REQUEST for what the server offers (options 50/54, hostname 12, vendor class 60), retransmission
after a second, a fresh DISCOVER after a NAK. Replies are asked for as broadcasts (BOOTP flag) so
the one socket sees them whatever the client MAC. Up to WINDOW exchanges are in flight at once.

  burst.py IFACE FILE [--vendor V] [--window N] [--timeout S]
FILE holds `MAC,HOSTNAME` lines. For every acknowledged client one line on stdout:
  MAC HOSTNAME IP ACK_EPOCH_SECONDS
(ACK_EPOCH_SECONDS is when the ACK reached this socket.) A summary goes to stderr; exit status 1
when a client had no ACK before the timeout.
"""
import argparse, os, random, select, socket, struct, sys, time

ETH_P_IP = 0x0800
SOL_PACKET, PACKET_ADD_MEMBERSHIP, PACKET_MR_PROMISC = 263, 1, 1
DISCOVER, OFFER, REQUEST, ACK, NAK = 1, 2, 3, 5, 6
COOKIE = b"\x63\x82\x53\x63"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(mac, xid, kind, hostname, vendor, requested=None, server=None):
    opts = bytes([53, 1, kind]) + bytes([61, 7, 1]) + mac
    if requested:
        opts += bytes([50, 4]) + requested + bytes([54, 4]) + server
    name = hostname.encode()
    opts += bytes([12, len(name)]) + name
    if vendor:
        v = vendor.encode()
        opts += bytes([60, len(v)]) + v
    opts += bytes([55, 6, 1, 3, 6, 12, 15, 28, 255])
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                        b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"", b"") + COOKIE + opts
    bootp += b"\0" * max(0, 300 - len(bootp))  # BOOTP minimum, as real clients send
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + struct.pack("!H", ETH_P_IP) + ip + udp


def reply(data):
    """(xid, chaddr, message type, yiaddr, server id) of a BOOTREPLY to port 68, or None."""
    if len(data) < 14 + 20 + 8 + 240 or data[12:14] != b"\x08\x00":
        return None
    ihl = (data[14] & 15) * 4
    if data[23] != 17:
        return None
    udp = 14 + ihl
    if struct.unpack("!H", data[udp + 2:udp + 4])[0] != 68:
        return None
    b = udp + 8
    if data[b] != 2 or data[b + 236:b + 240] != COOKIE:
        return None
    xid = struct.unpack("!I", data[b + 4:b + 8])[0]
    yiaddr, chaddr = data[b + 16:b + 20], data[b + 28:b + 34]
    kind, server, i = None, data[b + 20:b + 24], b + 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        code, n = data[i], data[i + 1]
        if code == 53 and n >= 1:
            kind = data[i + 2]
        elif code == 54 and n == 4:
            server = data[i + 2:i + 6]
        i += 2 + n
    return xid, chaddr, kind, yiaddr, server


class Client:
    def __init__(self, mac, hostname):
        self.mac, self.hostname = mac, hostname
        self.xid = random.getrandbits(32)
        self.state, self.sent_at, self.tries = "new", 0.0, 0
        self.offer = self.ip = self.acked_at = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("file")
    ap.add_argument("--vendor", default="iDRAC")
    ap.add_argument("--window", type=int, default=128)
    ap.add_argument("--timeout", type=float, default=30.0)
    a = ap.parse_args()

    clients, by_xid = [], {}
    for line in open(a.file):
        line = line.strip()
        if not line:
            continue
        mac, _, host = line.partition(",")
        c = Client(bytes.fromhex(mac.replace(":", "").replace("-", "")), host or "bmc-" + mac.replace(":", "")[-6:])
        clients.append(c)
        by_xid[c.xid] = c

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((a.iface, 0))
    ifindex = socket.if_nametoindex(a.iface)
    s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b""))
    s.setblocking(False)

    def send(c, kind):
        s.send(frame(c.mac, c.xid, kind, c.hostname, a.vendor,
                     c.offer[0] if kind == REQUEST else None, c.offer[1] if kind == REQUEST else None))
        c.sent_at, c.tries = time.time(), c.tries + 1

    started = time.time()
    pending = list(reversed(clients))
    active, done = set(), 0
    while done < len(clients) and time.time() - started < a.timeout:
        while pending and len(active) < a.window:
            c = pending.pop()
            c.state = "discover"
            send(c, DISCOVER)
            active.add(c)
        now = time.time()
        for c in list(active):
            if now - c.sent_at > 1.0:  # retransmit, as a client does
                send(c, REQUEST if c.state == "request" else DISCOVER)
        ready, _, _ = select.select([s], [], [], 0.05)
        if not ready:
            continue
        while True:
            try:
                data = s.recv(4096)
            except BlockingIOError:
                break
            r = reply(data)
            if not r:
                continue
            xid, chaddr, kind, yiaddr, server = r
            c = by_xid.get(xid)
            if c is None or c.mac != chaddr or c not in active:
                continue
            if kind == OFFER and c.state == "discover":
                c.offer, c.state, c.tries = (yiaddr, server), "request", 0
                send(c, REQUEST)
            elif kind == ACK and c.state == "request":
                c.ip, c.acked_at, c.state = socket.inet_ntoa(yiaddr), time.time(), "bound"
                active.discard(c)
                done += 1
            elif kind == NAK:
                c.offer, c.state = None, "discover"
                send(c, DISCOVER)

    for c in clients:
        if c.state == "bound":
            print("%s %s %s %.6f" % (":".join("%02x" % b for b in c.mac), c.hostname, c.ip, c.acked_at))
    took = max((c.acked_at for c in clients if c.acked_at), default=time.time()) - started
    print("burst: %d/%d acknowledged in %.2f s (window %d)" % (done, len(clients), took, a.window), file=sys.stderr)
    sys.exit(0 if done == len(clients) else 1)


if __name__ == "__main__":
    main()
