#!/usr/bin/env bash
# PXE callback API: step posts per second and their p50/p99 latency, on loopback, through the packaged service
# (`bm-pipeline serve`) against the local NetBox: each post authenticated (the device's credential), validated
# against the generated OpenAPI document, checked against the lifecycle table and published durably on the bus
# (fsynced) before its 202; the NetBox writes of the pxe-validation consumers queue behind, as in production.
# The load is wrk (testbed/loadgen) with bench/pxe-step.lua; in the same run, with the same wrk settings:
#   floor     GET /pxe/v1/openapi.json: the HTTP server and Camel's REST consumer, nothing of ours
#   baseline  the same POST with the runId each device already used: authenticated, validated, checked, and
#             answered "duplicate" by the bus (no new event; the bus still waits for an fsync before answering)
#   ours      every POST with a new runId: a new event stored on the bus each
# ROUNDS rounds of the three, in that order, after one unreported warm-up of ours; per run the service's CPU
# time per request too (robust to other work on the machine, which changes req/s and latency). After the run the bus file is read
# (the service stopped): every 2xx wrk counted must be an event there.
# Usage: bench/pxe-callback-bench.sh [DEVICES]          (default 32: more than bm.pxe.consumers, see docs/benchmarks.md)
# Environment: THREADS (2), CONNECTIONS (64), DURATION (30s), WARMUP (15s), ROUNDS (2), KEEP=1 (keep the NetBox
# devices and the work folder), HTTP_PORT (19580), MANAGEMENT_PORT (19577), APP (target/quarkus-app: another
# build's quarkus-app folder, to compare two commits on the same machine one after the other), SERVICE_JAVA_OPTS
# (more JVM options for the service, e.g. -Xlog:gc:file=/tmp/gc.log to see its pauses).
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
n=${1:-32}
threads=${THREADS:-2}
connections=${CONNECTIONS:-64}
duration=${DURATION:-30s}
warmup=${WARMUP:-15s}
rounds=${ROUNDS:-2}
http_port=${HTTP_PORT:-19580}
management_port=${MANAGEMENT_PORT:-19577}
tag=${TAG:-pcb$n}
bash testbed/netbox/netbox.sh start >/dev/null
bash testbed/loadgen/prepare.sh >/dev/null
set -a; source "${BM_STATE_DIR:-/var/tmp/bm-pipeline}/netbox.env"; set +a
command -v jq >/dev/null || apt-get install -y jq >/dev/null
app=${APP:-target/quarkus-app}
[ -n "${APP:-}" ] || [ -d target/quarkus-app ] || ./mvnw -B -q -o package -DskipTests
jar=$app/quarkus-run.jar
h2=$(ls "$app"/lib/main/com.h2database.h2-*.jar)
for port in "$http_port" "$management_port"; do
  ! ss -Hltn "sport = :$port" | grep -q . || { echo "pxe-callback-bench: port $port is in use" >&2; exit 1; }
done
api=http://127.0.0.1:$http_port
management=http://127.0.0.1:$management_port
work=$(mktemp -d)
service=""
seeded=0
cleanup() {
  if [ -n "$service" ]; then kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; fi
  if [ "$seeded" = 1 ] && [ "${KEEP:-0}" != 1 ]; then python3 bench/netbox_bench.py drop "$tag" || true; fi
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$work/data"; fi
  echo "work files: $work"
}
trap cleanup EXIT

echo "seeding $n discovered devices in NetBox (tag $tag)…"
seeded=1
python3 bench/netbox_bench.py seed "$n" "$tag" "$work/devices.csv"
python3 bench/netbox_bench.py status "$tag" discovered

