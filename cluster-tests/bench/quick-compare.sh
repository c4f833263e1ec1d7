#!/usr/bin/env bash
# The first, narrower form of run.sh, kept for its users: HAProxy and Tandem only, keep-alive scenario only, results in
# work/quick-compare.{md,json,png} (so that it never overwrites results/latest.*). Every setting of run.sh still applies.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export SCENARIOS=${SCENARIOS:-keepalive} CONTENDERS=${CONTENDERS:-"haproxy tandem"} OUT=${OUT:-$HERE/work/quick-compare}
exec bash "$HERE/run.sh" "$@"
