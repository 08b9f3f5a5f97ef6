#!/usr/bin/env bash
# Times `romwatch build` of the whole shared dataset: a full build, a
# rebuild with no change, and a rebuild after one new ROM, with wall time and
# peak memory (GNU time). Usage: benches/build.sh [FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/xfu-roms.jsonl}
cargo build --release -p romwatch --quiet
romwatch=$PWD/target/release/romwatch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$romwatch" import "$data" >/dev/null
measure() { /usr/bin/time -f "  %e s wall, %U s user, %S s sys, %M KiB peak RSS" "$romwatch" build --timings; }
echo "full build:"; measure
echo "rebuild, no change:"; measure
cat > one.jsonl <<'JSON'
{"codename":"capricorn","device":"Mi 5s Global","os":"miui","version":"V11.0.9.0.PAGMIXM","branch":"Stable","type":"Recovery","size":"1.9 GB","date":"2025-07-01","filename":"miui_MI5SGlobal_V11.0.9.0.PAGMIXM_0123456789_9.0.zip","md5":null,"url":"https://bigota.d.miui.com/V11.0.9.0.PAGMIXM/miui_MI5SGlobal_V11.0.9.0.PAGMIXM_0123456789_9.0.zip","changelog":"Bench.","android":"9.0"}
JSON
"$romwatch" import one.jsonl >/dev/null
echo "rebuild after one new ROM:"; measure
