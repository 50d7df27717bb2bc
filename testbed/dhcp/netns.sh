#!/usr/bin/env bash
# A DHCP test bed in network namespaces: a switch, one DHCP server (ISC dhcpd, dnsmasq or Kea),
# BMC-like clients, optionally a rogue server and a relayed second segment. The JVM (tests, demo,
# bench) stays in the root namespace and captures on ROOT-SIDE TAP interfaces:
#
#   root netns                      ${P}srv netns                       ${P}sw netns
#   ${P}tap  <==veth==>  tapm  <-- tc mirred (ingress+egress) --  eth0 10.66.0.1 <==veth==> br0 (segment a)
#                                                                                        br1 (segment b)
# Why a mirror: the tap has to see what the SERVER sends, unicast ACKs included, which a switch port
# never floods. tc's clsact hook on the server's own interface copies every frame it sends or
# receives (`action mirred egress mirror`) to a veth whose other end is in the root namespace. That
# end has no address, IPv6 off, and is a port of a bridge (${P}sink) that is kept down: AF_PACKET taps
# run before the bridge's rx handler, which drops everything on a disabled port, so captures see
# every frame while the root namespace's stack never processes one. (tc classifiers here: only u32
# and mirred are built into this kernel, no matchall/gact; the script uses only those.)
# Mirrored frames arrive as received frames (pkttype HOST/BROADCAST/OTHERHOST, not OUTGOING).
#
# Usage (root):
#   netns.sh up [--server isc|dnsmasq|kea] [--relay] [--burst]
#                                                    switch + server (+ relay to segment b); restarts
#                                                    the server if another kind was running; prints the tap.
#                                                    --burst: segment a also gets 10.66.16.0/20 (pool
#                                                    10.66.16.10-10.66.31.250, 3,800 addresses) for bursts
#   netns.sh burst [--vendor V] [--window N] FILE    every MAC,HOSTNAME line of FILE leases at once from one
#                                                    namespace (packet-level emulator, burst.py); prints
#                                                    "MAC HOSTNAME IP ACK_EPOCH" per lease; exit 1 if one failed
#   netns.sh lease [--vendor V] [--segment a|b] [--client udhcpc|dhclient] MAC,HOSTNAME ...
#                                                    (--vendor: option 60, default iDRAC; "" sends the
#                                                    client's own default, e.g. "udhcp 1.35.0")
#                                                    one client netns per MAC, leases in parallel,
#                                                    prints "MAC HOSTNAME IP" per lease; exit 1 if any failed
#   netns.sh rogue                                   a second server (dnsmasq, 10.66.0.210-249) on segment a,
#                                                    mirrored to ${P}rtap
#   netns.sh tap | rogue-tap                         prints the root-side tap interface name
#   netns.sh server-mac                              the server's eth0 MAC
#   netns.sh down                                    removes the namespaces and root-side links it made
# Environment: BMT_PREFIX (default "bmt-") so parallel users do not collide; BMT_STATE (default
# /run/${P}dhcp) for configs, leases, logs and pid files.
set -euo pipefail

P=${BMT_PREFIX:-bmt-}
STATE=${BMT_STATE:-/run/${P}dhcp}
SW=${P}sw
SRV=${P}srv
RELAY=${P}relay
ROGUE=${P}rogue
TAP=${P}tap
RTAP=${P}rtap
SINK=${P}sink
HERE=$(cd "$(dirname "$0")" && pwd)
BURST=0
BURST_RANGE=''
BURSTNS=${P}burst

