#!/usr/bin/env bash
# Property-based tests of the JSON API against its own OpenAPI description.
#
# Builds target/debug/fabrique (unless FABRIQUE_BIN names a binary), serves the demo data
# set on a fresh SQLite database in a temporary directory on a free port, creates an API
# token for the administrator of the demo association, then runs schemathesis
# (`pip install schemathesis`) on every operation of /api/v1/openapi.json with the checks:
# no server error, responses conform to their schema, statuses are documented.
# Options: SCHEMATHESIS_EXAMPLES (default 12 per operation), SCHEMATHESIS_SEED; any
# further arguments are passed to `schemathesis run`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

command -v schemathesis >/dev/null || {
  echo "schemathesis is not installed: pip install schemathesis" >&2
  exit 1
}
bin=${FABRIQUE_BIN:-}
if [ -z "$bin" ]; then
  cargo build -q -p fabrique
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/fabrique"
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export FABRIQUE_DATABASE_URL="sqlite://$work/fabrique.db"
export FABRIQUE_LOG=${FABRIQUE_LOG:-warn}
"$bin" migrate >/dev/null
"$bin" serve --demo --listen "127.0.0.1:$port" 2>"$work/server.log" &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 240); do
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
    "$base/api/v1/openapi.json" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
# The demo loads before the server listens; the association's administrator works on it.
token=$("$bin" admin create-token --email camille.martin@demo.fabrique.test --name schemathesis)

# Operations work on the demo association (a random slug would only ever meet a 404).
cat >"$work/schemathesis.toml" <<TOML
[parameters]
"path.slug" = "manchots-libres"
TOML

# Operations that can take the caller's own access away (revoking its token, removing or
# demoting its membership) run last, in a second pass, so that they do not turn the rest
# of the run into 401s and 403s.
own_access=(
  "DELETE /api/v1/me/tokens/{id}"
  "DELETE /api/v1/orgs/{slug}/members/{id}"
  "PATCH /api/v1/orgs/{slug}/members/{id}"
)
exclude=()
include=()
for name in "${own_access[@]}"; do
  exclude+=(--exclude-name "$name")
  include+=(--include-name "$name")
done
run() {
  schemathesis --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --url "$base" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-12}" \
    --seed "${SCHEMATHESIS_SEED:-1}" \
    --workers 2 \
    --request-timeout 30 \
    --no-color \
    --generation-database none \
    "$@"
}
status=0
run "${exclude[@]}" "$@" || status=$?
run "${include[@]}" "$@" || status=$?
if grep -q "internal error" "$work/server.log"; then
  echo "== the server logged internal errors:" >&2
  grep -A3 "internal error" "$work/server.log" | head -60 >&2
  status=1
fi
exit $status
