#!/usr/bin/env bash
# Times `romwatch track` against `romwatch sim` on loopback: 1,400 device
# variants (about 4 checks each on the OTA API and the full-ROM endpoint,
# plus the lists and a CDN HEAD per new file), rate limit off, concurrency
# 64. Reports checks per second (from the run's JSON summary), CPU time and
# peak RSS (GNU time), for the baseline run on an empty store and for a
# second run that finds nothing new.
#
# Usage: benches/track.sh [VARIANTS] [CONCURRENCY]
# POLITE=1 also times a run with the polite defaults (4 at a time, 2
# requests/s per host) on a small catalog, to show what a real run costs.
# BACKFILL=N also times a run over the simulator's whole history imported
# without MD5s or changelogs, with `--backfill N`. Every run reports the
# range requests and bytes per package its metadata reads cost.
set -euo pipefail
cd "$(dirname "$0")/.."
variants=${1:-1400}
concurrency=${2:-64}
. benches/sim-common.sh

start_tracked_sim() { # VARIANTS
  start_sim "$1"
  posts=$(curl -s "$addr/_sim/posts")
  printf '[tracker]\nchina_posts = %s\n' "$posts" >"$work/romwatch.toml"
}

report() { # LABEL
  python3 benches/report.py track "$1" "$work/summary.json" "$work/time.txt"
}

track() { # LABEL ARGS...
  local label=$1; shift
  /usr/bin/time -f "wall %e user %U sys %S rss %M" -o "$work/time.txt" \
    "$bin" --config "$work/romwatch.toml" --db "$work/bench.db" track --upstream "$addr" --json "$@" \
    >"$work/summary.json"
  report "$label"
}

start_tracked_sim "$variants"
track "baseline (empty store)" --rate 0 --concurrency "$concurrency"
track "second run (nothing new)" --rate 0 --concurrency "$concurrency"
kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=

if [ -n "${BACKFILL:-}" ]; then
  rm -f "$work"/bench.db*
  start_sim "$variants"
  # The history as names only: what the backfill has to fill.
  curl -s "$addr/_sim/catalog" | python3 -c '
import json, sys
for line in sys.stdin:
    record = json.loads(line)
    record["md5"] = record["changelog"] = None
    print(json.dumps(record))' >"$work/history.jsonl"
  "$bin" --db "$work/bench.db" import "$work/history.jsonl" >/dev/null
  track "history + backfill $BACKFILL" --rate 0 --concurrency "$concurrency" --backfill "$BACKFILL"
  kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; sim_pid=
fi

if [ "${POLITE:-0}" = 1 ]; then
  rm -f "$work"/bench.db*
  start_tracked_sim 20
  track "polite defaults, 20 variants"
fi
