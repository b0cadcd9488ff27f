#!/usr/bin/env bash
# Load benchmark of the public pages with the demo data, on the embedded SQLite.
#
#   bench/load.sh [path/to/fabrique]      (default: target/release/fabrique, built if missing)
#
# Starts `fabrique serve --demo` on a fresh database in a temp dir, then drives it with wrk
# (Debian package `wrk`) at 64 connections: the organisation page and the directory, HTML
# and JSON. Prints requests/s, latency percentiles, and the server's resident memory
# (VmRSS now, VmHWM peak). Loopback only; bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/fabrique}
[ -x "$bin" ] || cargo build --release -p fabrique
command -v wrk >/dev/null || { echo "install wrk: apt-get install -y wrk" >&2; exit 1; }
duration=${DURATION:-20s}
conns=${CONNECTIONS:-64}
port=${PORT:-18080}
dir=$(mktemp -d)
"$bin" serve --demo --listen "127.0.0.1:$port" --database "sqlite://$dir/fabrique.db" >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "binary: $bin; connections: $conns; duration: $duration each"
for path in /o/manchots-libres /orgs /api/v1/orgs/grenier-commun /api/v1/orgs; do
  curl -sf -o /dev/null "http://127.0.0.1:$port$path"
  echo "--- GET $path"
  wrk -t2 -c"$conns" -d"$duration" --latency "http://127.0.0.1:$port$path" | grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|Socket errors"
done
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
