#!/usr/bin/env bash
# make bench-county: a benchmark, not a test. PostgreSQL (a database of its own, made fresh), Redis, the
# demo workshop with its season (the query counts at demo size), then `manage.py bench_county`: it builds
# a county (50 workshops, 5,000 workers, 100 firms, 1,000,000 settled shares over three years), serves it
# with gunicorn and measures; a table, then one JSON line. Pass options with ARGS="--scale 0.05".
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
on_exit_cleanup
start_redis
unset DATABASE_URL
start_postgres
BENCH_DB=nuanxin_county_bench
su postgres -c "psql -qc 'DROP DATABASE IF EXISTS $BENCH_DB'" && su postgres -c "createdb -O $PG_USER $BENCH_DB" \
  || { echo "could not make the database $BENCH_DB" >&2; exit 1; }
export DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:5432/$BENCH_DB"
export DJANGO_DEBUG=0 DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-bench-county-$(od -An -N16 -tx1 /dev/urandom | tr -d " \n")}"
"$PY" manage.py migrate --noinput -v 0
# The flow's statements are counted on the demo as `make bench` has it (people, firms, places; no season):
# after a season the demo's workers hold two days of work, the planner (rightly) offers a new job to no
# one, and a count of jobs that never reach pay is no job's whole flow. A copy of the database made before
# the season, counted and dropped.
"$PY" manage.py seed_demo --no-jobs >/dev/null
FLOW_DB=nuanxin_county_flow
FLOW_JSON="$ROOT/var/bench-county-flow.json"
mkdir -p "$ROOT/var"
su postgres -c "psql -qc 'DROP DATABASE IF EXISTS $FLOW_DB'" && su postgres -c "createdb -O $PG_USER -T $BENCH_DB $FLOW_DB" \
  || { echo "could not make the database $FLOW_DB" >&2; exit 1; }
DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:5432/$FLOW_DB" "$PY" manage.py bench_county --flow-only >"$FLOW_JSON" \
  || { echo "the flow's count failed" >&2; exit 1; }
su postgres -c "psql -qc 'DROP DATABASE IF EXISTS $FLOW_DB'"
"$PY" manage.py seed_demo >/dev/null
CELERY_LOGLEVEL=WARNING start_celery_worker bench-county-worker
"$PY" manage.py bench_county --flow-json "$FLOW_JSON" "$@"
