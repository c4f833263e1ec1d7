#!/usr/bin/env bash
# Benchmark harness: Tandem, HAProxy and nginx as balancers side by side, each on one core, in interleaved rounds, in
# front of two nginx backends; plus "direct" (wrk straight at a backend) as the ceiling. Everything listens on
# 127.0.0.1 only. Writes results/latest.{md,json,png} and prints one JSON line with all medians on stdout (everything
# else goes to stderr). See README.md next to this file.
#
#   bash cluster-tests/bench/run.sh            # the full run: 3 rounds x 3 scenarios, about 20 minutes
#   QUICK=1 bash cluster-tests/bench/run.sh    # a smoke run: 1 round, short warm-ups, writes results/latest-smoke.*
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# Scenarios: name | path | load generator arguments (wrk's besides -t1 -d --latency; in MODE=h2c and h2tls h2load's
# besides -t1 -D --log-file; in MODE=h3 h3load's besides -D --log-file) | overrides (KEY=VALUE ..., for this scenario
# only: MODE=tcp, TANDEM_CONFIG=config/bench/tcp.yaml, BACKEND_PROTO=h2c, ONLY=tandem,baseline (the contenders this
# scenario is for; the others are skipped), COMPANION=h2-tls (the report divides by that scenario's figures), ...).
# The arguments are read by the shell, so quotes and $VARS work.
SCENARIO_TABLE=(
  'keepalive | /    | -c$CONNECTIONS                          | '
  'newconn   | /    | -c$CONNECTIONS -H "Connection: close"   | '
  'body64k   | /64k | -c$CONNECTIONS                          | '
  'rules     | /api/users?x=1 | -c$CONNECTIONS                | '
  'tcp-keepalive | /   | -c$CONNECTIONS                       | MODE=tcp TANDEM_CONFIG=config/bench/tcp.yaml'
  'tcp-bulk1m    | /1m | -c$CONNECTIONS                       | MODE=tcp TANDEM_CONFIG=config/bench/tcp.yaml'
  'tls-handshake | / | -c$CONNECTIONS -H "Connection: close"   | MODE=https TANDEM_CONFIG=config/bench/https.yaml'
  'tls-keepalive | / | -c$CONNECTIONS                          | MODE=https TANDEM_CONFIG=config/bench/https.yaml'
  'tls-handshake-jdk | / | -c$CONNECTIONS -H "Connection: close" | MODE=https TANDEM_CONFIG=config/bench/https-jdk.yaml'
  'tls-keepalive-jdk | / | -c$CONNECTIONS                        | MODE=https TANDEM_CONFIG=config/bench/https-jdk.yaml'
  # h2load speaks HTTP/2 cleartext with prior knowledge to the balancer, which speaks HTTP/1.1 or h2c to the backends.
  'h2-h1 | / | -c$H2_CLIENTS -m$H2_STREAMS  | MODE=h2c TANDEM_CONFIG=config/bench/h2c-h1.yaml'
  'h2-h2 | / | -c$H2_CLIENTS -m$H2_STREAMS  | MODE=h2c BACKEND_PROTO=h2c TANDEM_CONFIG=config/bench/h2c.yaml'
  # The same Tandem node (a TLS listener with HTTP/3) over HTTP/3 (h3load, QUIC) and over HTTP/2 with TLS (h2load,
  # ALPN h2), HTTP/1.1 to the backends. Tandem builds only: HAProxy 2.6 and nginx 1.22 here have no HTTP/3.
  # ONLY: the Tandem builds among the contenders (tandemrules brings a config of its own).
  'h3     | / | -c$H2_CLIENTS -m$H2_STREAMS | MODE=h3 TANDEM_CONFIG=config/bench/h3.yaml ONLY=tandem,tandemuring,tandem25,baseline COMPANION=h2-tls'
  'h2-tls | / | -c$H2_CLIENTS -m$H2_STREAMS | MODE=h2tls TANDEM_CONFIG=config/bench/h3.yaml ONLY=tandem,tandemuring,tandem25,baseline'
)

