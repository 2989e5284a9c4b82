#!/usr/bin/env bash
# The benchmark: builds ODIN, starts it as its own process on free loopback ports, runs the load
# driver (src/test/java/dev/odin/bench/LoadDriver.java) against it, stops it. Bounded in time.
# Usage: bench/run.sh [seconds per phase, default 20]     Report: target/bench-report.txt
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
./mvnw -q -B -ntp -DskipTests package
./mvnw -q -B -ntp dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc=$(free_port); http=$(free_port); mgmt=$(free_port)
# the footprint settings the README recommends for a laptop (docs/benchmarks.md says why)
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
java ${ODIN_BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms64m -Xmx256m} -jar target/odin-*.jar --odin.otlp.grpc.port="$grpc" --server.port="$http" \
  --management.server.port="$mgmt" --logging.level.root=WARN > target/bench-odin.log 2>&1 &
odin=$!
trap 'kill $odin 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$mgmt/health" >/dev/null 2>&1 && break
  sleep 0.5
done
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" dev.odin.bench.LoadDriver \
  "$grpc" "$http" "$mgmt" "$odin" "$seconds"
