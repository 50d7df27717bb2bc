#!/usr/bin/env bash
# DHCP tap burst: replays FRAMES (default 100000) DHCPACK frames at top speed (tcpreplay --topspeed)
# through a veth into the root namespace, where a tap and tcpdump (its defaults: 2 MiB buffer) listen on
# the same interface in the same run. Prints sent, captured and kernel-dropped for both.
#   LEG=capture  the capture class alone (io.bmpipeline.dhcp.live.CaptureCounter), once per receive buffer
#                in RCVBUFS (default: 64 MiB, the product default, then 2 MiB, tcpdump's)
#   LEG=service  the whole path: the packaged service (bm-pipeline serve, live tap, discovery on, NetBox
#                from testbed/netbox) puts lease events on its bus; prints leases stored on the bus (from its
#                readiness), kernel drops and the service's RSS after the burst; once per rate in PPS
#                ("topspeed" or packets per second, default "topspeed 20000")
# Root; needs tcpreplay and tcpdump (testbed/dhcp/prepare.sh) and the build (target/, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
FRAMES=${FRAMES:-100000}
RCVBUFS=${RCVBUFS:-"67108864 2097152"}
NS=bmt-burst
ROOT_END=bmt-burst0
SINK=bmt-burst-sink
work=$(mktemp -d)