QUICK=${QUICK:-0}
quick() { [[ $QUICK == 1 ]] && echo "$1" || echo "$2"; }
WARMUP=${WARMUP:-$(quick 10 45)}                # seconds of load before measuring Tandem (C2 compiles ~40 s after start)
NATIVE_WARMUP=${NATIVE_WARMUP:-$(quick 2 5)}    # seconds of load before measuring HAProxy, nginx and direct
DURATION=${DURATION:-$(quick 5 15)}             # seconds of each measured wrk run
ROUNDS=${ROUNDS:-$(quick 1 3)}
# fresh: each contender is started for each run and warmed up first (WARMUP, NATIVE_WARMUP); warm: each contender is
# started once per scenario on its own port, warmed for WARM_TIME seconds (JVMs; natives NATIVE_WARMUP), then measured
# in interleaved rounds without a restart.
PROTOCOL=${PROTOCOL:-fresh}
WARM_TIME=${WARM_TIME:-$(quick 10 60)}
CONNECTIONS=${CONNECTIONS:-50}
H2_CLIENTS=${H2_CLIENTS:-16}                    # h2load connections in the h2 scenarios ...
H2_STREAMS=${H2_STREAMS:-10}                    # ... and concurrent streams on each (160 requests in flight)
SCENARIOS=${SCENARIOS:-"keepalive newconn body64k tcp-keepalive tcp-bulk1m tls-handshake tls-keepalive"}
CONTENDERS=${CONTENDERS:-"direct haproxy nginx tandem"}
LOAD_CORE=${LOAD_CORE:-0}                       # wrk and the backends
LB_CORE=${LB_CORE:-1}                           # the balancer under test
TANDEM_JAR=${TANDEM_JAR:-$ROOT/node/target/tandem.jar}
TANDEM_LAUNCHER=${TANDEM_LAUNCHER:-$ROOT/node/target/tandem}
TANDEM_CONFIG=${TANDEM_CONFIG:-$ROOT/config/bench/http.yaml}
# The HTTP/3 load generator (cluster-tests' io.tandem.bench.h3.H3Load), built by
# mvn -B -q -o -pl cluster-tests -am package -DskipTests (or mvn install): the jar and its Netty classpath.
H3LOAD_JAR=${H3LOAD_JAR:-$ROOT/cluster-tests/target/tandem-cluster-tests.jar}
H3LOAD_JAVA_OPTS=${H3LOAD_JAVA_OPTS:-"-XX:+UseSerialGC -Xms128m -Xmx512m -Dio.netty.leakDetection.level=disabled"}
# shellcheck disable=SC2206 # H3LOAD_JAVA_OPTS is a list of flags
H3LOAD=(java $H3LOAD_JAVA_OPTS -cp "$H3LOAD_JAR:$(dirname "$H3LOAD_JAR")/h3load-lib/*" io.tandem.bench.h3.H3Load)
TANDEM_JAVA_OPTS_SET=${TANDEM_JAVA_OPTS:+1}
# The launcher (node/target/tandem) carries the launch defaults; extra flags reach it only when set explicitly.
# Without the launcher, plain java gets these.
if [[ -n $TANDEM_JAVA_OPTS_SET ]]; then
  export TANDEM_JAVA_OPTS
else
  TANDEM_JAVA_OPTS="-XX:+UseSerialGC -Xms96m -Xmx96m"
fi
WORK=${WORK:-$HERE/work}
OUT=${OUT:-$HERE/results/$(quick latest-smoke latest)}   # writes $OUT.md, $OUT.json, $OUT.png

SETTING_NAMES=(QUICK PROTOCOL WARM_TIME ROUNDS DURATION WARMUP NATIVE_WARMUP CONNECTIONS H2_CLIENTS H2_STREAMS SCENARIOS
  CONTENDERS LOAD_CORE LB_CORE LB_PORT BACKEND_PORTS H2_BACKEND_PORTS TANDEM_CONFIG TANDEM_JAVA_OPTS H3LOAD_JAVA_OPTS)
