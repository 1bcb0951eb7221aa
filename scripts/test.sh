#!/usr/bin/env bash
# make test: the whole suite against real services, started here and stopped after.
# Redis always; PostgreSQL when DATABASE_URL points at it, or in CI when DATABASE_URL is unset.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
on_exit_cleanup

start_redis
# Browser tests drive Debian's chromium (never a downloaded browser) with a CJK font for screenshots.
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
  apt_install chromium fonts-wqy-microhei
fi
export NUANXIN_CHROMIUM="$(command -v chromium)"
if [ -z "${DATABASE_URL:-}" ] && [ -n "${CI:-}" ]; then
  start_postgres
elif [[ "${DATABASE_URL:-}" == postgres* ]]; then
  start_postgres
fi
# A test database of this run's own (pytest-django suffixes its name), so two runs at once don't collide.
export TOX_PARALLEL_ENV="${TOX_PARALLEL_ENV:-run$$}"
echo ">> database: ${DATABASE_URL:-sqlite (db in var/)}; broker: $REDIS_URL" | sed -E 's#://[^:/]+:[^@]+@#://***@#'
set +e
"$ROOT/.venv/bin/pytest" "$@"
status=$?
set -e
exit $status
