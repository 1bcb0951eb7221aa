# Shared shell helpers for the Makefile's targets: services the project needs, started and stopped
# by the project itself. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
mkdir -p "$VAR"
PY="$ROOT/.venv/bin/python"

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  # apt_install PACKAGE... : install Debian packages when root; otherwise print the one line to run.
  if is_root; then
    echo ">> installing $* with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "Missing: $*. Run: sudo apt-get install -y $*" >&2
    exit 1
  fi
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- Redis -------------------------------------------------------------------------------------
STARTED_REDIS_PORT=""
start_redis() {
  # start_redis [PORT]: start a throwaway redis-server (no persistence); exports REDIS_URL.
  command -v redis-server >/dev/null || apt_install redis-server
  local port="${1:-$(free_port)}"
  # noeviction: a broker that may evict silently drops queued tasks when memory runs short (deploy/redis.conf).
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --maxmemory-policy noeviction --daemonize yes \
    --pidfile "$VAR/redis-$port.pid" --logfile "$VAR/redis-$port.log"
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$port" ping >/dev/null || { echo "Redis did not start on port $port" >&2; exit 1; }
  STARTED_REDIS_PORT="$port"
  export REDIS_URL="redis://127.0.0.1:$port/0"
}
stop_redis() {
  if [ -n "$STARTED_REDIS_PORT" ]; then
    redis-cli -p "$STARTED_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    # Wait (up to 5 s) until the port is free, so a make run right after make stop finds it free (a trial
    # saw one start its Redis on another port while the old one was still closing).
    for _ in $(seq 1 50); do
      redis-cli -p "$STARTED_REDIS_PORT" ping >/dev/null 2>&1 || break
      sleep 0.1
    done
  fi
  STARTED_REDIS_PORT=""
}

# --- PostgreSQL ----------------------------------------------------------------------------------
STARTED_PG_CLUSTER=""
PG_USER=nuanxin
PG_PASSWORD=nuanxin
start_postgres() {
  # Start the system cluster (PostgreSQL refuses to run as root, so never initdb as root) and make the
  # nuanxin role; exports DATABASE_URL unless it is already set.
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql
  fi
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    is_root || { echo "PostgreSQL is down. Run: sudo pg_ctlcluster $version main start" >&2; exit 1; }
    pg_ctlcluster "$version" main start
    STARTED_PG_CLUSTER="$version"
  fi
  su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='$PG_USER'\"" | grep -q 1 || \
    su postgres -c "psql -qc \"create role $PG_USER login createdb password '$PG_PASSWORD'\""
  su postgres -c "psql -qtAc \"select 1 from pg_database where datname='$PG_USER'\"" | grep -q 1 || \
    su postgres -c "createdb -O $PG_USER $PG_USER"
  # Tests commit thousands of small transactions: skip the fsync wait (a crash loses the last commits,
  # never corrupts). Only for the database this script provides.
  export DATABASE_URL="${DATABASE_URL:-postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:5432/$PG_USER?options=-c%20synchronous_commit%3Doff}"
}
stop_postgres() {
  [ -n "$STARTED_PG_CLUSTER" ] && pg_ctlcluster "$STARTED_PG_CLUSTER" main stop >/dev/null 2>&1 || true
  STARTED_PG_CLUSTER=""
}

# --- Celery ------------------------------------------------------------------------------------
CELERY_PIDS=()
start_celery_worker() {
  # start_celery_worker LOGNAME [PROCESSES] [QUEUES]: a real worker on the current REDIS_URL, in the
  # background, with PROCESSES worker processes (default 2; simulate takes 1, so tasks run in the order
  # queued) consuming QUEUES (default both: celery for the flow, exports for spreadsheets).
  "$ROOT/.venv/bin/celery" -A config worker -Q "${3:-celery,exports}" -l "${CELERY_LOGLEVEL:-INFO}" -c "${2:-2}" -n "nuanxin-$1@%h" >"$VAR/$1.log" 2>&1 &
  CELERY_PIDS+=("$!")
}
start_celery_beat() {
  "$ROOT/.venv/bin/celery" -A config beat -l INFO -s "$VAR/celerybeat-schedule" >"$VAR/beat.log" 2>&1 &
  CELERY_PIDS+=("$!")
}
stop_celery() {
  local pid
  for pid in "${CELERY_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${CELERY_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  CELERY_PIDS=()
}

# Stop everything this script started, once, even when Ctrl-C or make's SIGTERM arrives twice.
WEB_PID=""
cleanup() {
  trap '' INT TERM
  if [ -n "$WEB_PID" ]; then
    kill -TERM "$WEB_PID" 2>/dev/null || true
    wait "$WEB_PID" 2>/dev/null || true
  fi
  if [ "$(cat "$VAR/run.pid" 2>/dev/null)" = "$$" ]; then rm -f "$VAR/run.pid"; fi
  stop_celery
  stop_redis
  stop_postgres
}
on_exit_cleanup() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
