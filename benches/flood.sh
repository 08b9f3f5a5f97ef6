#!/usr/bin/env bash
# Floods `romwatch serve` on loopback with expensive searches (wrk, Debian
# package `wrk`) over the whole shared dataset, and reports what the issue
# of a search flood asked about: requests completed and their statuses,
# /healthz and a static page's latency during the flood (curl every 0.5 s),
# the server's memory (VmRSS, peak VmHWM) and threads before, right after
# and 5 s after, and the server's own counters.
# Usage: benches/flood.sh [FILE] [SECONDS] [CONNECTIONS] [QUERY]
# ROMWATCH=path/to/romwatch measures another build (an older one, say).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/xfu-roms.jsonl}
data=$(realpath "$data")
seconds=${2:-15}
connections=${3:-256}
# Eight words of twelve terms each: the issue's flood (about 0.3 s each).
word=0.0.0.0.0.0.0.0.0.0.0.0
query=${4:-"$word+$word+$word+$word+$word+$word+$word+$word"}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [ -z "${ROMWATCH:-}" ]; then
  cargo build --release -p romwatch --quiet
  ROMWATCH=$PWD/target/release/romwatch
fi
work=$(mktemp -d)
cd "$work"
"$ROMWATCH" import "$data" >/dev/null
mkdir public
echo '<!doctype html><title>romwatch</title>' >public/index.html
port=${PORT:-18081}
"$ROMWATCH" serve --listen 127.0.0.1:$port 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
memory() {
  echo "$1: $(grep -E '^(VmRSS|VmHWM|Threads):' "/proc/$server/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
}
memory before
probe() {
  local worst=0
  for _ in $(seq $((seconds * 2))); do
    t=$(curl -s -o /dev/null -m 30 -w '%{time_total}' "http://127.0.0.1:$port$1" || echo 30)
    worst=$(awk -v a="$worst" -v b="$t" 'BEGIN {print (b > a ? b : a)}')
    sleep 0.5
  done
  echo "$1 during the flood: slowest of $((seconds * 2)) probes ${worst}s"
}
probe /healthz >health.txt &
probes=$!
probe / >page.txt &
probes="$probes $!"
wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/api/v1/search?q=$query" >wrk.txt || true
wait $probes
grep -E "requests in|Requests/sec|Non-2xx|Socket errors|Latency  " wrk.txt
cat health.txt page.txt
memory after
sleep 5
memory "5 s later"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^romwatch_(store_queries|http_requests_abandoned|connections_rejected)|status="(400|503)"' || true
