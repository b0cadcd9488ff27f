#!/usr/bin/env bash
# The test command of the README. SQLite by default; set
# FABRIQUE_TEST_DATABASE_URL=postgres://user@host:port/db to run the storage tests on a
# PostgreSQL server (each test creates and drops its own database there).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --workspace "$@"
