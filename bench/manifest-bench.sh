#!/usr/bin/env bash
# Manifest load against the local NetBox, three ways in one run, from the same empty state:
#   floor     the writes alone, sent straight to NetBox as bulk requests (no lookups)
#   baseline  the spec's shell approach, one curl per lookup and per write (first BASELINE_ROWS rows)
#   ours      bm-pipeline manifest load
# Prints rows/s of each and the ratios. Usage: bench/manifest-bench.sh [ROWS] [BASELINE_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
rows=${1:-10000}
baseline_rows=${2:-300}
bash testbed/netbox/netbox.sh start >/dev/null
set -a; source "${BM_STATE_DIR:-/var/tmp/bm-pipeline}/netbox.env"; set +a
command -v jq >/dev/null || apt-get install -y jq >/dev/null
jar=target/quarkus-app/quarkus-run.jar
[ -f "$jar" ] || ./mvnw -B -q package -DskipTests
work=$(mktemp -d)
tag=${TAG:-mb$rows}
echo "seeding $rows devices (tag $tag)…"
python3 bench/netbox_bench.py seed "$rows" "$tag" "$work/manifest.csv"
python3 bench/netbox_bench.py clean "$tag"

floor=$(python3 bench/netbox_bench.py floor "$work/manifest.csv" "$tag")
echo "$floor"
python3 bench/netbox_bench.py clean "$tag"

head -n $((baseline_rows + 1)) "$work/manifest.csv" > "$work/baseline.csv"
start=$(date +%s.%N)
bash bench/manifest-baseline.sh "$work/baseline.csv"
baseline_s=$(echo "$(date +%s.%N) - $start" | bc)
echo "baseline rows=$baseline_rows seconds=$baseline_s rows_per_s=$(echo "scale=1; $baseline_rows / $baseline_s" | bc)"
python3 bench/netbox_bench.py clean "$tag"

start=$(date +%s.%N)
BM_NETBOX_URL="$NETBOX_URL" BM_NETBOX_TOKEN="$NETBOX_TOKEN_V2" BM_DATA_DIR="$work/data" \
  java --enable-native-access=ALL-UNNAMED -Dquarkus.http.port=0 -Dquarkus.management.port=0 -Dquarkus.log.level=WARN \
  -jar "$jar" manifest load "$work/manifest.csv" | tail -n 8 || echo "(manifest load: exit $?, some rows failed)"
ours_s=$(echo "$(date +%s.%N) - $start" | bc)
echo "ours rows=$rows seconds=$ours_s rows_per_s=$(echo "scale=1; $rows / $ours_s" | bc) (includes JVM start-up)"
python3 bench/netbox_bench.py clean "$tag"
[ "${KEEP:-0}" = 1 ] || python3 bench/netbox_bench.py drop "$tag"
