#!/usr/bin/env bash
# Where Tandem's CPU goes in one benchmark scenario: the same backends, pinning and launcher as run.sh, with Java
# Flight Recorder on for a window after the warm-up. Prints the hottest methods (by own samples and by samples
# under them), the allocation hot spots and the GC pauses; keeps the recording in work/profile-<scenario>.jfr for
# JDK Mission Control or `jfr print`.
#
#   bash cluster-tests/bench/profile.sh                      # keepalive, 45 s warm-up, 30 s recorded
#   SCENARIO=body64k RECORD=60 bash cluster-tests/bench/profile.sh
#   JFR_TOOL=/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr ...  # a newer jfr adds `jfr view` tables
#   PERIOD=1ms ...                                          # sample more often than the profile settings' 10 ms
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCENARIO=${SCENARIO:-keepalive}
WARMUP=${WARMUP:-45}
RECORD=${RECORD:-30}
CONNECTIONS=${CONNECTIONS:-50}
LOAD_CORE=${LOAD_CORE:-0}
LB_CORE=${LB_CORE:-1}
TOP=${TOP:-25}
HOST=127.0.0.1
LB_PORT=${LB_PORT:-18080}
BACKEND_PORTS=${BACKEND_PORTS:-"19001 19002"}
read -r -a BACKENDS <<<"$BACKEND_PORTS"
H2_BACKEND_PORTS=${H2_BACKEND_PORTS:-"19011 19012"}   # start_backends also opens the backends' h2c listeners
read -r -a H2_BACKENDS <<<"$H2_BACKEND_PORTS"
WORK=${WORK:-$HERE/work}
TANDEM_JAR=$ROOT/node/target/tandem.jar
TANDEM_LAUNCHER=$ROOT/node/target/tandem
TANDEM_CONFIG=$ROOT/config/bench/http.yaml
MODE=http
JFR_FILE=$WORK/profile-$SCENARIO.jfr
JFR_TOOL=${JFR_TOOL:-$(command -v jfr || echo "$(dirname "$(readlink -f "$(command -v java)")")/jfr")}

# shellcheck source=lib/procs.sh
source "$HERE/lib/procs.sh"
# shellcheck source=lib/servers.sh
source "$HERE/lib/servers.sh"

case $SCENARIO in
  keepalive) SCENARIO_PATH=/; WRK_ARGS=(-c"$CONNECTIONS") ;;
  newconn) SCENARIO_PATH=/; WRK_ARGS=(-c"$CONNECTIONS" -H "Connection: close") ;;
  body64k) SCENARIO_PATH=/64k; WRK_ARGS=(-c"$CONNECTIONS") ;;
  tls-keepalive) SCENARIO_PATH=/; WRK_ARGS=(-c"$CONNECTIONS"); MODE=https; TANDEM_CONFIG=$ROOT/config/bench/https.yaml ;;
  # HTTP/2 with prior knowledge from h2load (16 connections of 10 streams, as run.sh), to HTTP/1.1 or h2c backends.
  h2-h1) SCENARIO_PATH=/; LOAD=h2load; TANDEM_CONFIG=$ROOT/config/bench/h2c-h1.yaml ;;
  h2-h2) SCENARIO_PATH=/; LOAD=h2load; TANDEM_CONFIG=$ROOT/config/bench/h2c.yaml ;;
  *) die "unknown scenario $SCENARIO (keepalive, newconn, body64k, tls-keepalive, h2-h1, h2-h2)" ;;
esac
[[ -x $JFR_TOOL ]] || die "the jfr tool was not found (set JFR_TOOL)"
[[ -f $TANDEM_JAR ]] || die "node/target/tandem.jar not found (build it: mvn -B -DskipTests package)"

# Hottest frames of jdk.ExecutionSample: by own samples (top frame) and by samples under them (any frame).
hot_methods() {
  "$JFR_TOOL" print --events jdk.ExecutionSample --stack-depth 64 "$JFR_FILE" | awk -v top="$TOP" '
    /^jdk.ExecutionSample/ { inside = 0; first = 1; delete seen; samples++ }
    /stackTrace = \[/ { inside = 1; next }
    inside && /^[[:space:]]*\]/ { inside = 0 }
    inside && /line:/ {
      frame = $0; sub(/^[[:space:]]+/, "", frame); sub(/[[:space:]]+line:.*/, "", frame)
      if (first) { self[frame]++; first = 0 }
      if (!(frame in seen)) { total[frame]++; seen[frame] = 1 }
    }
    END {
      printf "%d execution samples\n\n-- own time (top frame) --\n", samples
      n = 0; for (f in self) order[n++] = sprintf("%08d\t%s", self[f], f)
      emit(order, n, samples)
      printf "\n-- total time (anywhere on the stack) --\n"
      delete order; n = 0; for (f in total) order[n++] = sprintf("%08d\t%s", total[f], f)
      emit(order, n, samples)
    }
    function emit(order, n, samples,   i, j, t, parts) {
      for (i = 1; i < n; i++) { t = order[i]; for (j = i - 1; j >= 0 && order[j] < t; j--) order[j + 1] = order[j]; order[j + 1] = t }
      for (i = 0; i < n && i < top; i++) { split(order[i], parts, "\t"); printf "%6.1f%%  %s\n", 100 * parts[1] / samples, parts[2] }
    }'
}

