#!/usr/bin/env bash
# Load-tests `romwatch serve` on loopback with wrk (Debian package `wrk`):
# requests/s and latency percentiles for a static update page, a device API
# query and a search query, over the whole shared dataset.
# Usage: benches/serve.sh [FILE] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/xfu-roms.jsonl}
seconds=${2:-10}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release -p romwatch --quiet
romwatch=$PWD/target/release/romwatch
work=$(mktemp -d)
cd "$work"
"$romwatch" import "$data" >/dev/null
"$romwatch" build >/dev/null
port=18080
"$romwatch" serve --listen 127.0.0.1:$port 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
for path in /miui/capricorn/weekly/7.12.28/ "/api/v1/roms?codename=alioth&limit=50" "/api/v1/search?q=poco%20f3"; do
  echo "== $path"
  wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port$path" | grep -E "Requests/sec|Latency  |  50%|  99%|Non-2xx"
done
