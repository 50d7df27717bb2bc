#!/usr/bin/env bash
# JMH: what the tap's spooler spends per lease (envelope, encoding, append + fdatasync per group of 500), one thread;
# -prof gc adds the bytes allocated per lease. Extra arguments go to JMH.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
./mvnw -B -q -o test-compile
./mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:target/classes:$(cat target/bench.cp)" org.openjdk.jmh.Main \
  'io.bmpipeline.bench.LeaseSpoolBenchmark' -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -prof gc "$@"
