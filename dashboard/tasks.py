"""The dashboard's Celery tasks: spreadsheet exports, routed to their own ``exports`` queue
(``CELERY_TASK_ROUTES``), so a long export never delays the flow's tasks nor holds a web worker."""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils.translation import gettext_noop

from . import export_runs, exports
from .models import ExportStatus

EXPORT_RETRIES = 5


@shared_task(
    bind=True,
    max_retries=EXPORT_RETRIES,
    # 100,000 pay lines take about a minute; leave room on a slow disk. Below the broker's
    # visibility timeout (3600 s), so a running export is never delivered twice.
    soft_time_limit=1500,
    time_limit=1800,
)
def run_export(self, export_id: int) -> str:
    """Write export ``export_id``'s xlsx file; idempotent (a finished export is left as it is).

    A transient database error ("database is locked" when two exports write one SQLite file at once) puts
    the export back in the queue and retries after 2, 4, 8, 16, 32 s (plus jitter); after the fifth retry
    the export is marked failed, never left running, and its owner can retry it."""
    try:
        return exports.export_run(export_id=export_id)
    except OperationalError as exc:
        try:
            if self.request.retries >= EXPORT_RETRIES:
                export_runs.export_fail(
                    export_id=export_id, error=gettext_noop("数据库忙,导出没有完成。可以重试。")
                )
                return ExportStatus.FAILED
            export_runs.export_wait(export_id=export_id)
        except OperationalError:
            pass  # still locked: the retry (or, at the last, the stale-run sweep) puts the row right
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


def _backoff(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: 2, 4, 8, ... plus up to 1 s of jitter."""
    return 2.0 ** (retries + 1) + random.uniform(0, 1)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def purge_old_exports() -> int:
    """Delete exports (their files, then their rows) made more than ``NUANXIN_EXPORT_KEEP_DAYS`` days ago.
    Returns how many it deleted; running it again deletes nothing more."""
    return exports.purge_old(days=settings.NUANXIN_EXPORT_KEEP_DAYS)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def sweep_stale_exports() -> int:
    """Mark failed every export still running ``NUANXIN_EXPORT_STALE_MINUTES`` after it started (beat,
    every 5 minutes). Returns how many it marked; a second run marks none of them again."""
    return export_runs.sweep_stale(minutes=settings.NUANXIN_EXPORT_STALE_MINUTES)
