#!/usr/bin/env bash
# A small network on one Linux machine, in network namespaces: a client host, three Tandem node hosts and two
# backend hosts on one Ethernet segment (a bridge), optionally a DNS server. Needs root, iproute2, iputils-arping.
#
#   deploy/lab/lab.sh up      build it (and print the addresses)      deploy/lab/lab.sh down    remove it
#   source deploy/lab/lab.sh  for the functions (failover-drill.sh does)
#
# Isolation: everything lives in namespaces named $LAB-*; the bridge is inside the "switch" namespace $LAB-sw, so the
# host's own interfaces, routes and firewall are never touched. The namespaces have no route out: traffic cannot
# leave them. lab_down removes every namespace (and so every process, veth and address in it) and is safe to run
# twice; scripts call it from an EXIT trap so that it runs on failure too.
#
# Settings (environment): LAB (namespace prefix, default tlab), LAB_NET (first three octets, default 10.77.0).
#   $LAB_NET.10 client   .11-.13 nodes n1-n3   .21-.22 backends b1-b2   .53 DNS   .100 the VIP   .101-.103 active-active VIPs
set -euo pipefail

LAB=${LAB:-tlab}
LAB_NET=${LAB_NET:-10.77.0}
LAB_HOSTS=(client n1 n2 n3 b1 b2)

lab_ip() { # lab_ip HOST -> its address
  case "$1" in
    client) echo "$LAB_NET.10" ;;
    n1) echo "$LAB_NET.11" ;; n2) echo "$LAB_NET.12" ;; n3) echo "$LAB_NET.13" ;;
    b1) echo "$LAB_NET.21" ;; b2) echo "$LAB_NET.22" ;;
    dns) echo "$LAB_NET.53" ;;
    *) echo "lab: unknown host $1" >&2; return 1 ;;
  esac
}

lab_ns() { echo "$LAB-$1"; }

lab_exec() { # lab_exec HOST COMMAND... : runs a command on a lab host
  local host=$1; shift
  ip netns exec "$(lab_ns "$host")" "$@"
}

lab_require() {
  local missing=()
  [ "$(id -u)" -eq 0 ] || missing+=("root")
  command -v ip >/dev/null || missing+=("ip (iproute2)")
  command -v arping >/dev/null || missing+=("arping (iputils-arping)")
  command -v java >/dev/null || missing+=("java")
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "lab: missing: ${missing[*]}" >&2
    return 1
  fi
}

# Adds host HOST to the segment: namespace, a veth whose far end is a port of the bridge, its address, sysctls.
lab_add_host() {
  local host=$1 ns
  ns=$(lab_ns "$host")
  ip netns add "$ns"
  ip -n "$(lab_ns sw)" link add "p-$host" type veth peer name eth0 netns "$ns"
  ip -n "$(lab_ns sw)" link set "p-$host" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$(lab_ip "$host")/24" dev eth0
  ip -n "$ns" link set eth0 up
  # A former VIP holder must not use the VIP as the source of its own ARP requests (re-poisoning caches).
  ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_announce=2
  # Listeners may bind a VIP this host does not hold yet.
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_nonlocal_bind=1
}

lab_up() {
  lab_require
  lab_down
  ip netns add "$(lab_ns sw)"
  ip -n "$(lab_ns sw)" link add br0 type bridge
  # No STP and no forwarding delay: a port is forwarding as soon as it is up (like an access switch with portfast).
  ip -n "$(lab_ns sw)" link set br0 type bridge stp_state 0 forward_delay 0
  ip -n "$(lab_ns sw)" link set br0 up
  local host
  for host in "${LAB_HOSTS[@]}"; do
    lab_add_host "$host"
  done
}

# Removes every namespace of this lab (and with them their processes, links and addresses).
lab_down() {
  local ns pids
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$LAB-" || true); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      kill -9 $pids 2>/dev/null || true
    fi
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$LAB-" || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
}

# The host's link goes down (its switch port), or comes back.
lab_link() { # lab_link HOST up|down
  ip -n "$(lab_ns sw)" link set "p-$1" "$2"
}

# Which node hosts hold ADDRESS on their interface now (space-separated).
lab_holders() {
  local address=$1 host out=""
  for host in n1 n2 n3; do
    if ip -n "$(lab_ns "$host")" -o addr show dev eth0 2>/dev/null | grep -q " $address/"; then
      out="$out $host"
    fi
  done
  echo "${out# }"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    up)
      lab_up
      for host in "${LAB_HOSTS[@]}"; do
        echo "$host $(lab_ns "$host") $(lab_ip "$host")"
      done
      ;;
    down) lab_down ;;
    *) echo "usage: $0 up|down" >&2; exit 2 ;;
  esac
fi
