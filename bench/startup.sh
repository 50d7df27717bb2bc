#!/usr/bin/env bash
# Start-up of the packaged service in JVM mode: seconds from `java -jar` to the first
# readiness answer, and resident memory then; plain, and with a Java 25 AOT cache trained by one
# run. Needs the local NetBox (testbed/netbox/netbox.sh start) and a built target/quarkus-app.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
state_dir="${BM_STATE_DIR:-/var/tmp/bm-pipeline}"
source "$state_dir/netbox.env"
jar=target/quarkus-app/quarkus-run.jar
[ -f "$jar" ] || ./mvnw -B -q package -DskipTests
aot="$(mktemp -d)/app.aot"
port=19300

run_once() {   # run_once EXTRA_JVM_ARGS... : prints "seconds rss_mib"
  local start pid t rss
  start=$(date +%s%N)
  BM_NETBOX_URL="$NETBOX_URL" BM_NETBOX_TOKEN_FILE="$state_dir/netbox-token-v2" \
    java "$@" --enable-native-access=ALL-UNNAMED -Dquarkus.http.port=19380 -Dquarkus.management.port=$port \
    -jar "$jar" serve >/tmp/bm-startup.log 2>&1 &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat /tmp/bm-startup.log >&2; return 1; }
    sleep 0.05
  done
  t=$(( ($(date +%s%N) - start) / 1000000 ))
  rss=$(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '%d.%03d %d\n' $((t / 1000)) $((t % 1000)) "$rss"
}

echo "plain JVM (3 runs): seconds-to-ready RSS-MiB"
for _ in 1 2 3; do run_once; done
echo "training the AOT cache (one run)"
run_once -XX:AOTCacheOutput="$aot" >/dev/null
echo "with -XX:AOTCache (3 runs): seconds-to-ready RSS-MiB"
for _ in 1 2 3; do run_once -XX:AOTCache="$aot"; done
