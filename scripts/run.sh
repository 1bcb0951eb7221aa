#!/usr/bin/env bash
# make run: Redis, migrations, the demo workshop, a Celery worker and beat, and the web server on
# 127.0.0.1:$PORT (default 8000; make run PORT=8001).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
on_exit_cleanup

# The web port first: a wrong or taken one is said before anything is started, not after the demo loads.
PYTHON="$PY" source "$(dirname "$0")/check-port.sh"
# For make stop (from another terminal): this script's pid; its cleanup removes the file. Its TERM is a
# stop asked for, not a failure: the run ends with status 0 (make would print "Error 143" otherwise).
echo "$$" >"$VAR/run.pid"
trap 'echo ">> stopping (make stop)"; exit 0' TERM

# Redis: the one REDIS_URL names if it answers; else a Redis already answering on 6379 (no password);
# else our own, on 6379 when free, otherwise on a free port.
if [ -n "${REDIS_URL:-}" ]; then
  "$PY" -c 'import os, redis; redis.Redis.from_url(os.environ["REDIS_URL"]).ping()' 2>/dev/null || {
    echo "REDIS_URL=$REDIS_URL does not answer PING. Start that Redis, or unset REDIS_URL." | sed -E 's#://[^@/]*@#://***@#' >&2
    exit 1
  }
elif [ "$(redis-cli -p 6379 ping 2>/dev/null)" = "PONG" ]; then
  export REDIS_URL="redis://127.0.0.1:6379/0"
  echo ">> using the Redis already running on port 6379"
elif "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 6379))' 2>/dev/null; then
  start_redis 6379
else
  echo ">> port 6379 is taken by something that is not a usable Redis: starting Redis on a free port"
  start_redis
fi
# The demo shows the pages its users will see: a wrong address or a refused step gets the page in their
# language, not Django's English debug page (a trial's user met one). DJANGO_DEBUG=1 make run gives the
# debug pages back. Without debug Django wants a secret key: one of the demo's own, kept in var/ so the
# sessions outlive a restart, shared by the web server, the worker and beat; static files are served by
# runserver --insecure (deploy/ serves them with nginx).
export DJANGO_DEBUG="${DJANGO_DEBUG:-0}"
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  [ -s "$VAR/demo-secret-key" ] || od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$VAR/demo-secret-key"
  DJANGO_SECRET_KEY="demo-$(cat "$VAR/demo-secret-key")"
  export DJANGO_SECRET_KEY
fi
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo
"$PY" manage.py seed_lists
# A worker per queue, as in production (deploy/systemd): a long export never holds the flow's slot.
start_celery_worker worker 2 celery
start_celery_worker exports 1 exports
start_celery_beat
echo
echo "Nuanxin is starting on http://127.0.0.1:$PORT/  (Ctrl-C, or make stop from another terminal, stops"
echo "the web server, worker, beat and Redis)"
echo "Logs: var/worker.log (the flow) var/exports.log (spreadsheets) var/beat.log"
# In the background and waited for, so a TERM from make stop is handled at once (bash runs a trap only
# after its foreground command ends); cleanup stops it with the rest.
"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload --insecure &
WEB_PID=$!
wait "$WEB_PID"
