#!/usr/bin/env bash
# Every benchmark, on a throwaway PostgreSQL (scripts/with_postgres.sh) and on SQLite; figures to stdout.
# Usage: bench/run_all.sh            (defaults: 1M task rows, 100k waiting timers, 10k open cases)
#        QUICK=1 bench/run_all.sh    (a smaller run, about a minute)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ "${QUICK:-}" == 1 ]]; then
    ROWS=10000,100000; WAITING=1000,10000; DUE=300; OPEN=1000; N=50
else
    ROWS=${ROWS:-10000,100000,1000000}; WAITING=${WAITING:-1000,10000,100000}; DUE=${DUE:-1000}
    OPEN=${OPEN:-10000}; N=${N:-200}
fi
PY='.venv/bin/python -u'
scripts/with_postgres.sh bash -c "
  set -x
  $PY bench/engine_state.py
  $PY bench/completion.py --open-cases $OPEN --n $N --clients 4
  $PY bench/sweep.py --waiting $WAITING --due $DUE
  $PY bench/sweep.py --sqlite --waiting $WAITING --due $DUE
  $PY bench/queries.py --task-rows $ROWS
  $PY bench/queries.py --sqlite --task-rows $ROWS
  $PY bench/memory.py
  $PY bench/inspection_rollup.py
  $PY bench/inspection_rollup.py --sqlite
" 2>&1 | grep --line-buffered -v 'alembic.runtime.migration'