die() { echo "netns.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

make_ns() {
  local ns=$1
  ns_exists "$ns" || ip netns add "$ns"
  in_ns "$ns" ip link set lo up
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# veth from namespace $1 (name $2) to a bridge $4 in the switch namespace (port name $3)
plug() {
  local ns=$1 ifname=$2 port=$3 bridge=$4
  if ! in_ns "$ns" ip link show "$ifname" >/dev/null 2>&1; then
    ip link add "$port" netns "$SW" type veth peer name "$ifname" netns "$ns"
  fi
  in_ns "$SW" ip link set "$port" master "$bridge" up
  in_ns "$ns" ip link set "$ifname" up
}

# Copies every frame $2 in namespace $1 sends or receives to root-side interface $3 (see header).
mirror_to_root() {
  local ns=$1 ifname=$2 root=$3
  if ! ip link show "$root" >/dev/null 2>&1; then
    ip link add "$root" type veth peer name tapm netns "$ns"
  fi
  sysctl -qw "net.ipv6.conf.$root.disable_ipv6=1" || true
  ip link set "$root" up
  # The root-side end is a port of a bridge that stays DOWN: a disabled bridge port's rx handler
  # discards every frame, after the AF_PACKET taps have seen it (this kernel has no tc gact module
  # for `action drop`). So the root namespace's IP stack never processes a mirrored frame.
  ip link show "$SINK" >/dev/null 2>&1 || ip link add "$SINK" type bridge
  ip link set "$SINK" down
  ip link set "$root" master "$SINK"
  in_ns "$ns" ip link set tapm up
  in_ns "$ns" tc qdisc replace dev "$ifname" clsact
  in_ns "$ns" tc filter del dev "$ifname" ingress 2>/dev/null || true
  in_ns "$ns" tc filter del dev "$ifname" egress 2>/dev/null || true
  in_ns "$ns" tc filter add dev "$ifname" ingress protocol all u32 match u32 0 0 action mirred egress mirror dev tapm
  in_ns "$ns" tc filter add dev "$ifname" egress protocol all u32 match u32 0 0 action mirred egress mirror dev tapm
}

switch_up() {
  make_ns "$SW"
  for br in br0 br1; do
    in_ns "$SW" ip link show "$br" >/dev/null 2>&1 || in_ns "$SW" ip link add "$br" type bridge
    # No STP, no forwarding delay: a client's first DISCOVER must not be eaten by port learning.
    in_ns "$SW" ip link set "$br" type bridge stp_state 0 forward_delay 0
    in_ns "$SW" ip link set "$br" up
  done
}

stop_pidfile() {
  local f=$1
  if [ -s "$f" ]; then
    local pid; pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

start_isc() {
  cat > "$STATE/dhcpd.conf" <<CONF
# ping-check off: otherwise ISC waits a second per OFFER for an ICMP echo that never answers.
ping-check false;
authoritative;
ddns-update-style none;
default-lease-time 600;
max-lease-time 7200;
$(if [ "$BURST" = 1 ]; then cat <<BIG
shared-network segment-a {
  subnet 10.66.0.0 netmask 255.255.255.0 { range 10.66.0.100 10.66.0.199; option routers 10.66.0.1; }
  subnet 10.66.16.0 netmask 255.255.240.0 { range 10.66.16.10 10.66.31.250; option routers 10.66.16.1; }
}
BIG
else echo 'subnet 10.66.0.0 netmask 255.255.255.0 { range 10.66.0.100 10.66.0.199; option routers 10.66.0.1; }'; fi)
subnet 10.66.1.0 netmask 255.255.255.0 { range 10.66.1.100 10.66.1.199; option routers 10.66.1.1; }
CONF
  : > "$STATE/dhcpd.leases"
  in_ns "$SRV" dhcpd -4 -q -cf "$STATE/dhcpd.conf" -lf "$STATE/dhcpd.leases" -pf "$STATE/server.pid" eth0 \
    >"$STATE/server.log" 2>&1
}

# --no-ping: like ISC's ping-check, dnsmasq otherwise probes each address and stalls ~3 s per DISCOVER.
start_dnsmasq() {
  in_ns "$SRV" dnsmasq --port=0 --no-ping --interface=eth0 --bind-interfaces --dhcp-authoritative --user=root \
    --dhcp-range=10.66.0.100,10.66.0.199,255.255.255.0,10m \
    --dhcp-range=10.66.1.100,10.66.1.199,255.255.255.0,10m \
    ${BURST_RANGE:+"--dhcp-range=$BURST_RANGE"} \
    --dhcp-leasefile="$STATE/dnsmasq.leases" --pid-file="$STATE/server.pid" \
    --log-dhcp --log-facility="$STATE/server.log" --conf-file=/dev/null
}

start_kea() {
  cat > "$STATE/kea-dhcp4.conf" <<CONF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "eth0" ], "dhcp-socket-type": "raw" },
    "lease-database": { "type": "memfile", "persist": false },
    "valid-lifetime": 600,
    $(if [ "$BURST" = 1 ]; then echo '"shared-networks": [ { "name": "segment-a", "interface": "eth0", "subnet4": [
      { "id": 1, "subnet": "10.66.0.0/24", "pools": [ { "pool": "10.66.0.100 - 10.66.0.199" } ] },
      { "id": 3, "subnet": "10.66.16.0/20", "pools": [ { "pool": "10.66.16.10 - 10.66.31.250" } ] } ] } ],'; fi)
    "subnet4": [
      $([ "$BURST" = 1 ] || echo '{ "id": 1, "subnet": "10.66.0.0/24", "pools": [ { "pool": "10.66.0.100 - 10.66.0.199" } ] },')
      { "id": 2, "subnet": "10.66.1.0/24", "pools": [ { "pool": "10.66.1.100 - 10.66.1.199" } ] }
    ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$STATE/server.log" } ], "severity": "INFO" } ]
} }
CONF
  mkdir -p "$STATE/kea"
  KEA_LOCKFILE_DIR="$STATE/kea" KEA_PIDFILE_DIR="$STATE/kea" \
    setsid ip netns exec "$SRV" kea-dhcp4 -c "$STATE/kea-dhcp4.conf" >"$STATE/kea.out" 2>&1 < /dev/null &
  echo $! > "$STATE/server.pid"
  # Kea opens its raw socket asynchronously: wait until it listens on eth0.
  for _ in $(seq 100); do
    grep -q 'DHCPSRV_CFGMGR_NEW_SUBNET4\|DHCP4_STARTED' "$STATE/server.log" 2>/dev/null && break
    sleep 0.1
  done
}

