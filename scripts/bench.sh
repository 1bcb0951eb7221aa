#!/usr/bin/env bash
# make bench: a benchmark, not a test. Redis and a 2-process Celery worker, a fresh database with the demo
# workshop, then `manage.py bench` (table, then one JSON line). DATABASE_URL may point at PostgreSQL.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
on_exit_cleanup
start_redis
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  start_postgres
else
  rm -f "$VAR"/bench.sqlite3*
  export DATABASE_URL="sqlite:///$VAR/bench.sqlite3"
fi
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo --no-jobs >/dev/null
# Tasks sent and finished are counted (config.celery.TaskCounts): the flow's waits end with its last task.
export NUANXIN_COUNT_TASKS=1
CELERY_LOGLEVEL=WARNING start_celery_worker bench-worker
"$PY" manage.py bench "$@"
