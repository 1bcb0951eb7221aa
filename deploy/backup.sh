#!/usr/bin/env bash
# Nuanxin backup: pg_dump of DATABASE_URL in custom format into NUANXIN_BACKUP_DIR, dumps older than
# NUANXIN_BACKUP_KEEP_DAYS (default 14) removed. Prints the file written. Restore: deploy/restore.sh FILE.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set (EnvironmentFile /etc/nuanxin/nuanxin.env)}"
dir="${NUANXIN_BACKUP_DIR:-/var/backups/nuanxin}"
keep="${NUANXIN_BACKUP_KEEP_DAYS:-14}"
mkdir -p "$dir"
umask 077  # a dump holds phones, ID numbers and pay: readable by its owner only
file="$dir/nuanxin-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --no-owner --dbname="${DATABASE_URL%%\?*}" --file="$file.part"
mv "$file.part" "$file"
find "$dir" -name 'nuanxin-*.dump' -mtime +"$keep" -delete
echo "$file"
