#!/usr/bin/env bash
# Times `romwatch build` of the whole shared dataset: a full build, the
# file-system floor (`cp -r` of the same output tree, in the same run and
# directory), a rebuild with no change, and a rebuild after one new ROM,
# with wall time and peak memory (GNU time).
# Usage: benches/build.sh [FILE]; BENCH_DIR=/dev/shm benches/build.sh runs
# in memory (this machine's disk creates directories slowly, and its speed
# drifts).
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(realpath "${1:-../shared/data/xfu-roms.jsonl}")
cargo build --release -p romwatch --quiet
romwatch=$PWD/target/release/romwatch
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/romwatch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "in $work"
"$romwatch" import "$data" >/dev/null

# Seconds, to the millisecond, that "$@" takes.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
measure() { /usr/bin/time -f "  %e s wall, %U s user, %S s sys, %M KiB peak RSS" "$romwatch" build --timings; }

echo "full build:"
full=$(seconds "$romwatch" build)
tree=$(readlink -f public)
echo "  $full s ($(find "$tree" -type f | wc -l) files)"
copy=$(seconds cp -r "$tree" copy-of-site)
echo "cp -r of the same tree (the file-system floor): $copy s"
echo "floor ratio (full build / cp -r): $(awk -v a="$full" -v b="$copy" 'BEGIN { printf "%.2f", a / b }')x"
rm -rf copy-of-site

echo "rebuild, no change:"; measure
echo "  no-change time: $(seconds "$romwatch" build) s"
cat > one.jsonl <<'JSON'
{"codename":"capricorn","device":"Mi 5s Global","os":"miui","version":"V11.0.9.0.PAGMIXM","branch":"Stable","type":"Recovery","size":"1.9 GB","date":"2025-07-01","filename":"miui_MI5SGlobal_V11.0.9.0.PAGMIXM_0123456789_9.0.zip","md5":null,"url":"https://bigota.d.miui.com/V11.0.9.0.PAGMIXM/miui_MI5SGlobal_V11.0.9.0.PAGMIXM_0123456789_9.0.zip","changelog":"Bench.","android":"9.0"}
JSON
"$romwatch" import one.jsonl >/dev/null
echo "rebuild after one new ROM:"; measure
