# The backends and the contenders for run.sh (sourced, not run). A contender is three functions:
#   skip_<name>   prints why it cannot run (and returns 0), or returns 1 when it can;
#   start_<name>  starts it listening on $HOST:$LB_PORT, pinned to $LB_CORE, and sets LB_PID (empty: nothing to measure);
#   version_<name> prints one line for the machine facts.
# They read the scenario's MODE: http, https, tcp (HAProxy in mode tcp, nginx's stream module, Tandem's tcp config),
# h2c (h2load speaks HTTP/2 with prior knowledge to the balancer), h2tls (h2load, HTTP/2 over TLS) or h3 (h3load,
# HTTP/3; these two for Tandem only, the scenarios' ONLY); and BACKEND_PROTO: http1, or h2c (the backends' h2c
# listeners, H2_BACKEND_PORTS, which run_scenario then puts in BACKENDS).

install_tools() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v nginx >/dev/null || missing+=(nginx)
  [[ -f /usr/lib/nginx/modules/ngx_stream_module.so ]] || missing+=(libnginx-mod-stream)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v h2load >/dev/null || missing+=(nghttp2-client)
  command -v curl >/dev/null || missing+=(curl)
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v taskset >/dev/null || missing+=(util-linux)
  ((${#missing[@]})) || return 0
  local sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  log "installing ${missing[*]}"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# One nginx (one worker, on the load core) serving both backends: "hello\n" on every path, a 64 KiB file on /64k, 1 MiB
# on /1m; each backend over HTTP/1.1 on its BACKEND_PORTS port and over h2c (prior knowledge only: nginx 1.22's
# "listen ... http2" without ssl) on its H2_BACKEND_PORTS port.
start_backends() {
  mkdir -p "$WORK/backends/logs" "$WORK/backends/www"
  head -c 65536 < <(yes 'tandem bench: a static body of exactly 64 KiB, served by the backends on /64k') >"$WORK/backends/www/64k"
  head -c 1048576 < <(yes 'tandem bench: a static body of exactly 1 MiB, served by the backends on /1m') >"$WORK/backends/www/1m"
  local servers="" port i
  for i in "${!BACKENDS[@]}"; do
    servers+="  server {
    listen $HOST:${BACKENDS[i]};
    listen $HOST:${H2_BACKENDS[i]} http2;
    location / { return 200 \"hello\\n\"; }
    location = /64k { root $WORK/backends/www; }
    location = /1m { root $WORK/backends/www; }
  }
"
  done
  cat >"$WORK/backends/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/backends/nginx.pid;
error_log $WORK/backends/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  default_type text/plain;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 75s;
  keepalive_requests 100000000;
$servers}
EOF
  taskset -c "$LOAD_CORE" nginx -p "$WORK/backends" -e "$WORK/backends/logs/error.log" -c "$WORK/backends/nginx.conf" \
    >"$WORK/backends.log" 2>&1 &
  local pid=$!
  remember "$pid"
  for port in "${BACKENDS[@]}"; do
    wait_for_port "$port" "$pid" backends
    check_get "$port" / 6
    check_get "$port" /64k 65536
    check_get "$port" /1m 1048576
  done
  for port in "${H2_BACKENDS[@]}"; do
    wait_for_port "$port" "$pid" backends
    MODE=h2c check_get "$port" / 6
  done
}

unsupported_mode() { echo "scenario mode '$MODE' is not supported by $1 yet"; }

# --- direct: the load generator straight at the first backend, the ceiling -----------------------------------------
skip_direct() {
  [[ $MODE == https ]] && { echo "the backends speak plain HTTP"; return 0; }
  [[ $MODE == h2c && $BACKEND_PROTO != h2c ]] && { echo "h2load speaks h2c, this scenario's backends HTTP/1.1"; return 0; }
  return 1
}
start_direct() { LB_PID=""; }
version_direct() { :; }
port_direct() { echo "${BACKENDS[0]}"; }

# --- HAProxy: one thread, keep-alive and connection reuse to the backends, round robin, no log ----------------------
skip_haproxy() { [[ $MODE == http || $MODE == https || $MODE == tcp || $MODE == h2c ]] && return 1; unsupported_mode haproxy; }
# The HTTPS scenarios' certificates (config/bench/certs, made by make-certs.sh): a.tandem.test is the default.
BENCH_CERTS="$ROOT/config/bench/certs"
start_haproxy() {
  local servers="" i bind_tls="" name server_proto=""
  # A plain bind in mode http takes HTTP/1.1 and h2c with prior knowledge alike (HAProxy spots the HTTP/2 preface).
  [[ $BACKEND_PROTO != h2c ]] || server_proto=" proto h2"
  for i in "${!BACKENDS[@]}"; do servers+="  server b$((i + 1)) $HOST:${BACKENDS[i]}$server_proto
"; done
  if [[ $MODE == https ]]; then
    for name in a b; do cat "$BENCH_CERTS/$name.tandem.test.crt" "$BENCH_CERTS/$name.tandem.test.key" >"$WORK/$name.pem"; done
    bind_tls=" ssl crt $WORK/a.pem crt $WORK/b.pem alpn h2,http/1.1"
  fi
  if [[ $MODE == tcp ]]; then
    cat >"$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn $((CONNECTIONS * 2 + 1000))
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
listen bench
  bind $HOST:$LB_PORT
  balance roundrobin
$servers
EOF
  else
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
  bind $HOST:$LB_PORT$bind_tls
  default_backend backends
backend backends
  balance roundrobin
$servers
EOF
  fi
  taskset -c "$LB_CORE" haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  LB_PID=$!
}
version_haproxy() { haproxy -v | sed -n 1p; }
port_haproxy() { echo "$LB_PORT"; }

# --- nginx: one worker, upstream keep-alive, round robin, no access log ---------------------------------------------
skip_nginx() {
  [[ $MODE == http || $MODE == https || $MODE == h2c ]] && return 1
  [[ $MODE == tcp && -f /usr/lib/nginx/modules/ngx_stream_module.so ]] && return 1
  [[ $MODE == tcp ]] && { echo "nginx's stream module is not installed (libnginx-mod-stream)"; return 0; }
  unsupported_mode nginx
}
start_nginx() {
  local servers="" port listen="$HOST:$LB_PORT" tls="" name keepalive=64
  local pass='proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";'
  for port in "${BACKENDS[@]}"; do servers+="    server $HOST:$port;
"; done
  if [[ $MODE == h2c ]]; then
    listen+=" http2"   # without ssl: HTTP/2 with prior knowledge only
    # Each request in flight holds a backend connection of its own (nginx multiplexes no upstream), so the idle cache
    # is sized to hold them all, as HAProxy's http-reuse keeps every connection it made.
    keepalive=$((H2_CLIENTS * H2_STREAMS > 64 ? H2_CLIENTS * H2_STREAMS : 64))
    # h2c to the backends: only the gRPC proxy speaks HTTP/2 upstream; it forwards any request, a plain GET too.
    [[ $BACKEND_PROTO != h2c ]] || pass='grpc_pass grpc://backends;'
  fi
  if [[ $MODE == https ]]; then
    listen+=" ssl http2"
    for name in a b; do   # the first server block is the default (no or unknown SNI), as in Tandem's config
      tls+="  server {
    listen $listen;
    server_name $name.tandem.test;
    ssl_certificate $BENCH_CERTS/$name.tandem.test.crt;
    ssl_certificate_key $BENCH_CERTS/$name.tandem.test.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { proxy_pass http://backends; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }
"
      listen="$HOST:$LB_PORT ssl"
    done
  fi
  mkdir -p "$WORK/nginx/logs"
  if [[ $MODE == tcp ]]; then
    cat >"$WORK/nginx/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections $((CONNECTIONS * 4 + 1000)); }
stream {
  upstream backends {
$servers  }
  server {
    listen $HOST:$LB_PORT;
    proxy_pass backends;
  }
}
EOF
  else
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections $((CONNECTIONS * 4 + 1000)); }
http {
  access_log off;
  keepalive_timeout 75s;
  keepalive_requests 100000000;
  upstream backends {
$servers    keepalive $keepalive;
    keepalive_requests 100000000;
  }
$(if [[ -n $tls ]]; then printf '%s' "$tls"; else cat <<PLAIN
  server {
    listen $listen;
    location / {
      $pass
    }
  }
PLAIN
fi)
}
EOF
  fi
  taskset -c "$LB_CORE" nginx -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log" -c "$WORK/nginx/nginx.conf" \
    >"$WORK/nginx.log" 2>&1 &
  LB_PID=$!
}
version_nginx() { nginx -v 2>&1 | sed -n 1p; }
port_nginx() { echo "$LB_PORT"; }

# --- Tandem: the launcher script if built (it carries the launch-default JVM flags), else java -jar ------------------
skip_tandem() {
  [[ -f $TANDEM_JAR ]] || { echo "${TANDEM_JAR#"$ROOT"/} not found (build it: mvn -B -DskipTests package)"; return 0; }
  [[ -f $TANDEM_CONFIG ]] || { echo "${TANDEM_CONFIG#"$ROOT"/} not found"; return 0; }
  command -v java >/dev/null || { echo "java not on PATH"; return 0; }
  # The h2 configs use keys (listener h2c, pool protocol) that builds before issue 13 reject, and h3.yaml the
  # listener's http3 (issue 14): ask the build first, so that such a build is skipped with its own words rather than
  # ending the run when it refuses to start.
  if [[ $MODE == h2c || $MODE == h2tls || $MODE == h3 ]]; then
    local problems
    problems=$(${JAVA:-java} -jar "$TANDEM_JAR" --check-config --config "$TANDEM_CONFIG" 2>&1 >/dev/null) \
      || { echo "this build does not accept ${TANDEM_CONFIG#"$ROOT"/}: $(grep -v 'configuration test failed' <<<"$problems" \
        | sed "s#^${TANDEM_CONFIG}: ##" | awk '{ printf "%s%s", (NR > 1 ? " / " : ""), $0 }')"; return 0; }
  fi
  return 1
}
start_tandem() {
  # A copy in $WORK puts $WORK on the command line, which is how a later run recognises a leftover process. The
  # config names the default ports; the copy names the ports of this run.
  # Relative certificate paths are relative to the config's directory: made absolute for the copy.
  sed -e "s/$HOST:18080\b/$HOST:$LB_PORT/" -e "s/$HOST:18443\b/$HOST:$LB_PORT/" \
    -e "s/$HOST:19001\b/$HOST:${BACKENDS[0]}/" -e "s/$HOST:19002\b/$HOST:${BACKENDS[1]}/" \
    -e "s#\(cert\|key\): certs/#\1: $(cd "$(dirname "$TANDEM_CONFIG")" && pwd)/certs/#g" "$TANDEM_CONFIG" \
    >"$WORK/${TANDEM_LOG:-tandem}.yaml"
  # A variant's node settings (the bench configs have no node section of their own).
  [[ -z ${TANDEM_NODE_YAML:-} ]] || printf 'node:\n%s\n' "$TANDEM_NODE_YAML" >>"$WORK/${TANDEM_LOG:-tandem}.yaml"
  if [[ -f $TANDEM_LAUNCHER ]]; then
    local launcher=("$TANDEM_LAUNCHER")
    [[ -x $TANDEM_LAUNCHER ]] || launcher=(bash "$TANDEM_LAUNCHER")
    taskset -c "$LB_CORE" "${launcher[@]}" --config "$WORK/${TANDEM_LOG:-tandem}.yaml" \
      >"$WORK/${TANDEM_LOG:-tandem}.log" 2>&1 &
  else
    # shellcheck disable=SC2086 # TANDEM_JAVA_OPTS is a list of flags
    taskset -c "$LB_CORE" ${JAVA:-java} $TANDEM_JAVA_OPTS -jar "$TANDEM_JAR" --config "$WORK/${TANDEM_LOG:-tandem}.yaml" \
      >"$WORK/${TANDEM_LOG:-tandem}.log" 2>&1 &
  fi
  LB_PID=$!
}

# --- Tandem variants of the same build, side by side with it ---------------------------------------------------------
# tandemuring: the same build on Netty's io_uring transport (node.transport: io-uring).
skip_tandemuring() { skip_tandem; }
start_tandemuring() { local TANDEM_LOG=tandemuring TANDEM_NODE_YAML="  transport: io-uring"; start_tandem; }
version_tandemuring() { echo "$(version_tandem), node.transport: io-uring"; }
port_tandemuring() { echo "$LB_PORT"; }
# tandemrules: the same build with config/bench/rules.yaml (a prefix strip and three header actions on /api/...).
skip_tandemrules() { skip_tandem; }
start_tandemrules() { local TANDEM_LOG=tandemrules TANDEM_CONFIG=$ROOT/config/bench/rules.yaml; start_tandem; }
version_tandemrules() { echo "$(version_tandem), config/bench/rules.yaml"; }
port_tandemrules() { echo "$LB_PORT"; }
# tandem25: the launcher on Java 25 ($JAVA25) with compact object headers.
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
skip_tandem25() { [[ -x $JAVA25 ]] || { echo "$JAVA25 not found"; return 0; }; JAVA=$JAVA25 skip_tandem; }
start_tandem25() {
  local TANDEM_LOG=tandem25
  JAVA=$JAVA25 TANDEM_JAVA_OPTS="${TANDEM_JAVA_OPTS_SET:+$TANDEM_JAVA_OPTS }-XX:+UseCompactObjectHeaders" start_tandem
}
version_tandem25() { echo "$(version_tandem) on $("$JAVA25" -version 2>&1 | sed -n 1p), -XX:+UseCompactObjectHeaders"; }
port_tandem25() { echo "$LB_PORT"; }
# --- baseline: another Tandem build, to compare two builds side by side. BASELINE_DIR holds a copy of that build's
# node/target/{tandem.jar,tandem,lib/} (and optionally COMMIT, a line naming it).
skip_baseline() {
  [[ -n ${BASELINE_DIR:-} ]] || { echo "BASELINE_DIR is not set (a directory with another build's tandem.jar and tandem launcher)"; return 0; }
  [[ -f $BASELINE_DIR/tandem.jar ]] || { echo "$BASELINE_DIR/tandem.jar not found"; return 0; }
  local TANDEM_JAR=$BASELINE_DIR/tandem.jar
  skip_tandem
}
start_baseline() {
  local TANDEM_JAR=$BASELINE_DIR/tandem.jar TANDEM_LAUNCHER=$BASELINE_DIR/tandem TANDEM_LOG=baseline
  start_tandem
}
version_baseline() {
  echo "Tandem baseline $(cat "$BASELINE_DIR/COMMIT" 2>/dev/null || echo '?') from $BASELINE_DIR"
}
port_baseline() { echo "$LB_PORT"; }

# --- bare: a plain Vert.x proxy (bare/BareProxy.java) on Tandem's libraries and JVM flags: the floor of the stack -------
skip_bare() {
  [[ $MODE == http ]] || { unsupported_mode bare; return 0; }
  [[ -d $ROOT/node/target/lib ]] || { echo "node/target/lib not found (build it: mvn -B -DskipTests package)"; return 0; }
  command -v java >/dev/null || { echo "java not on PATH"; return 0; }
  return 1
}
start_bare() {
  # The launch defaults of node/target/tandem, so that the difference is the code, not the JVM settings.
  taskset -c "$LB_CORE" java -XX:+UseSerialGC -Xms96m -Xmx96m -Xss512k -Dio.netty.allocator.type=pooled \
    -cp "$ROOT/node/target/lib/*" "$HERE/bare/BareProxy.java" "$LB_PORT" "${BACKENDS[@]}" >"$WORK/bare.log" 2>&1 &
  LB_PID=$!
}
version_bare() { echo "bare Vert.x proxy (cluster-tests/bench/bare/BareProxy.java) on node/target/lib"; }
port_bare() { echo "$LB_PORT"; }

version_tandem() {
  local how="java $TANDEM_JAVA_OPTS -jar ${TANDEM_JAR#"$ROOT"/}"
  [[ -f $TANDEM_LAUNCHER ]] && how="${TANDEM_LAUNCHER#"$ROOT"/}${TANDEM_JAVA_OPTS_SET:+ (TANDEM_JAVA_OPTS=$TANDEM_JAVA_OPTS)}"
  echo "Tandem $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'), started as: $how"
}
port_tandem() { echo "$LB_PORT"; }