BM_NETBOX_URL="$NETBOX_URL" BM_NETBOX_TOKEN="$NETBOX_TOKEN_V2" BM_DATA_DIR="$work/data" \
  java ${SERVICE_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -Dquarkus.http.port="$http_port" -Dquarkus.management.port="$management_port" \
  -jar "$jar" serve > "$work/service.log" 2>&1 &
service=$!
for _ in $(seq 120); do
  curl -sf "$management/q/health/ready" >/dev/null 2>&1 && break
  kill -0 "$service" 2>/dev/null || { cat "$work/service.log"; exit 1; }
  sleep 0.5
done
curl -sf "$management/q/health/ready" >/dev/null || { echo "service not ready"; tail -20 "$work/service.log"; exit 1; }

# A new validation run per device: its credential, from the operator's endpoint.
tail -n +2 "$work/devices.csv" | cut -d, -f1 | while read -r serial; do
  credential=$(curl -sf -X POST "$management/bm/pxe/credentials/$serial" | jq -er .credential)
  echo "$serial $credential"
done > "$work/credentials.txt"
[ "$(wc -l < "$work/credentials.txt")" -eq "$n" ] || { echo "credentials minted for fewer than $n devices"; exit 1; }

# run LABEL MODE PREFIX DURATION: one wrk run; its bm-wrk line, and the service's CPU time over it, go to $work/LABEL.wrk
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$service/stat"; }
run() {
  local before
  echo "$1: load average $(cut -d' ' -f1-3 /proc/loadavg) before" > "$work/$1.wrk"
  before=$(cpu_ticks)
  wrk -t"$threads" -c"$connections" -d"$4" --latency -s bench/pxe-step.lua "$api" \
    -- "$work/credentials.txt" "$2" "$3" >> "$work/$1.wrk"
  echo "service: cpu_ticks=$(( $(cpu_ticks) - before )) (1/$(getconf CLK_TCK) s)" >> "$work/$1.wrk"
  grep '^bm-wrk:' "$work/$1.wrk"
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$work/$1.wrk"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# The service's CPU time per request of a run, in microseconds (all its threads: the NetBox consumers too).
cpu_per() { awk -v t="$(field "$1" cpu_ticks)" -v hz="$(getconf CLK_TCK)" -v n="$(field "$1" requests)" \
  'BEGIN { printf "%.0f", t * 1e6 / hz / n }'; }
two_xx() { echo $(( $(field "$1" requests) - $(field "$1" non2xx3xx) )); }

echo "app $app; wrk -t$threads -c$connections, $n devices; warm-up ($warmup, not reported):"
run warmup unique w "$warmup" >/dev/null
field warmup rps | sed 's/^/  warm-up rps=/'
for r in $(seq "$rounds"); do
  echo "round $r"
  printf '  floor (GET openapi.json)   %s\n' "$(run "floor$r" openapi - "$duration")"
  printf '  baseline (duplicate runId) %s\n' "$(run "baseline$r" duplicate dup "$duration")"
  printf '  ours (a new runId each)    %s\n' "$(run "ours$r" unique "u$r" "$duration")"
done
curl -s "$management/q/health/ready" | jq -r '.checks[] | select(.name == "event-bus") | .data
  | "queued behind for NetBox: \(.["bm.pxe.events/pxe-validation"]); bus store \(.storeBytes / 1048576 | floor) MiB"'
kill "$service"; wait "$service" 2>/dev/null || true; service=""

# Every post answered 2xx in a run must be an event on the bus: count them in the stopped service's store.
stored() {
  java -cp "$h2" org.h2.tools.Shell -url "jdbc:h2:file:$work/data/bus" -user sa -password "" -sql \
    "SELECT COUNT(*) FROM bus_event WHERE topic = 'bm.pxe.events' AND envelope LIKE '%\"type\":\"bm.pxe.step.reported\"%' AND envelope LIKE '%\"runId\":\"$1%'" \
    | sed -n 2p
}
status=0
echo "results (wrk -t$threads -c$connections -d$duration, $n devices; latencies in ms):"
for r in $(seq "$rounds"); do
  ours=$(stored "u$r-")
  accepted=$(two_xx "ours$r")
  verdict=ok
  # wrk does not count the requests still in flight when it stops: at most one per connection more.
  if [ "$ours" -lt "$accepted" ] || [ "$ours" -gt $(( accepted + connections )) ]; then verdict=MISMATCH; status=1; fi
  for phase in ours baseline floor; do
    printf '  round %d %-8s %8s req/s  p50 %8s  p99 %8s  non-2xx %s  service CPU %s µs/request\n' "$r" "$phase" \
      "$(field "$phase$r" rps)" "$(field "$phase$r" p50_ms)" "$(field "$phase$r" p99_ms)" \
      "$(field "$phase$r" non2xx3xx)" "$(cpu_per "$phase$r")"
  done
  printf '  round %d ours/baseline: %s× the posts/s, %s× the p99; bus: %s new events for %s 2xx answers (%s)\n' "$r" \
    "$(ratio "$(field "ours$r" rps)" "$(field "baseline$r" rps)")" \
    "$(ratio "$(field "ours$r" p99_ms)" "$(field "baseline$r" p99_ms)")" "$ours" "$accepted" "$verdict"
done
echo "  bus: $(stored dup) baseline events (one per device: the first duplicate-runId post of each)"
exit "$status"
