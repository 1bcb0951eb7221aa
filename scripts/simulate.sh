#!/usr/bin/env bash
# make simulate: Redis and a Celery worker, then migrate, seed_demo and simulate on the default database.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
on_exit_cleanup
start_redis
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo >/dev/null
start_celery_worker simulate-worker
"$PY" manage.py simulate --days "${DAYS:-30}" --seed "${SEED:-1}" --json
