#!/usr/bin/env bash
# make run: Redis, migrations, the demo workshop, a Celery worker and beat, and the web server on :8000.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap 'stop_celery; stop_redis' EXIT

if redis-cli -p 6379 ping >/dev/null 2>&1; then
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
else
  start_redis 6379
fi
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo
start_celery_worker worker
start_celery_beat
echo
echo "Nuanxin is starting on http://127.0.0.1:8000/  (Ctrl-C stops the web server, worker, beat and Redis)"
echo "Logs: var/worker.log var/beat.log"
"$PY" manage.py runserver 127.0.0.1:8000 --noreload
