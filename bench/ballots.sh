#!/usr/bin/env bash
# Load benchmark of voting: N voters (default 10,000) each cast one ballot over HTTP with
# their own session, against a release `fabrique serve` on a fresh SQLite database; then
# the decision is closed and counted, and the count is checked against the acknowledged
# ballots.
#
#   bench/ballots.sh [path/to/fabrique [path/to/ballots-client]]
#
# Defaults: target/release/fabrique and target/release/examples/ballots (built if missing;
# CARGO_TARGET_DIR is honoured). Environment: VOTERS (10000), CONNECTIONS (64), PORT (18081),
# DATABASE (default: a fresh sqlite file in a temp dir; a postgres:// URL works too).
#
# Seeding (`fabrique bench-seed`, hidden) writes the voters' accounts, memberships and
# sessions in bulk instead of signing each one in (10,000 argon2 hashes would take
# minutes and measure sign-in, not voting); the organisation and the decision are created
# and opened by the real use cases, and every ballot goes through the real endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
bin=${1:-$target/release/fabrique}
client=${2:-$target/release/examples/ballots}
[ -x "$bin" ] || cargo build --release -p fabrique
[ -x "$client" ] || cargo build --release -p fabrique --example ballots
voters=${VOTERS:-10000}
conns=${CONNECTIONS:-64}
port=${PORT:-18081}
dir=$(mktemp -d)
db=${DATABASE:-sqlite://$dir/fabrique.db}
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin; voters: $voters; connections: $conns"
start=$(date +%s%N)
"$bin" bench-seed --voters "$voters" --database "$db" >"$dir/seed.json" 2>"$dir/seed.log"
echo "seeded (accounts, sessions, decision opened) in $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$bin" serve --listen "127.0.0.1:$port" --database "$db" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=$(cpu "$pid")
"$client" "http://127.0.0.1:$port" "$dir/seed.json" "$conns"
# Server CPU time over the run (votes, closing, counting), whatever else shares the machine.
ticks=$(( $(cpu "$pid") - before ))
echo "server CPU time: $(( ticks * 1000 / $(getconf CLK_TCK) )) ms, i.e. $(( ticks * 1000000 / $(getconf CLK_TCK) / voters )) µs per ballot"
grep -E "VmRSS|VmHWM" "/proc/$pid/status"