LEG=${LEG:-capture}
PPS=${PPS:-"topspeed 20000"}
bash testbed/dhcp/prepare.sh >/dev/null
[ -f target/classes/io/bmpipeline/dhcp/live/CaptureCounter.class ] || ./mvnw -B -q compile
[ "$LEG" != service ] || [ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
service=""

cleanup() {
  [ -n "$service" ] && kill "$service" 2>/dev/null || true
  ip link del "$ROOT_END" 2>/dev/null || true
  ip link del "$SINK" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup
work=$(mktemp -d)
ip netns add "$NS"
ip link add "$ROOT_END" type veth peer name inj0 netns "$NS"
sysctl -qw "net.ipv6.conf.$ROOT_END.disable_ipv6=1"
# Root end: a port of a bridge kept down, so the root namespace's stack drops every frame after
# the AF_PACKET taps have seen it (same trick as testbed/dhcp/netns.sh).
ip link add "$SINK" type bridge
ip link set "$ROOT_END" master "$SINK"
ip link set "$ROOT_END" up
ip netns exec "$NS" ip link set inj0 up

# FRAMES distinct DHCPACKs (342 bytes, like ISC's), chaddr d0:94:66:xx:xx:xx, server 10.66.0.1:67 -> :68.
python3 - "$work/burst.pcap" "$FRAMES" <<'PY'
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
with open(path, 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        mac = bytes([0xd0, 0x94, 0x66, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff])
        yi = bytes([10, 66, (i >> 8) & 0xff, i & 0xff])
        bootp = bytearray(300)
        bootp[0:4] = b'\x02\x01\x06\x00'
        bootp[4:8] = struct.pack('!I', i)
        bootp[16:20] = yi
        bootp[20:24] = b'\x0a\x42\x00\x01'
        bootp[28:34] = mac
        bootp[236:240] = b'\x63\x82\x53\x63'
        opts = b'\x35\x01\x05' + b'\x36\x04\x0a\x42\x00\x01' + b'\x33\x04\x00\x00\x02\x58' + b'\xff'
        bootp[240:240 + len(opts)] = opts
        udp = struct.pack('!HHHH', 67, 68, 8 + len(bootp), 0) + bytes(bootp)
        ip = bytearray(struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
                                   b'\x0a\x42\x00\x01', yi))
        ip[10:12] = struct.pack('!H', csum(bytes(ip)))
        frame = mac + b'\x02\x00\x00\x66\x00\x01' + b'\x08\x00' + bytes(ip) + udp
        f.write(struct.pack('<IIII', 1, i % 1000000, len(frame), len(frame)))
        f.write(frame)
PY

tcpdump_counts() {
  echo "tcpdump (default buffer): captured=$(awk '/packets captured/ {print $1}' "$work/tcpdump.err")" \
       "passed_filter=$(awk '/received by filter/ {print $1}' "$work/tcpdump.err")" \
       "dropped=$(awk '/dropped by kernel/ {print $1}' "$work/tcpdump.err")"
}

tap_status() {
  curl -s http://127.0.0.1:19078/q/health/ready | python3 -c "
import json, sys
checks = {c['name']: c.get('data', {}) for c in json.load(sys.stdin)['checks']}
print(checks['dhcp-tap']['$ROOT_END'])"
}

if [ "$LEG" = service ]; then
  bash testbed/netbox/netbox.sh start >/dev/null
  set -a; source "${BM_STATE_DIR:-/var/tmp/bm-pipeline}/netbox.env"; set +a
  for pps in $PPS; do
    rm -rf "$work/data"
    BM_NETBOX_URL="$NETBOX_URL" BM_NETBOX_TOKEN="$NETBOX_TOKEN_V2" BM_DATA_DIR="$work/data" \
      BM_DHCP_ENABLED=true BM_DHCP_INTERFACE_NAME="$ROOT_END" BM_DHCP_SERVERS=10.66.0.1 \
      java --enable-native-access=ALL-UNNAMED -Dquarkus.http.port=0 -Dquarkus.management.port=19078 \
      -jar target/quarkus-app/quarkus-run.jar serve > "$work/service.log" 2>&1 &
    service=$!
    for _ in $(seq 240); do curl -sf http://127.0.0.1:19078/q/health/ready >/dev/null 2>&1 && break; sleep 0.5; done
    tcpdump -i "$ROOT_END" -w /dev/null 'udp and (port 67 or 68)' 2>"$work/tcpdump.err" &
    dump=$!
    for _ in $(seq 100); do grep -q listening "$work/tcpdump.err" && break; sleep 0.1; done
    rate_arg=--topspeed; [ "$pps" = topspeed ] || rate_arg="--pps=$pps"
    ip netns exec "$NS" tcpreplay "$rate_arg" -i inj0 "$work/burst.pcap" >"$work/replay.out" 2>&1
    sleep 1
    kill -INT "$dump"; wait "$dump" || true
    # Wait until the tap has stored what it read: nothing waiting, and no change between two looks.
    last=""
    for _ in $(seq 600); do
      now=$(tap_status); [ "$now" = "$last" ] && case "$now" in *" 0 waiting,"*) break;; esac
      last=$now; sleep 1
    done
    sent=$(awk '/Successful packets:/ {print $3}' "$work/replay.out")
    echo "== replay $pps: sent=$sent ($(grep -m1 'Rated:' "$work/replay.out" | sed 's/^ *//'))"
    echo "service (wire -> tap -> bus): $(tap_status); RSS $(awk '/VmRSS/ {print $2, $3}' /proc/$service/status)"
    tcpdump_counts
    kill "$service"; wait "$service" 2>/dev/null || true; service=""
  done
  exit 0
fi

for rcvbuf in $RCVBUFS; do
  java --enable-native-access=ALL-UNNAMED -cp target/classes io.bmpipeline.dhcp.live.CaptureCounter \
    "$ROOT_END" 3 "$rcvbuf" >"$work/ffm.out" 2>&1 &
  ffm=$!
  tcpdump -i "$ROOT_END" -w /dev/null 'udp and (port 67 or 68)' 2>"$work/tcpdump.err" &
  dump=$!
  for _ in $(seq 300); do
    grep -q '^ready' "$work/ffm.out" && grep -q listening "$work/tcpdump.err" && break
    sleep 0.1
  done
  ip netns exec "$NS" tcpreplay --topspeed -i inj0 "$work/burst.pcap" >"$work/replay.out" 2>&1
  wait "$ffm" || true
  kill -INT "$dump"; wait "$dump" || true
  sent=$(awk '/Successful packets:/ {print $3}' "$work/replay.out")
  rate=$(grep -m1 'Rated:' "$work/replay.out" | sed 's/^ *//')
  echo "== replay: sent=$sent ($rate)"
  echo "AfPacketCapture rcvbuf=$rcvbuf: $(grep -h 'captured=' "$work/ffm.out") ($(grep -h '^ready' "$work/ffm.out" | sed 's/.*rcvbuf=/granted=/'))"
  tcpdump_counts
done
