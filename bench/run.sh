#!/usr/bin/env bash
# The benchmarks: build ODIN, start it as its own process on free loopback ports, run a load
# driver against it, stop it. Every phase is bounded in time.
#
#   bench/run.sh [seconds]                      metrics: OTLP points over gRPC and HTTP, scrapes, RSS
#                                               (src/test/java/dev/odin/bench/LoadDriver.java)
#   bench/run.sh logs [seconds] [outage secs]   events: OTLP logs -> disk queue -> stand-in Loki,
#                                               then a Loki outage (default 600 s)
#                                               (src/test/java/dev/odin/bench/LogsLoadDriver.java)
#   bench/run.sh overload [seconds]             overload: the sustainable event rate, then 10x that rate
#                                               for the given time (default 180 s) with a slow Loki;
#                                               accepted, refused, lost (must be 0), peak RSS
#                                               (src/test/java/dev/odin/bench/OverloadDriver.java)
#   bench/run.sh probes [cycles] [processes]    CPU per probe cycle (host, process with a few hundred
#                                               processes, GPU stand-in) beside node_exporter's scrape
#                                               (src/test/java/dev/odin/bench/ProbeBench.java)
#   bench/run.sh cost [points]                  what a decoded OTLP request holds and allocates per body
#                                               byte, protobuf and JSON (the admission cost factors)
#                                               (src/test/java/dev/odin/bench/DecodedCost.java)
#   bench/run.sh footprint [minutes] [every s]  a laptop's ODIN: started by bin/odin (bin/jvm.options, class data
#                                               sharing) with the probes and the transcript route; ms and CPU s to
#                                               /ready, then RSS every [every s] (30) for [minutes] idle (10)
#                                               (bench/footprint.sh; ODIN_BENCH_JAVA_OPTS: plain java -jar instead)
#   bench/run.sh million [series]               a million series (default 1000000): filled over OTLP/HTTP,
#                                               then text, OpenMetrics and protobuf scrapes timed with curl,
#                                               RSS; then in-process heap per series and streamed vs
#                                               whole-snapshot scrape times (src/test/java/dev/odin/bench/MillionSeries.java)
# Reports: target/bench-footprint-report.txt, target/bench-report.txt, target/bench-logs-report.txt, target/bench-overload-report.txt,
# target/bench-probes-report.txt
set -euo pipefail
cd "$(dirname "$0")/.."
mode=metrics
if [ "${1:-}" = logs ] || [ "${1:-}" = probes ] || [ "${1:-}" = overload ] || [ "${1:-}" = cost ] || [ "${1:-}" = footprint ] || [ "${1:-}" = million ]; then mode=$1; shift; fi
seconds="${1:-20}"
outage="${2:-600}"
./mvnw -q -B -ntp -DskipTests package
./mvnw -q -B -ntp dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
if [ "$mode" = footprint ]; then
  exec bench/footprint.sh "${1:-10}" "${2:-30}"
fi
if [ "$mode" = cost ]; then
  exec java -XX:+UseParallelGC -Xmx1g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
    dev.odin.bench.DecodedCost "${1:-60000}"
fi
if [ "$mode" = probes ]; then
  # in-process: the probes are measured on their own thread, no ODIN server needed
  exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" dev.odin.bench.ProbeBench \
    "${1:-200}" "${2:-300}" target/bench-probes-report.txt
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc=$(free_port); http=$(free_port); mgmt=$(free_port); loki=$(free_port)
data=$(mktemp -d)
extra=()
if [ "$mode" = logs ]; then extra=(--odin.loki.url="http://127.0.0.1:$loki"); fi
if [ "$mode" = overload ]; then
  seconds="${1:-180}"
  # the gateway's settings (k8s/base/gateway.yaml), with a queue small enough to reach its soft limit
  extra=(--odin.loki.url="http://127.0.0.1:$loki" --odin.loki.queue-max-size=256MB)
fi
if [ "$mode" = million ]; then
  series="${1:-1000000}"
  # caps above the million, and a heap for it (docs/configuration.md: about 250 bytes a series)
  extra=(--odin.metrics.max-series=$((series + 100000)) --odin.metrics.max-series-per-metric=$((series / 10 + 1000)))
  ODIN_BENCH_JAVA_OPTS="${ODIN_BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms64m -Xmx1g -XX:+ExitOnOutOfMemoryError}"
fi
# the gateway's settings (k8s/base/gateway.yaml: bin/jvm.options, then the Parallel collector;
# docs/benchmarks.md says why)
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
java ${ODIN_BENCH_JAVA_OPTS:-@bin/jvm.options -XX:-UseSerialGC -XX:+UseParallelGC -XX:TieredStopAtLevel=4 -XX:CompileThresholdScaling=1 -XX:NewRatio=2 -XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 -Xms64m -Xmx256m} -jar target/odin-*.jar --odin.otlp.grpc.port="$grpc" --server.port="$http" \
  --management.server.port="$mgmt" --odin.data-dir="$data" --logging.level.root=WARN "${extra[@]}" > target/bench-odin.log 2>&1 &
odin=$!
trap 'kill $odin 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$mgmt/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
sleep 1 # the gRPC port opens right after the routes start
cp="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
if [ "$mode" = million ]; then
  report=target/bench-million-report.txt
  {
    echo "# $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
    java -cp "$cp" dev.odin.bench.MillionSeries fill "$http" "$series"
    echo "ODIN RSS after the fill: $(( $(awk '/VmRSS/ {print $2}' /proc/$odin/status) / 1024 )) MB"
    for accept in "text/plain;version=0.0.4" "application/openmetrics-text;version=1.0.0" \
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"; do
      for i in 1 2 3; do
        curl -s -o /dev/null -H "Accept: $accept" -w "scrape ${accept%%;*} %{time_total} s, %{size_download} bytes, first byte after %{time_starttransfer} s\n" \
          "http://127.0.0.1:$mgmt/metrics"
      done
    done
    echo "ODIN RSS after the scrapes: $(( $(awk '/VmRSS/ {print $2}' /proc/$odin/status) / 1024 )) MB"
    kill $odin 2>/dev/null || true
    wait $odin 2>/dev/null || true
    echo "in-process (MillionSeries heap $series):"
    java -XX:+UseParallelGC -Xmx4g -cp "$cp" dev.odin.bench.MillionSeries heap "$series"
  } 2>&1 | grep -v '^OpenJDK.*warning' | tee "$report"
elif [ "$mode" = overload ]; then
  java -Xmx1g -cp "$cp" dev.odin.bench.OverloadDriver "$grpc" "$mgmt" "$odin" "$loki" "$seconds"
elif [ "$mode" = logs ]; then
  java -cp "$cp" dev.odin.bench.LogsLoadDriver "$grpc" "$mgmt" "$odin" "$loki" "$seconds" "$outage"
else
  java -cp "$cp" dev.odin.bench.LoadDriver "$grpc" "$http" "$mgmt" "$odin" "$seconds"
fi
