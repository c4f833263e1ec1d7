#!/usr/bin/env bash
# Failover drill: how long clients lose a VIP when its holder fails, for Tandem and (for comparison) keepalived.
#
#   sudo deploy/lab/failover-drill.sh                 # Tandem, 3 rounds of each failure
#   sudo deploy/lab/failover-drill.sh all             # Tandem, then keepalived with defaults and tuned (VRRPv3, 0.1 s)
#   sudo deploy/lab/failover-drill.sh keepalived      # keepalived only
#   ROUNDS=1 MODES="kill9" deploy/lab/failover-drill.sh
# Environment: ROUNDS (3), MODES ("hostfail kill9 graceful"), WARMUP_MS (15000: traffic before the first round, so
# that the JVMs are warm), PROBE_MS (8000 per round; the failure comes after 3 s), LAB and LAB_NET (see lab.sh).
#
# It builds the lab (lab.sh: a client, three node hosts, two backends, in namespaces), starts three Tandem nodes
# (node/target/tandem; built first if missing) holding the VIP $LAB_NET.100 active-passive, runs steady client
# traffic at the VIP from the client namespace (a new connection every 10 ms), and fails the holder three ways:
#   hostfail  its host's link goes down (switch port down); restored afterwards
#   kill9     its process is killed with kill -9 (then, like the systemd unit's ExecStopPost, release-vips runs)
#   graceful  SIGTERM: the node releases its VIPs first, then drains
# Each outage is what the client saw (LabTool probe). The median of ROUNDS rounds is reported; the last line is
#   hostfail_ms=<median> kill9_ms=<median> graceful_ms=<median>
# (for "all" and "keepalived", the keepalived lines come before it). Everything is removed afterwards, on failure too.
# Missing Debian packages (iputils-arping; keepalived for the comparison) are installed with apt-get.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lab.sh
source "$here/lab.sh"

WHAT=${1:-tandem}
ROUNDS=${ROUNDS:-3}
MODES=${MODES:-hostfail kill9 graceful}
PROBE_MS=${PROBE_MS:-8000}
WARMUP_MS=${WARMUP_MS:-15000}
FAIL_AT_MS=3000
VIP="$LAB_NET.100"
TANDEM="$repo/node/target/tandem"
work=$(mktemp -d /tmp/tandem-drill.XXXXXX)
declare -A PID

