#!/usr/bin/env bash
# Quick side-by-side benchmark: HAProxy and Tandem as HTTP balancers on one core each, in interleaved rounds,
# in front of two nginx backends. Everything listens on 127.0.0.1 only. See README.md next to this file.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-$HERE/work}

WARMUP=${WARMUP:-45}                 # seconds of load before measuring Tandem (C2 still compiles ~40 s after start)
NATIVE_WARMUP=${NATIVE_WARMUP:-5}    # seconds of load before measuring HAProxy
DURATION=${DURATION:-15}             # seconds of each measured wrk run
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-50}
CONTENDERS=${CONTENDERS:-"haproxy tandem"}
LOAD_CORE=${LOAD_CORE:-0}            # wrk and the nginx backends
LB_CORE=${LB_CORE:-1}                # the balancer under test
TANDEM_JAR=${TANDEM_JAR:-$ROOT/node/target/tandem.jar}
TANDEM_CONFIG=${TANDEM_CONFIG:-$ROOT/config/bench/http.yaml}
TANDEM_JAVA_OPTS=${TANDEM_JAVA_OPTS:-"-XX:+UseSerialGC -Xms256m -Xmx256m -XX:+AlwaysPreTouch"}

HOST=127.0.0.1
LB_PORT=18080
BACKEND_PORTS=(19001 19002)
CLK_TCK=$(getconf CLK_TCK)
RESULTS=$WORK/results.tsv

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_tools() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v nginx >/dev/null || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v taskset >/dev/null || missing+=(util-linux)
  if ((${#missing[@]})); then
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    log "installing ${missing[*]}"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
  fi
}

# --- processes: every one started here is recorded in $WORK/pids and stopped on exit --------------------------
PIDS=()
remember() { PIDS+=("$1"); echo "$1" >>"$WORK/pids"; }

stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  rm -f "$WORK/pids"
}

# A previous run killed hard may have left its processes: stop those (only ours: their command line names $WORK).
stop_leftovers() {
  [[ -f $WORK/pids ]] || return 0
  local pid
  while read -r pid; do
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$WORK"; then
      log "stopping leftover process $pid from a previous run"
      stop_pid "$pid"
    fi
  done <"$WORK/pids"
  rm -f "$WORK/pids"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

wait_for_port() {  # port pid what
  for _ in $(seq 300); do
    port_open "$1" && return 0
    kill -0 "$2" 2>/dev/null || die "$3 exited before listening on $HOST:$1 (see $WORK/*.log)"
    sleep 0.1
  done
  die "$3 did not listen on $HOST:$1 within 30 s"
}

# One plain GET through bash's /dev/tcp; fails unless the answer is 200 with body "hello".
check_hello() {
  local answer
  answer=$(exec 3<>"/dev/tcp/$HOST/$1" && printf 'GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n' >&3 \
    && timeout 5 cat <&3) || true
  [[ $answer == "HTTP/1.1 200"* && $answer == *hello* ]] || die "port $1 did not answer 200 hello: ${answer:0:200}"
}

start_backends() {
  mkdir -p "$WORK/nginx/logs"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type text/plain;
  keepalive_timeout 75s;
  keepalive_requests 100000000;
  server { listen $HOST:${BACKEND_PORTS[0]}; location / { return 200 "hello\n"; } }
  server { listen $HOST:${BACKEND_PORTS[1]}; location / { return 200 "hello\n"; } }
}
EOF
  taskset -c "$LOAD_CORE" nginx -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log" -c "$WORK/nginx/nginx.conf" \
    >"$WORK/nginx.log" 2>&1 &
  NGINX_PID=$!
  remember "$NGINX_PID"
  for port in "${BACKEND_PORTS[@]}"; do wait_for_port "$port" "$NGINX_PID" nginx; check_hello "$port"; done
}

start_haproxy() {
  cat >"$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn $((CONNECTIONS * 2 + 1000))
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 30s
frontend bench
  bind $HOST:$LB_PORT
  default_backend nginx
backend nginx
  balance roundrobin
  server b1 $HOST:${BACKEND_PORTS[0]}
  server b2 $HOST:${BACKEND_PORTS[1]}
EOF
  taskset -c "$LB_CORE" haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  LB_PID=$!
}

start_tandem() {
  # shellcheck disable=SC2086 # TANDEM_JAVA_OPTS is a list of flags
  taskset -c "$LB_CORE" java $TANDEM_JAVA_OPTS -Dtandem.bench.work="$WORK" -jar "$TANDEM_JAR" --config "$TANDEM_CONFIG" \
    >"$WORK/tandem.log" 2>&1 &
  LB_PID=$!
}

tandem_missing() {
  [[ -f $TANDEM_JAR ]] || { echo "${TANDEM_JAR#"$ROOT"/} not found (build it: mvn -B -pl node -am package -DskipTests)"; return 0; }
  [[ -f $TANDEM_CONFIG ]] || { echo "${TANDEM_CONFIG#"$ROOT"/} not found"; return 0; }
  command -v java >/dev/null || { echo "java not on PATH"; return 0; }
  return 1
}

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }  # utime + stime (fields 14, 15)
peak_rss_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

to_us() {  # "402.00us" / "1.23ms" / "2.00s" -> microseconds
  awk -v v="$1" 'BEGIN { n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u);
    f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : (u == "m") ? 60000000 : -1;
    if (f < 0) { print "?"; exit } printf "%.0f", n * f }'
}