server_up() {
  local kind=$1
  make_ns "$SRV"
  plug "$SRV" eth0 srv0 br0
  in_ns "$SRV" ip addr replace 10.66.0.1/24 dev eth0
  if [ "$BURST" = 1 ]; then
    in_ns "$SRV" ip addr replace 10.66.16.1/20 dev eth0
    BURST_RANGE=10.66.16.10,10.66.31.250,255.255.240.0,10m
  else
    in_ns "$SRV" ip addr del 10.66.16.1/20 dev eth0 2>/dev/null || true
  fi
  mirror_to_root "$SRV" eth0 "$TAP"
  local key=$kind
  [ "$BURST" = 1 ] && key="$kind+burst"
  if [ -s "$STATE/server.kind" ] && [ "$(cat "$STATE/server.kind")" = "$key" ] \
     && [ -s "$STATE/server.pid" ] && kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null; then
    return 0
  fi
  stop_pidfile "$STATE/server.pid"
  case "$kind" in
    isc) start_isc ;;
    dnsmasq) start_dnsmasq ;;
    kea) start_kea ;;
    *) die "unknown server '$kind' (isc, dnsmasq or kea)" ;;
  esac
  echo "$key" > "$STATE/server.kind"
  sleep 0.3
  kill -0 "$(cat "$STATE/server.pid")" 2>/dev/null || die "$kind did not start: $(tail -5 "$STATE/server.log" 2>/dev/null)"
}

