#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a fixed number of iterations and reports each.
#
#   bench/fuzz.sh [RUNS] [TARGET...]      (default: 200000 runs of every target)
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`); not run in CI.
# Built optimised with debug assertions and overflow checks (as the tests run), so an
# arithmetic overflow is a crash too. Each target starts from its seeds in
# fuzz/corpus/<target>/ and adds what it finds there (git ignores all but the seed-* files).
# A crash, panic, timeout (FUZZ_TIMEOUT seconds per input, default 10) or out-of-memory
# stops that target: its input is written to fuzz/artifacts/<target>/ and the script exits
# 1 after the others have run. Full logs in $CARGO_TARGET_DIR/fuzz-logs/ (default
# target/fuzz-logs/).
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200000}
shift || true
command -v cargo-fuzz >/dev/null || { echo "install cargo-fuzz: cargo install cargo-fuzz" >&2; exit 1; }
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo +nightly fuzz list); fi
logs=${CARGO_TARGET_DIR:-target}/fuzz-logs
mkdir -p "$logs"
cargo +nightly fuzz build -O --debug-assertions || exit 1
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "runs per target: $runs"
printf '%-12s %10s %8s %7s %7s  %s\n' target runs seconds cov corpus result
failed=0
for t in "${targets[@]}"; do
  log="$logs/$t.log"
  start=$(date +%s)
  cargo +nightly fuzz run -O --debug-assertions "$t" -- -runs="$runs" -timeout="${FUZZ_TIMEOUT:-10}" \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  done_runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    failed=1
    result="FAILED ($(grep -oE 'ERROR: libFuzzer: [a-z-]+|panicked at [^:]+:[0-9]+' "$log" | head -1)); $(grep -oE 'artifacts/[^ ]+' "$log" | head -1)"
  fi
  printf '%-12s %10s %8s %7s %7s  %s\n' "$t" "${done_runs:-?}" "$secs" "${cov:-?}" "${corp:-?}" "$result"
done
exit "$failed"