HOST=127.0.0.1
LB_PORT=${LB_PORT:-18080}                       # where each balancer listens
BACKEND_PORTS=${BACKEND_PORTS:-"19001 19002"}          # the two backends
H2_BACKEND_PORTS=${H2_BACKEND_PORTS:-"19011 19012"}    # the same two backends' h2c (prior knowledge) listeners
WARM_PORT_BASE=${WARM_PORT_BASE:-18100}         # the warm protocol: contender i listens on WARM_PORT_BASE + i
read -r -a BACKENDS <<<"$BACKEND_PORTS"
read -r -a H2_BACKENDS <<<"$H2_BACKEND_PORTS"
CLK_TCK=$(getconf CLK_TCK)
RESULTS=$WORK/results.tsv
MODE=http
BACKEND_PROTO=http1
declare -A SKIPPED=() FACTS=()
FACT_KEYS=(date command cpus cpu memory kernel java haproxy nginx wrk h2load h3load tandem tandemuring tandem25 baseline
  bare)

# shellcheck source=lib/procs.sh
source "$HERE/lib/procs.sh"
# shellcheck source=lib/servers.sh
source "$HERE/lib/servers.sh"
# shellcheck source=lib/report.sh
source "$HERE/lib/report.sh"

trim() { local s=${1#"${1%%[![:space:]]*}"}; echo "${s%"${s##*[![:space:]]}"}"; }

to_us() {  # "402.00us" / "1.23ms" / "2.00s" -> microseconds
  awk -v v="$1" 'BEGIN { n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u);
    f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : (u == "m") ? 60000000 : -1;
    if (f < 0) { print "-"; exit } printf "%.0f", n * f }'
}

# Runs the scenario's load generator (wrk; h2load in MODE=h2c and h2tls, h3load in MODE=h3) with its arguments; sets
# RPS REQUESTS P50 P99 ERRORS (and BYTES_PER_SEC) from its output.
measure() {  # port seconds outfile
  [[ $MODE != h2c && $MODE != h2tls && $MODE != h3 ]] || { measure_streams "$@"; return; }
  # In the background and waited for, so that an interrupt stops the run at once (stop_all then stops wrk too).
  taskset -c "$LOAD_CORE" wrk -t1 -d"$2"s --latency "${WRK_ARGS[@]}" "$([[ $MODE == https ]] && echo https || echo http)://$HOST:$1$SCENARIO_PATH" >"$3" 2>&1 &
  local wrk=$!
  remember "$wrk"
  wait "$wrk" || die "wrk failed: $(tail -3 "$3")"
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$3")
  REQUESTS=$(awk '/ requests in / { print $1 }' "$3")
  P50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$3")")
  P99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$3")")
  # Throughput (wrk's Transfer/sec, e.g. 1.20GB, in bytes/s): the figure of the bulk-transfer scenarios.
  BYTES_PER_SEC=$(awk '/^Transfer\/sec:/ { v = $2; n = v; sub(/[A-Za-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u);
    f = (u == "B") ? 1 : (u == "KB") ? 1024 : (u == "MB") ? 1048576 : (u == "GB") ? 1073741824 : 0; printf "%.0f", n * f }' "$3")
  ERRORS=$(awk '/^  Socket errors:/ { gsub(",", ""); s += $4 + $6 + $8 + $10 }
                /^  Non-2xx or 3xx responses:/ { s += $5 } END { print s + 0 }' "$3")
  [[ -n $RPS && -n $REQUESTS && $REQUESTS -gt 0 ]] || die "could not read wrk output ${3#"$ROOT"/}"
}