cleanup() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    for f in "$work"/*.log; do
      [ -f "$f" ] && { echo "--- last lines of $(basename "$f")" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  lab_down
  if [ -n "${KEEP_WORK:-}" ]; then
    echo "drill files kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[drill $(date +%H:%M:%S)] $*" >&2; }

need_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

prepare() {
  need_packages iputils-arping
  if [ "$WHAT" != tandem ]; then
    need_packages keepalived
  fi
  if [ ! -x "$TANDEM" ]; then
    log "building node/target/tandem"
    (cd "$repo" && mvn -B -q -DskipTests package)
  fi
  mkdir -p "$work/labtool"
  javac -d "$work/labtool" "$here/LabTool.java"
  lab_up
  lab_exec b1 java -cp "$work/labtool" LabTool serve "$(lab_ip b1)" 8080 b1 >"$work/b1.log" 2>&1 &
  lab_exec b2 java -cp "$work/labtool" LabTool serve "$(lab_ip b2)" 8080 b2 >"$work/b2.log" 2>&1 &
}

# A node configuration: clustered with VIPs (tandem) or a plain standalone node (behind keepalived).
write_configs() {
  cat >"$work/cluster.yaml" <<EOF
node: {drain-timeout: 2s}
access-log: {enabled: false}
cluster: {name: lab, state-file: "$work/{node}.state.json"}
nodes:
  - {id: n1, cluster: $(lab_ip n1):5701}
  - {id: n2, cluster: $(lab_ip n2):5701}
  - {id: n3, cluster: $(lab_ip n3):5701}
listeners:
  - {name: web, bind: 0.0.0.0:80}
pools:
  - name: app
    backends: [{address: $(lab_ip b1):8080}, {address: $(lab_ip b2):8080}]
vips:
  groups:
    - name: front
      mode: active-passive
      interface: eth0
      addresses: [$VIP/24]
EOF
  cat >"$work/plain.yaml" <<EOF
node: {drain-timeout: 2s}
access-log: {enabled: false}
listeners:
  - {name: web, bind: 0.0.0.0:80}
pools:
  - name: app
    backends: [{address: $(lab_ip b1):8080}, {address: $(lab_ip b2):8080}]
EOF
}

start_tandem() { # start_tandem NODE CONFIG
  local node=$1 config=$2 args=(--config "$2")
  [ "$config" = "$work/cluster.yaml" ] && args+=(--node "$node")
  # ip netns exec (not the lab_exec function, which would run in a subshell) so that $! is the node's own process.
  ip netns exec "$(lab_ns "$node")" "$TANDEM" "${args[@]}" >>"$work/$node.log" 2>&1 &
  PID[$node]=$!
}

# Waits (up to $2 s) until a request to address $1 from the client is answered by a backend.
wait_serving() {
  local address=$1 deadline=$((SECONDS + ${2:-120}))
  until lab_exec client timeout 2 bash -c "exec 3<>/dev/tcp/$address/80 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && head -1 <&3" 2>/dev/null | grep -q " 200"; do
    [ $SECONDS -lt $deadline ] || { log "$address is not served after ${2:-120} s"; return 1; }
    sleep 0.5
  done
}

wait_holder() { # wait_holder NODE [TIMEOUT]: until NODE alone holds the VIP
  local deadline=$((SECONDS + ${2:-120}))
  until [ "$(lab_holders "$VIP")" = "$1" ]; do
    [ $SECONDS -lt $deadline ] || { log "VIP not on $1 alone after ${2:-120} s (holders: $(lab_holders "$VIP"))"; return 1; }
    sleep 0.2
  done
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One round: starts the probe, fails node $2 in mode $1 at FAIL_AT_MS, prints the outage in ms.
measure() {
  local mode=$1 victim=$2 fail=$3
  rm -f "$work/failed-now"
  lab_exec client java -cp "$work/labtool" LabTool probe "$VIP" 80 "$PROBE_MS" "$work/failed-now" >"$work/probe.out" 2>&1 &
  local probe=$!
  sleep $((FAIL_AT_MS / 1000))
  touch "$work/failed-now"
  $fail "$mode" "$victim"
  wait "$probe" || true
  cat "$work/probe.out" >&2
  sed -n 's/^outage_ms=\([0-9]*\).*/\1/p' "$work/probe.out"
}

tandem_fail() {
  case "$1" in
    hostfail) lab_link "$2" down ;;
    kill9)
      kill -9 "${PID[$2]}"
      # What the unit's ExecStopPost does after any stop.
      lab_exec "$2" "$TANDEM" release-vips --config "$work/cluster.yaml" --node "$2" >>"$work/$2.log" 2>&1 &
      ;;
    graceful) kill -TERM "${PID[$2]}" ;;
  esac
}

tandem_restore() {
  case "$1" in
    hostfail) lab_link "$2" up ;;
    *)
      wait "${PID[$2]}" 2>/dev/null || true
      sleep 1
      start_tandem "$2" "$work/cluster.yaml"
      ;;
  esac
  wait_holder n1 180
  wait_serving "$VIP"
}

run_tandem() {
  local mode round results=()
  for node in n1 n2 n3; do
    start_tandem "$node" "$work/cluster.yaml"
  done
  wait_holder n1 180
  wait_serving "$VIP"
  log "tandem: VIP $VIP on n1, serving; warming up"
  rm -f "$work/never"
  lab_exec client java -cp "$work/labtool" LabTool probe "$VIP" 80 "$WARMUP_MS" "$work/never" >/dev/null 2>&1
  for mode in $MODES; do
    local outages=()
    for round in $(seq "$ROUNDS"); do
      local ms
      ms=$(measure "$mode" n1 tandem_fail)
      log "tandem $mode round $round: ${ms} ms (holders now: $(lab_holders "$VIP"))"
      outages+=("$ms")
      tandem_restore "$mode" n1
      sleep 2
    done
    results+=("${mode}_ms=$(median "${outages[@]}")")
    log "tandem $mode: ${outages[*]} -> median $(median "${outages[@]}")"
  done
  for node in n1 n2 n3; do
    kill -9 "${PID[$node]}" 2>/dev/null || true
  done
  TANDEM_RESULT="${results[*]}"
}

