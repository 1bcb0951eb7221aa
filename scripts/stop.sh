#!/usr/bin/env bash
# make stop: stop what make run started (its web server, Celery worker and beat, and the Redis it started
# itself), from another terminal or after the one it ran in was closed. make run writes its pid to
# var/run.pid as it starts (after its port check); a TERM runs its own cleanup, as Ctrl-C does, and it
# ends with status 0.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PIDFILE="$ROOT/var/run.pid"
pid="$(cat "$PIDFILE" 2>/dev/null || true)"
# Only our own run script: a pid left by a run that died may belong to another process by now.
if [ -z "$pid" ] || ! grep -qa "scripts/run.sh" "/proc/$pid/cmdline" 2>/dev/null; then
  rm -f "$PIDFILE"
  echo "make run is not running here: nothing to stop."
  exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 150); do
  kill -0 "$pid" 2>/dev/null || { echo "Stopped make run (pid $pid): web server, worker, beat and its Redis."; exit 0; }
  sleep 0.2
done
echo "make run (pid $pid) did not stop within 30 s; stop it with: kill -KILL $pid" >&2
exit 1
