#!/usr/bin/env bash
# The whole suite, on SQLite and on a throwaway PostgreSQL (scripts/with_postgres.sh).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unset WFS_SETTABLE_CLOCK  # the tests set their own configuration
scripts/with_postgres.sh .venv/bin/python -m pytest "$@"
status=$?
# pytest exits 5 when it collected no test: that is a failure for CI, never a pass.
exit $status
