#!/usr/bin/env bash
# JMH: DHCP parser throughput, frames per second on one core (demo/leases.pcap's real-format frames).
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
./mvnw -B -q test-compile
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
java -cp "target/test-classes:target/classes:$(cat target/bench.cp)" org.openjdk.jmh.Main \
  'io.bmpipeline.bench.DhcpParserBenchmark' -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 "$@"
