#!/usr/bin/env bash
# Phase 0 discovery latency against the local NetBox, three ways on the same burst (root: network
# namespaces). N devices, each with a BMC MAC in NetBox and offline; a packet-level emulator leases
# the N MACs at once through a real ISC dhcpd (testbed/dhcp/netns.sh burst):
#   ours      bm-pipeline serve with the live tap on the server's mirror
#   baseline  the spec's proof of concept: a pure-Python tap spawning one bash hook per ACK, one curl per call
#   floor     the minimal writes for the same N leases sent straight to NetBox as bulk requests
# Between runs the devices go back to offline without IP; the server re-acks the same addresses.
# Latency per lease = the device's last NetBox update (the status, the final write) - the ACK on the wire.
# Usage: bench/discovery-bench.sh [N]     (SKIP_BASELINE=1: ours and floor only; KEEP=1: keep the devices)
# Environment: CONSUMERS (bm.discovery.consumers), BATCH (bm.netbox.batch-size; 1 = one request per call)
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
n=${1:-500}
consumers=${CONSUMERS:-256}
batch=${BATCH:-100}
[ "$(id -u)" -eq 0 ] || { echo "discovery-bench: needs root (network namespaces)" >&2; exit 1; }
bash testbed/netbox/netbox.sh start >/dev/null
set -a; source "${BM_STATE_DIR:-/var/tmp/bm-pipeline}/netbox.env"; set +a
command -v jq >/dev/null || apt-get install -y jq >/dev/null
jar=target/quarkus-app/quarkus-run.jar
[ -f "$jar" ] || ./mvnw -B -q package -DskipTests
export BMT_PREFIX=bmb-
work=$(mktemp -d)
tag=${TAG:-db$n}
service=""
cleanup() {
  [ -n "$service" ] && kill "$service" 2>/dev/null || true
  bash testbed/dhcp/netns.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "seeding $n devices with BMC MACs (tag $tag)…"
python3 bench/netbox_bench.py seed "$n" "$tag" "$work/manifest.csv"
python3 bench/netbox_bench.py macs "$work/manifest.csv" "$tag"
python3 bench/netbox_bench.py reset "$tag"
tail -n +2 "$work/manifest.csv" | awk -F, '{ printf "%s,bmc-%s\n", tolower($2), $1 }' > "$work/clients.txt"
bash testbed/dhcp/netns.sh down >/dev/null 2>&1 || true
tap=$(bash testbed/dhcp/netns.sh up --server isc --burst | tail -1)

# ---- ours -------------------------------------------------------------------------------
BM_NETBOX_URL="$NETBOX_URL" BM_NETBOX_TOKEN="$NETBOX_TOKEN_V2" BM_DATA_DIR="$work/data" \
  BM_DHCP_ENABLED=true BM_DHCP_INTERFACE_NAME="$tap" BM_DHCP_SERVERS=10.66.0.1,10.66.16.1 \
  BM_DISCOVERY_CONSUMERS="$consumers" BM_NETBOX_BATCH_SIZE="$batch" \
  java --enable-native-access=ALL-UNNAMED -Dquarkus.http.port=0 -Dquarkus.management.port=19077 \
  -Dquarkus.log.level=WARN -jar "$jar" serve > "$work/service.log" 2>&1 &
service=$!
for _ in $(seq 120); do
  curl -sf http://127.0.0.1:19077/q/health/ready >/dev/null 2>&1 && break
  kill -0 "$service" 2>/dev/null || { cat "$work/service.log"; exit 1; }
  sleep 0.5
done
curl -sf http://127.0.0.1:19077/q/health/ready >/dev/null || { echo "service not ready"; tail -20 "$work/service.log"; exit 1; }
bash testbed/dhcp/netns.sh burst "$work/clients.txt" > "$work/ours.leases"
python3 bench/netbox_bench.py wait-discovered "$tag" "$n" 1800
python3 bench/netbox_bench.py discovery-result "$work/ours.leases" "$tag" "ours(consumers=$consumers,batch=$batch)"
kill "$service"; wait "$service" 2>/dev/null || true; service=""
python3 bench/netbox_bench.py reset "$tag"

# ---- baseline ---------------------------------------------------------------------------
if [ "${SKIP_BASELINE:-0}" != 1 ]; then
python3 bench/discovery-baseline-tap.py "$tap" "$n" bench/discovery-baseline-hook.sh > "$work/baseline-tap.log" 2>&1 &
tap_pid=$!
sleep 1
bash testbed/dhcp/netns.sh burst "$work/clients.txt" > "$work/baseline.leases"
wait "$tap_pid" || true
python3 bench/netbox_bench.py wait-discovered "$tag" "$n" 60
python3 bench/netbox_bench.py discovery-result "$work/baseline.leases" "$tag" "baseline"
python3 bench/netbox_bench.py reset "$tag"
fi

# ---- floor ------------------------------------------------------------------------------
python3 bench/netbox_bench.py discovery-floor "$work/ours.leases" "$tag"
python3 bench/netbox_bench.py reset "$tag"
[ "${KEEP:-0}" = 1 ] || python3 bench/netbox_bench.py drop "$tag"
echo "work files: $work"
