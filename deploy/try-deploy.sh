#!/usr/bin/env bash
# The deploy walk-through on a machine without systemd: runs the units' commands the same way
# (gunicorn with deploy/gunicorn.conf.py, a worker per queue, beat) against PostgreSQL and a Redis set up
# as deploy/redis.conf says, loads the demo, reads the site's totals, takes a backup (deploy/backup.sh),
# drops the database, restores it (deploy/restore.sh) and reads the totals again: they must be the same.
# Needs root for the system PostgreSQL cluster (as scripts/lib.sh). Usage: bash deploy/try-deploy.sh
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"
set -euo pipefail
PORT="${TRY_PORT:-8765}"
REDIS_PORT="$(free_port 2>/dev/null || echo 6479)"
DB=nuanxin_try
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_postgres >/dev/null
su postgres -c "dropdb --if-exists $DB" && su postgres -c "createdb -O $PG_USER $DB"
redis-server --port "$REDIS_PORT" --save '' --maxmemory-policy noeviction --appendonly yes \
  --appendfsync everysec --dir "$WORK" --daemonize yes >/dev/null

unset DJANGO_ALLOW_ASYNC_UNSAFE  # a test run's setting, never a deployment's
set -a
. deploy/nuanxin.env.example
set +a
export DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:5432/$DB"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost" NUANXIN_BIND="127.0.0.1:$PORT" NUANXIN_WEB_WORKERS=2
PY=.venv/bin/python

$PY manage.py check --deploy --fail-level WARNING
$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0
$PY manage.py seed_demo | tail -n 2

# The units' commands (deploy/systemd/*.service), in the background.
.venv/bin/gunicorn config.wsgi:application -c deploy/gunicorn.conf.py >"$WORK/web.log" 2>&1 & PIDS+=($!)
.venv/bin/celery -A config worker -Q celery -n flow@%h --concurrency 2 >"$WORK/flow.log" 2>&1 & PIDS+=($!)
.venv/bin/celery -A config worker -Q exports -n exports@%h --concurrency 1 >"$WORK/exports.log" 2>&1 & PIDS+=($!)
.venv/bin/celery -A config beat --schedule "$WORK/beat-schedule" >"$WORK/beat.log" 2>&1 & PIDS+=($!)
$PY manage.py relay --loop --interval 1 >"$WORK/relay.log" 2>&1 & PIDS+=($!)

totals() {
  # Figures a county reads: jobs, shares, passed pieces, wages booked (yuan), and the public board's
  # page through gunicorn (HTTPS as nginx would say it: X-Forwarded-Proto).
  $PY manage.py shell -v 0 -c "
from django.db.models import Sum
from dispatch.models import Job, Assignment
from pay.models import PayLine
print('jobs', Job.objects.count(), 'shares', Assignment.objects.count(),
      'passed', Assignment.objects.aggregate(n=Sum('pieces_passed'))['n'],
      'wages', PayLine.objects.aggregate(s=Sum('amount'))['s'])"
  local ws
  ws="$($PY manage.py shell -v 0 -c "from workshop.models import Workshop; print(Workshop.objects.order_by('pk').first().pk)")"
  for _ in $(seq 1 50); do
    curl -fsS -o /dev/null -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/open/$ws/" && break
    sleep 0.2
  done
  curl -fsS -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/open/$ws/" | grep -o '¥[0-9,.]*' | head -n 5 | tr '\n' ' '
  echo
}

before="$(totals)"
echo "before: $before"
export NUANXIN_BACKUP_DIR="$WORK/backups"
dump="$(bash deploy/backup.sh)"
echo "backup: $dump ($(du -h "$dump" | cut -f1))"

for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=()
su postgres -c "dropdb $DB" && su postgres -c "createdb -O $PG_USER $DB"
echo "database $DB dropped and made again, empty"
bash deploy/restore.sh "$dump"
.venv/bin/gunicorn config.wsgi:application -c deploy/gunicorn.conf.py >"$WORK/web2.log" 2>&1 & PIDS+=($!)

after="$(totals)"
echo "after:  $after"
if [ "$before" != "$after" ]; then
  echo "FAILED: the restored site's totals differ" >&2
  exit 1
fi
# The web processes keep their connections (CONN_MAX_AGE): stop them before the database goes.
for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=()
su postgres -c "dropdb --if-exists $DB"
echo "OK: backup taken, database dropped, restored, the same totals"