# Allocation samples (weight = bytes) by the allocating frame outside java.*/jdk.*.
allocations() {
  "$JFR_TOOL" print --events jdk.ObjectAllocationSample --stack-depth 12 "$JFR_FILE" | awk -v top="$TOP" '
    /^jdk.ObjectAllocationSample/ { inside = 0; done = 0; cls = ""; w = 0 }
    /objectClass = / { cls = $3 }
    /weight = / { v = $3; u = $4; w = v * (u ~ /^kB/ ? 1024 : u ~ /^MB/ ? 1048576 : u ~ /^GB/ ? 1073741824 : 1) }
    /stackTrace = \[/ { inside = 1; next }
    inside && /line:/ && !done {
      frame = $0; sub(/^[[:space:]]+/, "", frame); sub(/[[:space:]]+line:.*/, "", frame)
      if (frame !~ /^(java|jdk|sun)\./) { key = cls " <- " frame; bytes[key] += w; all += w; done = 1 }
    }
    END {
      n = 0; for (k in bytes) order[n++] = sprintf("%016.0f\t%s", bytes[k], k)
      for (i = 1; i < n; i++) { t = order[i]; for (j = i - 1; j >= 0 && order[j] < t; j--) order[j + 1] = order[j]; order[j + 1] = t }
      printf "-- allocation (sampled bytes, first frame outside the JDK) --\n"
      for (i = 0; i < n && i < top; i++) { split(order[i], p, "\t"); printf "%6.1f%%  %s\n", 100 * p[1] / all, p[2] }
    }'
}

gc_pauses() {
  "$JFR_TOOL" print --events jdk.GarbageCollection "$JFR_FILE" | awk '
    /name = / { name = $3 }
    /sumOfPauses = / { v = $3; u = $4; ms = v * (u ~ /^s/ ? 1000 : u ~ /^us/ ? 0.001 : u ~ /^ns/ ? 0.000001 : 1);
      n[name]++; sum[name] += ms; if (ms > max[name]) max[name] = ms }
    END { printf "-- garbage collections --\n"; for (k in n) printf "%s: %d, %.1f ms in all, longest %.2f ms\n", k, n[k], sum[k], max[k] }'
}

main() {
  mkdir -p "$WORK"
  stop_leftovers
  trap stop_all EXIT
  trap 'exit 130' INT TERM
  install_tools
  local port
  for port in "$LB_PORT" "${BACKENDS[@]}"; do ! port_open "$port" || die "$HOST:$port is already in use"; done
  start_backends
  # h2-h2: Tandem's config names 19001/19002; the copy points them at the backends' h2c listeners.
  [[ $SCENARIO != h2-h2 ]] || BACKENDS=("${H2_BACKENDS[@]}")
  rm -f "$JFR_FILE"
  export TANDEM_JAVA_OPTS="${TANDEM_JAVA_OPTS:-} -XX:StartFlightRecording=delay=${WARMUP}s,duration=${RECORD}s,settings=profile${PERIOD:+,jdk.ExecutionSample#period=$PERIOD},filename=$JFR_FILE"
  TANDEM_JAVA_OPTS_SET=1
  start_tandem
  remember "$LB_PID"
  wait_for_port "$LB_PORT" "$LB_PID" tandem
  check_get "$LB_PORT" "$SCENARIO_PATH" 1
  local url
  url="$([[ $MODE == https ]] && echo https || echo http)://$HOST:$LB_PORT$SCENARIO_PATH"
  log "$SCENARIO: warming up ${WARMUP}s, then recording ${RECORD}s (Tandem on core $LB_CORE)"
  local before after
  local requests
  if [[ ${LOAD:-wrk} == h2load ]]; then
    taskset -c "$LOAD_CORE" h2load -t1 -c16 -m10 -D "$WARMUP" "$url" >"$WORK/profile-warmup.txt" 2>&1
    before=$(cpu_ticks "$LB_PID")
    taskset -c "$LOAD_CORE" h2load -t1 -c16 -m10 -D "$RECORD" "$url" >"$WORK/profile-wrk.txt" 2>&1
    after=$(cpu_ticks "$LB_PID")
    requests=$(awk '/^requests:/ { print $8 }' "$WORK/profile-wrk.txt")
  else
    taskset -c "$LOAD_CORE" wrk -t1 -d"$WARMUP"s "${WRK_ARGS[@]}" "$url" >"$WORK/profile-warmup.txt" 2>&1
    before=$(cpu_ticks "$LB_PID")
    taskset -c "$LOAD_CORE" wrk -t1 -d"$RECORD"s --latency "${WRK_ARGS[@]}" "$url" >"$WORK/profile-wrk.txt" 2>&1
    after=$(cpu_ticks "$LB_PID")
    requests=$(awk '/ requests in / { print $1 }' "$WORK/profile-wrk.txt")
  fi
  for _ in $(seq 100); do [[ -s $JFR_FILE ]] && break; sleep 0.2; done
  [[ -s $JFR_FILE ]] || die "no recording was written to ${JFR_FILE#"$ROOT"/} (see ${WORK#"$ROOT"/}/tandem.log)"
  sleep 1   # the recording's file is complete once the JVM has written its chunk
  grep -E 'Requests/sec|  50%|  99%|^finished in|^requests:' "$WORK/profile-wrk.txt" >&2
  log "cpu per request while recording: $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf "%.2f us", t / hz * 1e6 / n }') (JFR itself adds a little)"
  hot_methods
  echo
  allocations
  echo
  gc_pauses
  log "recording kept in ${JFR_FILE#"$ROOT"/}"
}

main "$@"
