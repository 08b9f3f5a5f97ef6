#!/usr/bin/env bash
# What `romwatch publish` sends to an S3-compatible server: objects and
# bytes for the whole shared dataset's site, then for a one-ROM change, with
# wall time. Needs an S3 server: ROMWATCH_TEST_S3=http://127.0.0.1:PORT (for
# example `moto_server -p PORT`, from PyPI's moto[server]).
# Usage: ROMWATCH_TEST_S3=… benches/publish.sh [FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
endpoint=${ROMWATCH_TEST_S3:?set ROMWATCH_TEST_S3 to an S3-compatible server}
data=$(realpath "${1:-../shared/data/xfu-roms.jsonl}")
cargo build --release -p romwatch --quiet
romwatch=$PWD/target/release/romwatch
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/romwatch-publish.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
bucket="romwatch-bench-$$"
# moto creates a bucket on an unsigned PUT.
curl -sf -X PUT "$endpoint/$bucket" >/dev/null
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="$endpoint" AWS_ALLOW_HTTP=true
"$romwatch" import "$data" >/dev/null
"$romwatch" build >/dev/null

publish() {
  local start end
  start=$(date +%s.%N)
  "$romwatch" publish "s3://$bucket/site"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "  %.1f s wall\n", b - a }'
}
echo "whole site:"; publish
cat > one.jsonl <<'JSON'
{"codename":"capricorn","device":"Mi 5s Global","os":"miui","version":"V11.0.9.0.PAGMIXM","branch":"Stable","type":"Recovery","size":"1.9 GB","date":"2025-07-01","filename":"miui_MI5SGlobal_V11.0.9.0.PAGMIXM_0123456789_9.0.zip","md5":null,"url":"https://bigota.d.miui.com/V11.0.9.0.PAGMIXM/miui_MI5SGlobal_V11.0.9.0.PAGMIXM_0123456789_9.0.zip","changelog":"Bench.","android":"9.0"}
JSON
"$romwatch" import one.jsonl >/dev/null
"$romwatch" build >/dev/null
echo "after one new ROM:"; publish
echo "nothing changed:"; publish
