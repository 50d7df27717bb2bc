#!/usr/bin/env bash
# A real DHCP network in network namespaces, captured on the server: a "switch" namespace with a
# bridge, a server namespace running a real DHCP server (dnsmasq or ISC dhcpd) on 10.66.0.0/24,
# and one namespace per client running a real DHCP client (udhcpc) with the MAC, hostname (option
# 12) and vendor class (option 60) given. tcpdump in the server namespace writes what the server
# sees and sends, ACKs included, to a pcap. Everything is created by this script and removed at
# the end; no traffic leaves the namespaces.
#
# Usage: capture.sh SERVER OUT.pcap MAC,HOSTNAME,VENDORCLASS [...]      SERVER: dnsmasq | isc
set -euo pipefail
server=$1 out=$2
shift 2
prefix="bmt$$"
work=$(mktemp -d)
sw="$prefix-sw"
srv="$prefix-srv"
clients=()

cleanup() {
  set +e
  if [ -f "$work/tcpdump.pid" ]; then
    kill -INT "$(cat "$work/tcpdump.pid")" 2>/dev/null
    wait "$(cat "$work/tcpdump.pid")" 2>/dev/null   # the capture file is complete once tcpdump is gone
  fi
  [ -f "$work/server.pid" ] && kill "$(cat "$work/server.pid")" 2>/dev/null
  sleep 0.3
  for ns in "${clients[@]}" "$srv" "$sw"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$sw"
ip -n "$sw" link add br0 type bridge
ip -n "$sw" link set br0 up

port() {   # port NS IFNAME MAC: a veth from namespace NS into the bridge
  local ns=$1 name=$2 mac=${3:-}
  ip link add "$prefix-x" type veth peer name "$prefix-y"
  ip link set "$prefix-x" netns "$ns"
  ip -n "$ns" link set "$prefix-x" name "$name"
  [ -n "$mac" ] && ip -n "$ns" link set "$name" address "$mac"
  ip -n "$ns" link set "$name" up
  ip -n "$ns" link set lo up
  ip link set "$prefix-y" netns "$sw"
  local peer="p$((RANDOM))"
  ip -n "$sw" link set "$prefix-y" name "$peer"
  ip -n "$sw" link set "$peer" master br0 up
}

ip netns add "$srv"
port "$srv" srv0
ip -n "$srv" addr add 10.66.0.2/24 dev srv0

ip netns exec "$srv" tcpdump -i srv0 --immediate-mode -U -w "$out" 'udp and (port 67 or port 68)' >"$work/tcpdump.log" 2>&1 &
echo $! > "$work/tcpdump.pid"

case "$server" in
  dnsmasq)
    ip netns exec "$srv" dnsmasq --no-daemon --port=0 --interface=srv0 --bind-interfaces \
      --dhcp-range=10.66.0.100,10.66.0.199,255.255.255.0,1h --dhcp-leasefile="$work/leases" \
      --dhcp-authoritative --no-ping --log-dhcp >"$work/server.log" 2>&1 &
    echo $! > "$work/server.pid"
    ;;
  isc)
    cat > "$work/dhcpd.conf" <<CONF
authoritative;
ping-check false;
default-lease-time 3600;
subnet 10.66.0.0 netmask 255.255.255.0 { range 10.66.0.100 10.66.0.199; option subnet-mask 255.255.255.0; }
CONF
    touch "$work/dhcpd.leases"
    ip netns exec "$srv" dhcpd -f -4 -cf "$work/dhcpd.conf" -lf "$work/dhcpd.leases" -pf "$work/dhcpd.pid" srv0 \
      >"$work/server.log" 2>&1 &
    echo $! > "$work/server.pid"
    ;;
  *) echo "unknown server $server (dnsmasq | isc)" >&2; exit 2 ;;
esac
sleep 1

i=0
for spec in "$@"; do
  IFS=, read -r mac hostname vendor <<<"$spec"
  ns="$prefix-c$i"
  ip netns add "$ns"
  clients+=("$ns")
  port "$ns" eth0 "$mac"
  i=$((i + 1))
done
sleep 0.5
pids=()
for n in $(seq 0 $((i - 1))); do
  IFS=, read -r mac hostname vendor <<<"${@:$((n + 1)):1}"
  ip netns exec "$prefix-c$n" udhcpc -i eth0 -n -q -f -t 10 -T 1 -s /bin/true \
    -x "hostname:$hostname" -V "$vendor" >"$work/client$n.log" 2>&1 &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
sleep 1   # let tcpdump write the last ACKs before it is stopped
if [ "$failed" -gt 0 ]; then
  echo "capture.sh: $failed client(s) got no lease; server log:" >&2
  tail -5 "$work/server.log" >&2; cat "$work"/client*.log >&2
  exit 1
fi
echo "capture.sh: $i client(s) leased from $server; capture in $out"