keepalived_conf() { # keepalived_conf NODE PRIORITY PROFILE
  local version="" advert=1
  if [ "$3" = tuned ]; then
    version="vrrp_version 3"
    advert=0.1
  fi
  cat >"$work/ka-$1.conf" <<EOF
global_defs {
  router_id $1
  $version
}
vrrp_instance front {
  state BACKUP
  interface eth0
  virtual_router_id 77
  priority $2
  advert_int $advert
  virtual_ipaddress {
    $VIP/24 dev eth0
  }
}
EOF
}

start_keepalived() { # start_keepalived NODE
  ip netns exec "$(lab_ns "$1")" keepalived -n -l -P -f "$work/ka-$1.conf" -p "$work/ka-$1.pid" -r "$work/ka-$1-vrrp.pid" \
    >>"$work/ka-$1.log" 2>&1 &
  PID[ka-$1]=$!
}

keepalived_fail() {
  case "$1" in
    hostfail) lab_link "$2" down ;;
    kill9) kill -9 "${PID[ka-$2]}" "$(cat "$work/ka-$2-vrrp.pid")" 2>/dev/null || true ;;
    graceful) kill -TERM "${PID[ka-$2]}" ;;
  esac
}

keepalived_restore() {
  case "$1" in
    hostfail) lab_link "$2" up ;;
    *)
      wait "${PID[ka-$2]}" 2>/dev/null || true
      # keepalived leaves the address behind when killed; remove it as an operator would before restarting.
      lab_exec "$2" ip addr del "$VIP/24" dev eth0 2>/dev/null || true
      start_keepalived "$2"
      ;;
  esac
  wait_holder n1 60
  wait_serving "$VIP"
}

run_keepalived() { # run_keepalived PROFILE (defaults|tuned)
  local profile=$1 mode round results=()
  # VRRP with its defaults takes seconds: a longer window, so that the recovery falls inside it.
  PROBE_MS=$((PROBE_MS > 12000 ? PROBE_MS : 12000))
  keepalived_conf n1 150 "$profile"
  keepalived_conf n2 100 "$profile"
  for node in n1 n2; do
    start_tandem "$node" "$work/plain.yaml"
    start_keepalived "$node"
  done
  wait_holder n1 120
  wait_serving "$VIP"
  log "keepalived ($profile): VIP on n1, serving"
  sleep 3
  for mode in $MODES; do
    local outages=()
    for round in $(seq "$ROUNDS"); do
      local ms
      ms=$(measure "$mode" n1 keepalived_fail)
      log "keepalived $profile $mode round $round: ${ms} ms"
      outages+=("$ms")
      keepalived_restore "$mode" n1
      sleep 2
    done
    results+=("${mode}_ms=$(median "${outages[@]}")")
  done
  for node in n1 n2; do
    kill -TERM "${PID[ka-$node]}" 2>/dev/null || true
    kill -9 "${PID[$node]}" 2>/dev/null || true
    wait "${PID[ka-$node]}" "${PID[$node]}" 2>/dev/null || true
  done
  echo "keepalived_$profile: ${results[*]}"
}

prepare
write_configs
case "$WHAT" in
  tandem)
    run_tandem
    echo "$TANDEM_RESULT"
    ;;
  keepalived)
    run_keepalived defaults
    run_keepalived tuned
    ;;
  all)
    run_tandem
    lab_down
    prepare
    run_keepalived defaults
    run_keepalived tuned
    echo "$TANDEM_RESULT"
    ;;
  *) echo "usage: $0 [tandem|keepalived|all]" >&2; exit 2 ;;
esac
exit 0
