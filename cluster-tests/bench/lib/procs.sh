# Processes, ports and /proc readings for run.sh (sourced, not run). Every process the harness starts is recorded in
# $WORK/pids and stopped with all its descendants on exit; nothing else is ever signalled.

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

remember() { echo "$1" >>"$WORK/pids"; }

# The process and all its descendants (nginx master + worker; a launcher script + its JVM).
tree_pids() {  # pid
  local pid=$1 child
  [[ -d /proc/$pid ]] || return 0
  echo "$pid"
  for child in $(cat "/proc/$pid/task/"*/children 2>/dev/null || pgrep -P "$pid" || true); do tree_pids "$child"; done
}

stop_tree() {  # pid
  local pids
  pids=$(tree_pids "$1")
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086 # a list of pids
  kill -TERM $pids 2>/dev/null || true
  local pid
  for pid in $pids; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

stop_all() {
  [[ -f $WORK/pids ]] || return 0
  local pid
  while read -r pid; do stop_tree "$pid"; done <"$WORK/pids"
  rm -f "$WORK/pids"
}

# A previous run killed hard may have left its processes: stop those (only ours: their command line names $WORK).
stop_leftovers() {
  [[ -f $WORK/pids ]] || return 0
  local pid
  while read -r pid; do
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$WORK"; then
      log "stopping leftover process $pid from a previous run"
      stop_tree "$pid"
    fi
  done <"$WORK/pids"
  rm -f "$WORK/pids"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

wait_for_port() {  # port pid what
  for _ in $(seq 600); do
    port_open "$1" && return 0
    kill -0 "$2" 2>/dev/null || die "$3 exited before listening on $HOST:$1 (see ${WORK#"$ROOT"/}/$3.log)"
    sleep 0.1
  done
  die "$3 did not listen on $HOST:$1 within 60 s (see ${WORK#"$ROOT"/}/$3.log)"
}

# One GET through bash's /dev/tcp (curl for https, h2tls and h2c; h3load for h3); fails unless the answer is 200 with
# a body of at least min_bytes.
check_get() {  # port path min_bytes
  local answer body
  [[ ${MODE:-http} != h3 ]] || { check_get_h3 "$@"; return; }
  if [[ ${MODE:-http} == https ]]; then   # the bench certificates are self-made: no verification here
    answer=$(curl -sk -i --http1.1 --max-time 5 -H 'Host: bench' "https://$HOST:$1$2"; echo .) || true
  elif [[ ${MODE:-http} == h2tls ]]; then   # HTTP/2 over TLS (ALPN h2), as h2load speaks it to an https:// URI
    answer=$(curl -sk -i --http2 --max-time 5 -H 'Host: bench' "https://$HOST:$1$2"; echo .) || true
  elif [[ ${MODE:-http} == h2c ]]; then   # HTTP/2 cleartext with prior knowledge, as h2load speaks it
    answer=$(curl -s -i --http2-prior-knowledge --max-time 5 -H 'Host: bench' "http://$HOST:$1$2"; echo .) || true
  else
    answer=$(exec 3<>"/dev/tcp/$HOST/$1" \
      && printf 'GET %s HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n' "$2" >&3 && timeout 5 cat <&3; echo .) || true
  fi
  body=${answer#*$'\r\n\r\n'}
  body=${body%.}  # the dot keeps $(...) from eating the body's last newline
  [[ ($answer == "HTTP/1.1 200"* || (${MODE:-http} == h2* && $answer == "HTTP/2 200"*)) && ${#body} -ge $3 ]] \
    || die "$HOST:$1$2 did not answer 200 with ${3}+ bytes of body: ${answer:0:200}"
}

# The same over HTTP/3 with one request of h3load (this curl has no HTTP/3): its log gives the status, its summary the
# body's bytes. Tried a few times: the listener's UDP side may open a moment after the TCP port that wait_for_port saw.
check_get_h3() {  # port path min_bytes
  local out log=$WORK/check-h3.log status="" bytes=0
  for _ in $(seq 10); do
    rm -f "$log"
    out=$("${H3LOAD[@]}" -n 1 --connect-timeout=2 --log-file="$log" "https://$HOST:$1$2" 2>&1) || true
    status=$(cut -f2 "$log" 2>/dev/null || true)
    [[ $status == -1 || -z $status ]] || break
  done
  bytes=$(awk '/^traffic:/ { gsub(/[()]/, "", $6); print $6 }' <<<"$out")
  rm -f "$log"
  [[ $status == 200 && ${bytes:-0} -ge $3 ]] \
    || die "$HOST:$1$2 did not answer 200 with ${3}+ bytes of body over HTTP/3 (status ${status:-none}): ${out:0:300}"
}

# utime + stime (fields 14, 15 of /proc/PID/stat, after the command name) of the whole tree, in clock ticks.
cpu_ticks() {  # pid
  local pid total=0
  for pid in $(tree_pids "$1"); do
    total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# Peak resident set (VmHWM) summed over the tree, in KiB.
peak_rss_kb() {  # pid
  local pid total=0
  for pid in $(tree_pids "$1"); do
    total=$((total + $(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")))
  done
  echo "$total"
}