# Runs wrk against a port; sets RPS REQUESTS P50 P99 ERRORS from its output.
measure() {  # port seconds outfile
  taskset -c "$LOAD_CORE" wrk -t1 -c"$CONNECTIONS" -d"$2"s --latency "http://$HOST:$1/" >"$3" 2>&1 \
    || die "wrk failed: $(tail -3 "$3")"
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$3")
  REQUESTS=$(awk '/ requests in / { print $1 }' "$3")
  P50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$3")")
  P99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$3")")
  ERRORS=$(awk '/^  Socket errors:/ { gsub(",", ""); s += $4 + $6 + $8 + $10 }
                /^  Non-2xx or 3xx responses:/ { s += $5 } END { print s + 0 }' "$3")
  [[ -n $RPS && -n $REQUESTS && $REQUESTS -gt 0 ]] || die "could not read wrk output $3"
}

run_round() {  # round contender
  local round=$1 who=$2 warmup=$NATIVE_WARMUP
  case $who in
    haproxy) start_haproxy ;;
    tandem) start_tandem; warmup=$WARMUP ;;
    *) die "unknown contender $who (known: haproxy tandem)" ;;
  esac
  remember "$LB_PID"
  wait_for_port "$LB_PORT" "$LB_PID" "$who"
  check_hello "$LB_PORT"
  log "round $round: $who warming up ${warmup}s"
  measure "$LB_PORT" "$warmup" "$WORK/round$round-$who-warmup.txt"
  local before after
  before=$(cpu_ticks "$LB_PID")
  log "round $round: $who measuring ${DURATION}s"
  measure "$LB_PORT" "$DURATION" "$WORK/round$round-$who.txt"
  after=$(cpu_ticks "$LB_PID")
  local cpu_us rss
  cpu_us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$REQUESTS" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
  rss=$(peak_rss_kb "$LB_PID")
  stop_pid "$LB_PID"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$who" "$RPS" "$P50" "$P99" "$cpu_us" "$ERRORS" "$rss" >>"$RESULTS"
  print_row "$round" "$who" "$RPS" "$P50" "$P99" "$cpu_us" "$ERRORS" "$rss" \
    "$(ratios "$who" 3 "$round")" "$(ratios "$who" 6 "$round")"
}

print_header() {
  printf '%-6s %-9s %10s %9s %9s %12s %7s %10s %9s %9s\n' \
    round contender req/s p50_us p99_us cpu_us/req errors rss_MiB "rps/hap" "cpu/hap"
}

print_row() {  # round who rps p50 p99 cpu errors rss_kb [rps_ratio cpu_ratio]
  local rss=$8
  [[ $rss == - ]] || rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '%-6s %-9s %10s %9s %9s %12s %7s %10s %9s %9s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$rss" "${9:--}" "${10:--}"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
  else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

column_of() { awk -F'\t' -v w="$1" -v c="$2" '$2 == w { print $c }' "$RESULTS"; }

# Ratio of a contender to HAProxy in the same round, one line per round (or only for the given round).
ratios() {  # who column [round]
  awk -F'\t' -v w="$1" -v c="$2" -v only="${3:-}" '$2 == "haproxy" { h[$1] = $c } $2 == w { v[$1] = $c }
    END { for (r in v) if (r in h && h[r] > 0 && (only == "" || r == only)) printf "%.3f\n", v[r] / h[r] }' "$RESULTS"
}

summary() {
  echo
  echo "Median over $ROUNDS rounds (${DURATION}s measured, $CONNECTIONS connections; ratios taken round by round):"
  print_header
  local who
  for who in $(cut -f2 "$RESULTS" | grep -v '^direct$' | awk '!seen[$0]++'); do
    local rps_ratio=- cpu_ratio=-
    if grep -q $'\thaproxy\t' "$RESULTS"; then
      rps_ratio=$(ratios "$who" 3 | median)
      cpu_ratio=$(ratios "$who" 6 | median)
    fi
    print_row median "$who" "$(column_of "$who" 3 | median)" "$(column_of "$who" 4 | median)" \
      "$(column_of "$who" 5 | median)" "$(column_of "$who" 6 | median)" "$(column_of "$who" 7 | median)" \
      "$(column_of "$who" 8 | median)" "$rps_ratio" "$cpu_ratio"
  done
}

main() {
  mkdir -p "$WORK"
  stop_leftovers
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  install_tools
  for port in "$LB_PORT" "${BACKEND_PORTS[@]}"; do
    ! port_open "$port" || die "$HOST:$port is already in use"
  done
  : >"$RESULTS"

  local contenders=() who reason
  for who in $CONTENDERS; do
    if [[ $who == tandem ]] && reason=$(tandem_missing); then
      log "tandem: SKIPPED: $reason"
      continue
    fi
    contenders+=("$who")
  done
  ((${#contenders[@]})) || die "no contender to run"

  start_backends
  log "balancer on core $LB_CORE, wrk and nginx on core $LOAD_CORE; CLK_TCK=$CLK_TCK"
  print_header
  log "direct: wrk straight to nginx ${BACKEND_PORTS[0]}"
  measure "${BACKEND_PORTS[0]}" "$DURATION" "$WORK/direct.txt"
  printf '0\tdirect\t%s\t%s\t%s\t-\t%s\t-\n' "$RPS" "$P50" "$P99" "$ERRORS" >>"$RESULTS"
  print_row direct nginx "$RPS" "$P50" "$P99" - "$ERRORS" -

  local round
  for round in $(seq "$ROUNDS"); do
    for who in "${contenders[@]}"; do run_round "$round" "$who"; done
  done
  summary
  echo "raw wrk outputs and results.tsv: ${WORK#"$ROOT"/}/"
}

main "$@"
