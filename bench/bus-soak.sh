#!/usr/bin/env bash
# Soak of the embedded event bus (io.bmpipeline.bench.BusSoak): EVENTS lease-sized events published in batches of
# BATCH, consumed and acknowledged by CONSUMERS threads, retention every 10,000 events keeping KEEP acknowledged
# events; prints rates, the store's size on disk and RSS every 10,000 events. Defaults: 200000 100 8 20000 h2
# (ENGINE artemis: the evaluation prototype of docs/event-bus-engines.md; SOAK_JAVA_OPTS passes its -Dbm.artemis.* tuning).
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
[ -f target/test-classes/io/bmpipeline/bench/BusSoak.class ] || ./mvnw -B -q test-compile
./mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=target/soak-cp.txt -Dmdep.includeScope=test >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
java -Xmx512m -Djava.util.logging.manager=org.jboss.logmanager.LogManager ${SOAK_JAVA_OPTS:-} -cp "target/classes:target/test-classes:$(cat target/soak-cp.txt)" io.bmpipeline.bench.BusSoak \
  "$dir" "${1:-200000}" "${2:-100}" "${3:-8}" "${4:-20000}" "${5:-h2}"
