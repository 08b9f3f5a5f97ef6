#!/usr/bin/env bash
# Times `romwatch mirrors` against `romwatch sim` on loopback. A catalog of
# VARIANTS device variants (default 400) is tracked into a fresh store (or,
# with CATALOG=FILE, such as ../shared/data/xfu-roms.jsonl, the simulator
# serves that file's ROMs and the store imports it), then:
#   1. one mirror run with the rate limit off (64 requests in flight) and
#      a budget of BUDGET requests (default 20000): mirror checks per second;
#   2. one mirror run with the defaults (`[mirrors]` budget 2000, 2
#      requests/s per host, 8 in flight): the wall time of a polite run.
# Each reports requests, wall time, CPU and peak RSS (GNU time).
#
# Usage: benches/mirrors.sh [VARIANTS] [BUDGET]
# FAST_ONLY=1 skips the polite run (it takes minutes by design).
set -euo pipefail
cd "$(dirname "$0")/.."
variants=${1:-400}
budget=${2:-20000}
. benches/sim-common.sh

if [ -n "${CATALOG:-}" ]; then
  start_sim "$variants" --catalog "$CATALOG"
  "$bin" --db "$work/bench.db" import "$CATALOG" >/dev/null
  source="$CATALOG"
else
  start_sim "$variants"
  printf '[tracker]\nrate = 0\nconcurrency = 64\n' >"$work/romwatch.toml"
  "$bin" --config "$work/romwatch.toml" --db "$work/bench.db" track --upstream "$addr" >/dev/null
  source="$variants variants"
fi
roms=$("$bin" --db "$work/bench.db" --json stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["roms"])')
echo "store: $roms ROM files from $source"

report() { # LABEL
  python3 benches/report.py mirrors "$1" "$work/summary.json" "$work/time.txt"
}

mirrors() { # LABEL CONFIG ARGS...
  local label=$1 config=$2; shift 2
  printf '%b' "$config" >"$work/mirrors.toml"
  /usr/bin/time -f "wall %e user %U sys %S rss %M" -o "$work/time.txt" \
    "$bin" --config "$work/mirrors.toml" --db "$work/bench.db" --json mirrors --upstream "$addr" "$@" \
    >"$work/summary.json"
  report "$label"
}

mirrors "rate limit off, budget $budget" '[mirrors]\nconcurrency = 64\n' --rate 0 --budget "$budget"
if [ "${FAST_ONLY:-0}" != 1 ]; then
  mirrors "defaults (budget 2000, 2/s per host)" ''
fi
