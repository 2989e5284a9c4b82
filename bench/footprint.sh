#!/usr/bin/env bash
# The footprint phase (bench/run.sh footprint [minutes] [sample seconds]): start the built jar
# through bin/odin (the shipped JVM settings, bin/jvm.options, and its class data sharing archive,
# made first and timed on its own), or with ODIN_BENCH_JAVA_OPTS as `java $ODIN_BENCH_JAVA_OPTS
# -jar` to measure one lever, on free loopback ports, with the probes and the transcript route running over a
# copy of the test transcripts; time `java -jar` to the first 200 of /ready, then sample VmRSS
# from /proc/PID/status every [sample seconds] (default 30) for [minutes] (default 10) while idle.
# Report: target/bench-footprint-report.txt (ODIN_BENCH_REPORT to change it). JAVA picks the JDK
# (JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java), ODIN_BENCH_JAR the jar.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
every="${2:-30}"
report="${ODIN_BENCH_REPORT:-target/bench-footprint-report.txt}"
jar="${ODIN_BENCH_JAR:-$(ls target/odin-*.jar | head -1)}"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
grpc=$(free_port); http=$(free_port); mgmt=$(free_port)
work=$(mktemp -d)
mkdir -p "$work/data" "$work/claude"
cp -r src/test/resources/transcripts/projects "$work/claude/"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
args=(--odin.otlp.grpc.port="$grpc" --server.port="$http" --management.server.port="$mgmt"
  --odin.data-dir="$work/data" --odin.claude.transcripts-dir="$work/claude/projects")
cds_ms=""
if [ -n "${ODIN_BENCH_JAVA_OPTS:-}" ]; then
  read -r -a opts <<< "$ODIN_BENCH_JAVA_OPTS"
  how="java ${opts[*]} -jar $jar"
  start=$(date +%s%N)
  "${JAVA:-java}" "${opts[@]}" -jar "$jar" "${args[@]}" > "$work/odin.log" 2>&1 &
else
  how="bin/odin (java @bin/jvm.options -XX:SharedArchiveFile=... -jar, ODIN_JAR=$jar)"
  export ODIN_JAR="$jar" ODIN_CDS_DIR="${ODIN_CDS_DIR:-$work/cds}"
  t0=$(date +%s%N)
  bin/odin cds >/dev/null
  cds_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  start=$(date +%s%N)
  bin/odin "${args[@]}" > "$work/odin.log" 2>&1 &
fi
odin=$!
trap 'kill $odin 2>/dev/null || true; wait $odin 2>/dev/null || true; cp "$work/odin.log" target/bench-footprint-odin.log 2>/dev/null || true; rm -rf "$work"' EXIT
ready=""
for _ in $(seq 1 1200); do
  if curl -fs -o /dev/null "http://127.0.0.1:$mgmt/ready" 2>/dev/null; then
    ready=$(( ($(date +%s%N) - start) / 1000000 )); break
  fi
  kill -0 $odin 2>/dev/null || { echo "ODIN exited before ready:"; tail -20 "$work/odin.log"; exit 1; }
  sleep 0.05
done
[ -n "$ready" ] || { echo "not ready within 60 s"; exit 1; }
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' /proc/$odin/stat; }
rss() { awk '/^VmRSS/ {print int($2/1024)}' /proc/$odin/status; }
{
  echo "footprint: $("${JAVA:-java}" -version 2>&1 | sed -n 2p); $(nproc) cores; MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX"
  echo "$how"
  echo "bin/jvm.options: $(grep -v '^#' bin/jvm.options | xargs)"
  [ -n "$cds_ms" ] && echo "cds_archive_ms $cds_ms (once per jar and JDK: extraction and the training start)"
  echo "ready_ms $ready"
  echo "cpu_s_at_ready $(cpu) (user+sys: less sensitive than ready_ms to other load on the machine)"
  echo "rss_mb_at_ready $(rss)"
  echo "threads_at_ready $(awk '/^Threads/ {print $2}' /proc/$odin/status)"
} | tee "$report"
end=$(( $(date +%s) + minutes * 60 ))
peak=0
while [ "$(date +%s)" -lt "$end" ]; do
  sleep "$every"
  kill -0 $odin 2>/dev/null || { echo "ODIN exited"; exit 1; }
  r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
  echo "t=$(( minutes * 60 - (end - $(date +%s)) ))s rss_mb $r" | tee -a "$report"
done
{
  echo "rss_mb_after_${minutes}min $(rss)"
  echo "rss_mb_peak $peak"
  echo "cpu_s_total $(cpu)"
  echo "threads_after $(awk '/^Threads/ {print $2}' /proc/$odin/status)"
  echo "transcript files polled by claude-transcripts $(find "$work/claude/projects" -name '*.jsonl' | wc -l)"
  echo "probe series exposed $(curl -fs "http://127.0.0.1:$mgmt/metrics" | grep -c '^node_' || true)"
} | tee -a "$report"
