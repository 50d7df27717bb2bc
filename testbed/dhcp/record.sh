#!/usr/bin/env bash
# Records real DHCP exchanges from the namespace test bed into a pcap, as the tap sees them (the
# server's interface mirrored: DISCOVER/REQUEST it receives, OFFER/ACK it sends).
#
# Usage: record.sh OUT.pcap --server isc|dnsmasq|kea [--relay] -- "LEASE ARGS" ["LEASE ARGS" ...]
#   each quoted LEASE ARGS is one `netns.sh lease` call, e.g. "--vendor iDRAC d0:94:66:10:20:01,idrac-r1-u01"
# Brings the test bed down at the end (namespaces and tap).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
out=$1; shift
up_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do up_args+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "record.sh: no lease groups given" >&2; exit 64; }

bash "$HERE/netns.sh" down
tap=$(bash "$HERE/netns.sh" up "${up_args[@]}" | tail -1)
log=$(mktemp)
tcpdump -Z root -i "$tap" -U -w "$out" 'udp and (port 67 or 68)' 2>"$log" &
dump=$!
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
for group in "$@"; do
  # shellcheck disable=SC2086 # a group is several arguments on purpose
  eval "bash \"$HERE/netns.sh\" lease $group"
done
sleep 1
kill -INT "$dump"
wait "$dump" || true
cat "$log" >&2
rm -f "$log"
bash "$HERE/netns.sh" down