# Streams on a few connections, one thread, for a duration: h2load speaking h2c with prior knowledge (its way for
# http:// URIs; MODE=h2c) or HTTP/2 over TLS (https://, ALPN h2; MODE=h2tls), or h3load speaking HTTP/3 (MODE=h3),
# which prints h2load's summary and writes h2load's log. h2load prints no percentiles: its --log-file has a line per
# finished request (start time, status, microseconds to the end of the response; status -1 for a failed stream), from
# which p50/p99 (nearest rank) and the errors (every status but 2xx) come; requests/s and the completed requests
# ("done") from its summary. The log is deleted once read.
measure_streams() {  # port seconds outfile
  local log=${3%.txt}.requests.log gen=(h2load -t1) what=h2load scheme=https
  [[ $MODE != h2c ]] || scheme=http
  [[ $MODE != h3 ]] || { gen=("${H3LOAD[@]}"); what=h3load; }
  rm -f "$log"   # h2load appends to an existing log file
  taskset -c "$LOAD_CORE" "${gen[@]}" -D "$2" --log-file="$log" "${WRK_ARGS[@]}" "$scheme://$HOST:$1$SCENARIO_PATH" \
    >"$3" 2>&1 &
  local pid=$!
  remember "$pid"
  wait "$pid" || die "$what failed: $(tail -3 "$3")"
  RPS=$(awk '/^finished in / { printf "%.0f", $4 }' "$3")
  REQUESTS=$(awk '/^requests: / { print $6 }' "$3")
  BYTES_PER_SEC=$(awk '/^finished in / { v = $6; n = v; sub(/[A-Za-z\/]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u);
    f = (u == "B/s") ? 1 : (u == "KB/s") ? 1024 : (u == "MB/s") ? 1048576 : (u == "GB/s") ? 1073741824 : 0; printf "%.0f", n * f }' "$3")
  [[ -n $RPS && -n $REQUESTS && $REQUESTS -gt 0 && -s $log ]] || die "could not read the output ${3#"$ROOT"/}"
  ERRORS=$(awk -F'\t' '$2 !~ /^2[0-9][0-9]$/ { e++ } END { print e + 0 }' "$log")
  read -r P50 P99 < <(cut -f3 "$log" | sort -n -S 64M | awk '
    function rank(p,   r) { r = int(NR * p); return (r < NR * p) ? r + 1 : r }
    { a[NR] = $1 } END { print a[rank(0.50)], a[rank(0.99)] }')
  rm -f "$log"
}

is_jvm() { [[ $1 == tandem* || $1 == baseline || $1 == bare ]]; }

# The measured part of one run: CPU ticks of the balancer around a DURATION wrk run; appends a row to $RESULTS.
measure_row() {  # scenario round contender port pid prefix warmup_errors
  local scenario=$1 round=$2 who=$3 port=$4 pid=$5 prefix=$6 warmup_errors=$7 before=0 after=0 cpu_us=- rss=-
  [[ -z $pid ]] || before=$(cpu_ticks "$pid")
  log "$scenario round $round: $who measuring ${DURATION}s"
  measure "$port" "$DURATION" "$prefix.txt"
  if [[ -n $pid ]]; then
    after=$(cpu_ticks "$pid")
    cpu_us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$REQUESTS" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
    rss=$(peak_rss_kb "$pid")
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$round" "$who" "$RPS" "$P50" "$P99" "$cpu_us" \
    "$ERRORS" "$rss" "$REQUESTS" "$warmup_errors" >>"$RESULTS"
  log "$(printf '%-9s round %s %-8s %8s req/s  p50 %6s us  p99 %6s us  cpu %7s us/req  errors %s  rss %s KiB  %s B/s' \
    "$scenario" "$round" "$who" "$RPS" "$P50" "$P99" "$cpu_us" "$ERRORS" "$rss" "$BYTES_PER_SEC")"
}

# The warm protocol for one scenario: every contender started once, on ports from WARM_PORT_BASE, warmed, then rounds.
run_warm() {  # scenario contenders...
  local scenario=$1 who i=0 round
  shift
  local -A pid=() port=() warm_errors=()
  for who in "$@"; do
    local LB_PORT=$((WARM_PORT_BASE + i))
    i=$((i + 1))
    ! port_open "$LB_PORT" || die "$HOST:$LB_PORT is already in use"
    "start_$who"
    pid[$who]=$LB_PID
    port[$who]=$("port_$who")
    if [[ -n $LB_PID ]]; then
      remember "$LB_PID"
      wait_for_port "${port[$who]}" "$LB_PID" "$who"
    fi
    check_get "${port[$who]}" "$SCENARIO_PATH" "$BODY_BYTES"
  done
  for who in "$@"; do
    local warm=$NATIVE_WARMUP
    ! is_jvm "$who" || warm=$WARM_TIME
    log "$scenario: $who warming up ${warm}s (warm protocol)"
    measure "${port[$who]}" "$warm" "$WORK/$scenario-warm-$who-warmup.txt"
    warm_errors[$who]=$ERRORS
  done
  for round in $(seq "$ROUNDS"); do
    for who in "$@"; do
      measure_row "$scenario" "$round" "$who" "${port[$who]}" "${pid[$who]}" "$WORK/$scenario-warm-round$round-$who" \
        "${warm_errors[$who]}"
    done
  done
  for who in "$@"; do [[ -z ${pid[$who]} ]] || stop_tree "${pid[$who]}"; done
}

run_one() {  # scenario round contender
  local scenario=$1 round=$2 who=$3 warmup=$NATIVE_WARMUP port
  ! is_jvm "$who" || warmup=$WARMUP
  "start_$who"
  port=$("port_$who")
  if [[ -n $LB_PID ]]; then
    remember "$LB_PID"
    wait_for_port "$port" "$LB_PID" "$who"
  fi
  check_get "$port" "$SCENARIO_PATH" "$BODY_BYTES"
  local prefix=$WORK/$scenario-round$round-$who
  log "$scenario round $round: $who warming up ${warmup}s"
  measure "$port" "$warmup" "$prefix-warmup.txt"
  measure_row "$scenario" "$round" "$who" "$port" "$LB_PID" "$prefix" "$ERRORS"
  [[ -z $LB_PID ]] || stop_tree "$LB_PID"
}

# Runs every round of one scenario line, with its overrides in force only here.
run_scenario() {  # table line
  local name path args overrides kv who reason
  IFS='|' read -r name path args overrides <<<"$1"
  name=$(trim "$name")
  local SCENARIO_PATH MODE=$MODE BACKEND_PROTO=$BACKEND_PROTO TANDEM_CONFIG=$TANDEM_CONFIG BODY_BYTES=1 WRK_ARGS=()
  local ONLY=""
  SCENARIO_PATH=$(trim "$path")
  for kv in $overrides; do local "${kv%%=*}=${kv#*=}"; done
  # BACKEND_PROTO=h2c: the contenders (and direct) talk to the backends' h2c listeners, in every contender's config
  # where the others name BACKEND_PORTS (Tandem's config names 19001 and 19002, replaced with these ports).
  local BACKENDS=("${BACKENDS[@]}")
  [[ $BACKEND_PROTO != h2c ]] || BACKENDS=("${H2_BACKENDS[@]}")
  [[ $TANDEM_CONFIG == /* ]] || TANDEM_CONFIG=$ROOT/$TANDEM_CONFIG   # table paths are relative to the repository
  eval "WRK_ARGS=($args)"
  [[ $SCENARIO_PATH == /64k ]] && BODY_BYTES=65536
  [[ $SCENARIO_PATH == /1m ]] && BODY_BYTES=1048576
  local contenders=()
  for who in $CONTENDERS; do
    declare -F "start_$who" >/dev/null \
      || die "unknown contender $who (known: direct haproxy nginx tandem tandemuring tandem25 baseline bare)"
    if [[ -n $ONLY && ",$ONLY," != *",$who,"* ]]; then
      reason="$name is measured with ${ONLY//,/, } only"
      log "$name: $who SKIPPED: $reason"
      SKIPPED[$who in $name]=$reason
      continue
    fi
    if reason=$("skip_$who"); then
      log "$name: $who SKIPPED: $reason"
      SKIPPED[$who in $name]=$reason
      continue
    fi
    contenders+=("$who")
  done
  ((${#contenders[@]})) || { log "$name: no contender left to measure"; return 0; }
  if [[ $PROTOCOL == warm ]]; then
    run_warm "$name" "${contenders[@]}"
    return
  fi
  local round
  for round in $(seq "$ROUNDS"); do
    for who in "${contenders[@]}"; do run_one "$name" "$round" "$who"; done
  done
}

# Whether a scenario asked for (SCENARIOS) runs h3load.
wants_h3load() {
  local wanted line
  for wanted in $SCENARIOS; do
    for line in "${SCENARIO_TABLE[@]}"; do
      [[ $(trim "${line%%|*}") == "$wanted" && " $line " == *" MODE=h3 "* ]] && return 0
    done
  done
  return 1
}

collect_facts() {
  FACTS[date]=$(date -u '+%Y-%m-%d %H:%M UTC')
  FACTS[command]=$COMMAND_LINE
  FACTS[cpus]=$(nproc)
  FACTS[cpu]=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  FACTS[memory]=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  FACTS[kernel]=$(uname -r)
  FACTS[java]=$( (java -version 2>&1 || echo "java not found") | sed -n 1p)
  FACTS[haproxy]=$(version_haproxy)
  FACTS[nginx]=$(version_nginx)
  FACTS[wrk]=$( (wrk -v 2>&1 || true) | sed -n "1s/ Copyright.*//p")
  FACTS[h2load]=$( (h2load --version 2>&1 || true) | sed -n 1p)
  ! wants_h3load || FACTS[h3load]=$("${H3LOAD[@]}" --version 2>&1 | sed -n 1p)
  FACTS[tandem]=$(version_tandem)
  [[ " $CONTENDERS " != *" baseline "* ]] || skip_baseline >/dev/null || FACTS[baseline]=$(version_baseline)
  [[ " $CONTENDERS " != *" bare "* ]] || FACTS[bare]=$(version_bare)
  [[ " $CONTENDERS " != *" tandemuring "* ]] || FACTS[tandemuring]=$(version_tandemuring)
  [[ " $CONTENDERS " != *" tandem25 "* ]] || skip_tandem25 >/dev/null || FACTS[tandem25]=$(version_tandem25)
}

main() {
  COMMAND_LINE=$(for name in "${SETTING_NAMES[@]}"; do printf '%s=%q ' "$name" "${!name}"; done)"bash ${0#"$ROOT"/}${*:+ $*}"
  COMMAND_LINE=${COMMAND_LINE//"$ROOT"\//}
  mkdir -p "$WORK" "$(dirname "$OUT")"
  stop_leftovers
  trap stop_all EXIT
  trap 'exit 130' INT TERM
  install_tools
  local port line wanted found
  for port in "$LB_PORT" "${BACKENDS[@]}" "${H2_BACKENDS[@]}"; do ! port_open "$port" || die "$HOST:$port is already in use"; done
  for wanted in $SCENARIOS; do
    found=0
    for line in "${SCENARIO_TABLE[@]}"; do [[ $(trim "${line%%|*}") == "$wanted" ]] && found=1; done
    ((found)) || die "unknown scenario $wanted (known: $(for line in "${SCENARIO_TABLE[@]}"; do printf '%s ' "$(trim "${line%%|*}")"; done))"
  done
  ! wants_h3load || [[ -f $H3LOAD_JAR && -d $(dirname "$H3LOAD_JAR")/h3load-lib ]] || die "the HTTP/3 load generator" \
    "${H3LOAD_JAR#"$ROOT"/} (and h3load-lib/ beside it) is not built: mvn -B -q -o -pl cluster-tests -am package -DskipTests"
  ! wants_h3load || command -v java >/dev/null || die "the HTTP/3 load generator needs java on PATH"
  : >"$RESULTS"
  collect_facts
  start_backends
  log "balancer on core $LB_CORE, wrk and backends on core $LOAD_CORE; CLK_TCK=$CLK_TCK"
  for wanted in $SCENARIOS; do
    for line in "${SCENARIO_TABLE[@]}"; do [[ $(trim "${line%%|*}") == "$wanted" ]] && run_scenario "$line"; done
  done
  [[ -s $RESULTS ]] || die "nothing was measured"
  summarize "$RESULTS" "$WORK/summary.tsv"
  write_markdown "$WORK/summary.tsv" >"$OUT.md"
  write_json "$WORK/summary.tsv" rounds >"$OUT.json"
  write_chart "$WORK/summary.tsv" "$OUT.png"
  column -t -s $'\t' <(printf 'scenario\tcontender\truns\treq/s\tp50_us\tp99_us\tcpu_us/req\terrors\twarmup_err\trss_MiB\trps/hap\tcpu/hap\tp99/hap\n'; cat "$WORK/summary.tsv") >&2 \
    || cat "$WORK/summary.tsv" >&2
  log "wrote ${OUT#"$ROOT"/}.md, .json, .png; raw wrk outputs in ${WORK#"$ROOT"/}/"
  write_json "$WORK/summary.tsv"
}

main "$@"
