"""The dashboard's Celery tasks: spreadsheet exports, routed to their own ``exports`` queue
(``CELERY_TASK_ROUTES``), so a long export never delays the flow's tasks nor holds a web worker."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import exports


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=3,
    # 100,000 pay lines take about a minute; leave room on a slow disk. Below the broker's
    # visibility timeout (3600 s), so a running export is never delivered twice.
    soft_time_limit=1500,
    time_limit=1800,
)
def run_export(export_id: int) -> str:
    """Write export ``export_id``'s xlsx file; idempotent (a finished export is left as it is)."""
    return exports.export_run(export_id=export_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def purge_old_exports() -> int:
    """Delete exports (their files, then their rows) made more than ``NUANXIN_EXPORT_KEEP_DAYS`` days ago.
    Returns how many it deleted; running it again deletes nothing more."""
    return exports.purge_old(days=settings.NUANXIN_EXPORT_KEEP_DAYS)
