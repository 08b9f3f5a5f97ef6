#!/usr/bin/env bash
# Times `romwatch import` of the whole shared dataset into a fresh store and
# reports wall time and peak memory (GNU time). Usage: benches/import.sh [FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/xfu-roms.jsonl}
cargo build --release -p romwatch --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for run in 1 2 3; do
  rm -f "$work"/bench.db*
  /usr/bin/time -f "run $run: %e s wall, %U s user, %S s sys, %M KiB peak RSS" \
    target/release/romwatch --db "$work/bench.db" import "$data" >/dev/null
done
echo "re-import of the same file (nothing changes):"
/usr/bin/time -f "%e s wall, %M KiB peak RSS" target/release/romwatch --db "$work/bench.db" import "$data"
