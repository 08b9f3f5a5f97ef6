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
  python3 - "$1" "$work/summary.json" "$work/time.txt" <<'PY'
import json, re, sys
label, summary, timing = sys.argv[1], json.load(open(sys.argv[2])), open(sys.argv[3]).read()
wall = float(re.search(r"wall ([0-9.]+)", timing).group(1))
user = float(re.search(r"user ([0-9.]+)", timing).group(1))
system = float(re.search(r"sys ([0-9.]+)", timing).group(1))
rss = int(re.search(r"rss ([0-9]+)", timing).group(1))
requests = summary["requests"]
tally = {k: sum(h[k] for h in summary["hosts"].values()) for k in ("ok", "slow", "down")}
print(f"{label}: {summary['recorded']['files']} files, {requests} requests "
      f"({tally['ok']} ok, {tally['slow']} slow, {tally['down']} down) in {wall:.2f} s wall "
      f"= {requests / wall:.0f} checks/s; CPU {user:.2f} s user + {system:.2f} s sys; "
      f"peak RSS {rss / 1024:.1f} MiB")
PY
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
