#!/usr/bin/env bash
# The whole suite, on SQLite and on a throwaway PostgreSQL (scripts/with_postgres.sh), spread over the machine's
# cores by pytest-xdist; prints its wall time at the end. WFS_TEST_WORKERS sets the number of workers (0: one
# process, no xdist). Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unset WFS_SETTABLE_CLOCK  # the tests set their own configuration
# Some machines set PYTHONDONTWRITEBYTECODE=1: every Python process of the run (each xdist worker, gunicorn worker,
# `wfs` command and schemathesis) would then compile the service and rewrite the tests afresh, about 3 s per worker.
unset PYTHONDONTWRITEBYTECODE
# One worker per core, at most 4: each holds a few dozen PostgreSQL connections at its busiest (gunicorn workers,
# concurrency storms) and the throwaway server allows 100.
cores=$(nproc 2>/dev/null || echo 2)
workers=${WFS_TEST_WORKERS:-$((cores < 4 ? cores : 4))}
# The machine's speed for plain Python at the start and the end (bench/machine_speed.py, ms, lower is faster): a
# shared machine drifts by 10 % and more, so two runs compare as wall time divided by it.
speed() { .venv/bin/python bench/machine_speed.py 2>/dev/null || echo "?"; }
speed_at_start=$(speed)
started=$SECONDS
# loadgroup: tests marked xdist_group(name) run on one worker (the browser tests share one Chromium and server).
scripts/with_postgres.sh .venv/bin/python -m pytest -n "$workers" --dist loadgroup "$@"
status=$?
echo "suite wall time: $((SECONDS - started)) s (machine speed: $speed_at_start ms at the start, $(speed) ms at the end; bench/machine_speed.py)"
# pytest exits 5 when it collected no test: that is a failure for CI, never a pass.
exit $status
