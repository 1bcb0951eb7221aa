#!/usr/bin/env bash
# make simulate: Redis, a fresh database with the demo workshop, one Celery worker process, then
# `manage.py simulate` (table, then one JSON line). Reproducible: the same SEED gives the same figures
# (all but "timings"), which needs a fresh database (an earlier run's work and pay change the next one)
# and one worker process (two take a step's follow-ups in a racing order). The database is
# var/simulate.sqlite3, made anew each time; DATABASE_URL=postgres://... uses that database as it is.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
on_exit_cleanup
start_redis
if [[ "${DATABASE_URL:-}" != postgres* ]]; then
  rm -f "$VAR"/simulate.sqlite3*
  export DATABASE_URL="sqlite:///$VAR/simulate.sqlite3"
fi
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo >/dev/null
start_celery_worker simulate-worker 1
"$PY" manage.py simulate --days "${DAYS:-30}" --seed "${SEED:-1}" --json
