#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, starts a throwaway
# PostgreSQL, builds, and runs every test target against it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec scripts/with-postgres.sh swift test "$@"
