#!/usr/bin/env python3
"""The proof of concept's Phase 0, for bench/discovery-bench.sh: a pure-Python AF_PACKET tap
(stdlib only, as tools/bm-dhcp-tap.py in the spec) that parses each frame, and on every DHCPACK
spawns the hook (bench/discovery-baseline-hook.sh MAC IP HOSTNAME) without waiting for it — one
shell process per lease, each talking to NetBox with curl.

  discovery-baseline-tap.py IFACE COUNT HOOK
Exits after COUNT ACKs have been handed to hooks and every hook has ended.
"""
import socket, struct, subprocess, sys

iface, count, hook = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind((iface, 0))
print("baseline tap: listening on %s" % iface, flush=True)
children, seen = [], set()
while len(seen) < count:
    data = s.recv(65535)
    if len(data) < 282 or data[12:14] != b"\x08\x00" or data[23] != 17:
        continue
    ihl = (data[14] & 15) * 4
    udp = 14 + ihl
    sport, dport = struct.unpack("!HH", data[udp:udp + 4])
    if sport != 67:
        continue
    b = udp + 8
    if data[b] != 2 or data[b + 236:b + 240] != b"\x63\x82\x53\x63":
        continue
    msg, hostname, i = None, "", b + 240
    while i + 1 < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        code, n = data[i], data[i + 1]
        if code == 53:
            msg = data[i + 2]
        elif code == 12:
            hostname = data[i + 2:i + 2 + n].decode(errors="replace")
        i += 2 + n
    if msg != 5:
        continue
    mac = ":".join("%02x" % x for x in data[b + 28:b + 34])
    ip = socket.inet_ntoa(data[b + 16:b + 20])
    if (mac, ip) in seen:
        continue
    seen.add((mac, ip))
    children.append(subprocess.Popen(["bash", hook, mac, ip, hostname]))
for c in children:
    c.wait()
print("baseline tap: %d leases handed to hooks" % len(seen), flush=True)