relay_up() {
  make_ns "$RELAY"
  plug "$RELAY" eth0 rly0 br0
  plug "$RELAY" eth1 rly1 br1
  in_ns "$RELAY" ip addr replace 10.66.0.2/24 dev eth0
  in_ns "$RELAY" ip addr replace 10.66.1.1/24 dev eth1
  in_ns "$RELAY" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$SRV" ip route replace 10.66.1.0/24 via 10.66.0.2
  if ! { [ -s "$STATE/relay.pid" ] && kill -0 "$(cat "$STATE/relay.pid")" 2>/dev/null; }; then
    # -a adds option 82 (agent circuit id = the downstream interface name); the server answers relay:67.
    in_ns "$RELAY" dhcrelay -4 -a -q -pf "$STATE/relay.pid" -id eth1 -iu eth0 10.66.0.1 >"$STATE/relay.log" 2>&1
  fi
}

cmd_up() {
  local kind=isc relay=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --server) kind=$2; shift 2 ;;
      --relay) relay=1; shift ;;
      --burst) BURST=1; shift ;;
      *) die "up: unknown argument $1" ;;
    esac
  done
  bash "$HERE/prepare.sh" >/dev/null
  mkdir -p "$STATE"
  switch_up
  server_up "$kind"
  [ "$relay" -eq 1 ] && relay_up
  echo "$TAP"
}

cmd_rogue() {
  mkdir -p "$STATE"
  switch_up
  make_ns "$ROGUE"
  plug "$ROGUE" eth0 rogue0 br0
  in_ns "$ROGUE" ip addr replace 10.66.0.250/24 dev eth0
  mirror_to_root "$ROGUE" eth0 "$RTAP"
  if ! { [ -s "$STATE/rogue.pid" ] && kill -0 "$(cat "$STATE/rogue.pid")" 2>/dev/null; }; then
    in_ns "$ROGUE" dnsmasq --port=0 --no-ping --interface=eth0 --bind-interfaces --user=root \
      --dhcp-range=10.66.0.210,10.66.0.249,255.255.255.0,10m \
      --dhcp-leasefile="$STATE/rogue.leases" --pid-file="$STATE/rogue.pid" \
      --log-facility="$STATE/rogue.log" --conf-file=/dev/null
  fi
  echo "$RTAP"
}

client_ns() { echo "${P}c-$(echo "$1" | tr -d ':' | tr 'A-F' 'a-f')"; }

# A client's namespace and switch port. Sequential on purpose: concurrent `ip netns add` races
# (a half-created namespace file gives "Peer netns reference is invalid").
setup_client() {
  local mac=$1 segment=$2
  local ns; ns=$(client_ns "$mac")
  local id=${ns#"${P}c-"} bridge=br0
  [ "$segment" = b ] && bridge=br1
  make_ns "$ns"
  plug "$ns" eth0 "c$id" "$bridge"
  in_ns "$SW" ip link set "c$id" nomaster
  in_ns "$SW" ip link set "c$id" master "$bridge"
  in_ns "$ns" ip link set eth0 down
  in_ns "$ns" ip link set eth0 address "$mac"
  in_ns "$ns" ip link set eth0 up
}

# One DHCP exchange from the client's namespace; prints "MAC HOSTNAME IP" (or FAILED).
run_client() {
  local mac=$1 host=$2 vendor=$3 client=$4
  local ns; ns=$(client_ns "$mac")
  local id=${ns#"${P}c-"} out=""
  case "$client" in
    udhcpc)
      local vendor_args=()
      [ -n "$vendor" ] && vendor_args=(-V "$vendor")
      out=$(in_ns "$ns" udhcpc -i eth0 -f -q -n -t 8 -T 1 -A 1 -x "hostname:$host" "${vendor_args[@]}" \
            -s "$STATE/udhcpc.script" 2>"$STATE/client-$id.log" | tail -1) || true
      ;;
    dhclient)
      cat > "$STATE/dhclient-$id.conf" <<CONF
send host-name "$host";
${vendor:+send vendor-class-identifier \"$vendor\";}
CONF
      rm -f "$STATE/dhclient-$id.leases"
      in_ns "$ns" timeout 20 dhclient -4 -1 -sf /bin/true -cf "$STATE/dhclient-$id.conf" \
        -lf "$STATE/dhclient-$id.leases" -pf "$STATE/dhclient-$id.pid" eth0 >"$STATE/client-$id.log" 2>&1 || true
      out=$(awk '/fixed-address/ {gsub(";","",$2); ip=$2} END {print ip}' "$STATE/dhclient-$id.leases" 2>/dev/null)
      stop_pidfile "$STATE/dhclient-$id.pid"
      ;;
    *) die "unknown client $client (udhcpc or dhclient)" ;;
  esac
  [ -n "$out" ] || { echo "$mac $host FAILED"; return 1; }
  echo "$mac $host $out"
}

