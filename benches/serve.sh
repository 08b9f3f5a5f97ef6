#!/usr/bin/env bash
# Load-tests `romwatch serve` on loopback with wrk (Debian package `wrk`):
# requests/s and latency percentiles for a static update page, a device API
# query and a search query, over the whole shared dataset; then the same
# static page from nginx serving the same built site (installed from
# Debian's packages when missing, as root), plain and with
# `Accept-Encoding: gzip` (both send the build's precompressed copy), and
# the ratio romwatch/nginx of requests/s, measured in the same run.
# Usage: benches/serve.sh [FILE] [SECONDS]   (NGINX=0 skips nginx;
# ROMWATCH=path/to/romwatch measures another build)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/xfu-roms.jsonl}
seconds=${2:-10}
page=/miui/capricorn/weekly/7.12.28/
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [ "${NGINX:-1}" != 0 ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx from Debian's packages" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if [ -z "${ROMWATCH:-}" ]; then
  cargo build --release -p romwatch --quiet
  ROMWATCH=$PWD/target/release/romwatch
fi
romwatch=$ROMWATCH
work=$(mktemp -d)
# nginx's workers run as another user: they must be able to read the site.
chmod 755 "$work"
cd "$work"
"$romwatch" import "$data" >/dev/null
"$romwatch" build >/dev/null
port=18080
nginx_port=18081
"$romwatch" serve --listen 127.0.0.1:$port 2>/dev/null &
server=$!
nginx_pid=
trap 'kill $server $nginx_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# wrk's requests/s of one URL (extra wrk arguments after it), with its
# latency lines on stderr.
rate() {
  local url=$1; shift
  wrk -t2 -c64 -d"${seconds}s" --latency "$@" "$url" >wrk.out
  grep -E "Latency  |  50%|  99%|Non-2xx" wrk.out >&2 || true
  awk '/Requests\/sec/ {print $2}' wrk.out
}

for path in $page "/api/v1/roms?codename=alioth&limit=50" "/api/v1/search?q=poco%20f3"; do
  echo "== romwatch $path"
  echo "Requests/sec: $(rate "http://127.0.0.1:$port$path")"
done

[ "${NGINX:-1}" != 0 ] || exit 0
# nginx as a static server is set up: sendfile, open_file_cache, the
# build's .gz copies (gzip_static), as many workers as cores.
cat >nginx.conf <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  open_file_cache max=10000 inactive=60s;
  gzip_static on;
  server {
    listen 127.0.0.1:$nginx_port;
    root $(readlink -f public);
  }
}
CONF
"$nginx_bin" -c "$work/nginx.conf" -p "$work" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nginx_port$page" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$nginx_port$page" >/dev/null ||
  { echo "nginx does not serve $page:" >&2; cat nginx-error.log >&2; exit 1; }
for encoding in identity gzip; do
  echo "== $page, Accept-Encoding: $encoding"
  ours=$(rate "http://127.0.0.1:$port$page" -H "Accept-Encoding: $encoding")
  theirs=$(rate "http://127.0.0.1:$nginx_port$page" -H "Accept-Encoding: $encoding")
  awk -v a="$ours" -v b="$theirs" \
    'BEGIN { printf "romwatch %.0f req/s, nginx %.0f req/s: romwatch/nginx %.2f\n", a, b, a / b }'
done
