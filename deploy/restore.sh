#!/usr/bin/env bash
# Nuanxin restore: deploy/restore.sh FILE loads a dump made by deploy/backup.sh into DATABASE_URL's
# database, replacing what is there (stop the web, workers and beat first). The database must exist
# (createdb -O nuanxin nuanxin after a loss).
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set}"
file="${1:?usage: deploy/restore.sh FILE.dump}"
pg_restore --clean --if-exists --no-owner --exit-on-error --dbname="${DATABASE_URL%%\?*}" "$file"
echo "restored $file"