cmd_lease() {
  local vendor=iDRAC segment=a client=udhcpc
  local pairs=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --vendor) vendor=$2; shift 2 ;;
      --segment) segment=$2; shift 2 ;;
      --client) client=$2; shift 2 ;;
      *,*) pairs+=("$1"); shift ;;
      *) die "lease: expected MAC,HOSTNAME, got $1" ;;
    esac
  done
  [ ${#pairs[@]} -gt 0 ] || die "lease: no MAC,HOSTNAME given"
  mkdir -p "$STATE"
  ns_exists "$SW" || die "lease: run 'netns.sh up' first"
  printf '#!/bin/sh\n[ "$1" = bound ] && echo "$ip"\nexit 0\n' > "$STATE/udhcpc.script"
  chmod +x "$STATE/udhcpc.script"
  for pair in "${pairs[@]}"; do setup_client "${pair%%,*}" "$segment"; done
  local pids=() i=0 failed=0
  for pair in "${pairs[@]}"; do
    run_client "${pair%%,*}" "${pair#*,}" "$vendor" "$client" > "$STATE/lease-$i.out" &
    pids+=($!); i=$((i + 1))
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  for j in $(seq 0 $((i - 1))); do cat "$STATE/lease-$j.out"; rm -f "$STATE/lease-$j.out"; done
  return $failed
}

# A power-on burst: every MAC,HOSTNAME line of FILE leases at once from one namespace, through
# testbed/dhcp/burst.py (a packet-level client emulator). Prints "MAC HOSTNAME IP ACK_EPOCH".
cmd_burst() {
  local vendor=iDRAC window=128 file=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --vendor) vendor=$2; shift 2 ;;
      --window) window=$2; shift 2 ;;
      *) file=$1; shift ;;
    esac
  done
  [ -r "$file" ] || die "burst: FILE of MAC,HOSTNAME lines required"
  ns_exists "$SW" || die "burst: run 'netns.sh up --burst' first"
  make_ns "$BURSTNS"
  plug "$BURSTNS" eth0 burst0 br0
  in_ns "$BURSTNS" python3 "$HERE/burst.py" eth0 "$file" --vendor "$vendor" --window "$window"
}

cmd_down() {
  for f in "$STATE"/*.pid "$STATE"/kea/*.pid; do
    [ -e "$f" ] && stop_pidfile "$f"
  done
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^${P}(sw|srv|relay|rogue|burst|c-[0-9a-f]{12})$" || true); do
    # Kill whatever still runs inside (clients that outlived their lease, servers without pid files).
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
  for link in "$TAP" "$RTAP" "$SINK"; do
    ip link show "$link" >/dev/null 2>&1 && ip link del "$link"
  done
  rm -rf "$STATE"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  lease) shift; cmd_lease "$@" ;;
  rogue) shift; cmd_rogue ;;
  burst) shift; cmd_burst "$@" ;;
  tap) echo "$TAP" ;;
  rogue-tap) echo "$RTAP" ;;
  server-mac) in_ns "$SRV" cat /sys/class/net/eth0/address ;;
  down) cmd_down ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 64 ;;
esac
