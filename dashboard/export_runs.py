"""An export's life outside its writer (``exports.export_run``): failing it when its task gives up,
failing one stuck in "running" (the stale-run sweep), and its owner's retry of a failed one.

Every change is a conditional update on the status (compare-and-swap), so the sweep, a late task and a
retry never overwrite one another.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from outbox.services import outbox_enqueue

from .models import Export, ExportStatus

RUN_EXPORT = "dashboard.tasks.run_export"
LIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def export_wait(*, export_id: int) -> bool:
    """Put a running export back in the queue while its task waits to retry (a locked SQLite file): the
    page shows 排队中, not a stuck 生成中. True when it changed the row."""
    return bool(
        Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.QUEUED, rows_done=0
        )
    )


def export_fail(*, export_id: int, error: str) -> bool:
    """Mark a queued or running export failed with ``error`` (short, no personal data; cut to 300
    characters). A finished or already failed export is left alone. True when it changed the row."""
    return bool(
        Export.objects.filter(pk=export_id, status__in=LIVE).update(
            status=ExportStatus.FAILED, error=error[:300], finished_at=timezone.now()
        )
    )


def sweep_stale(*, minutes: int, now: dt.datetime | None = None) -> int:
    """Mark failed every export still running ``minutes`` after it started (its task died: killed, or a
    worker lost mid-write); its owner sees a retry button. Returns how many it marked."""
    cutoff = (now or timezone.now()) - dt.timedelta(minutes=minutes)
    return Export.objects.filter(status=ExportStatus.RUNNING, started_at__lte=cutoff).update(
        status=ExportStatus.FAILED,
        error=gettext_noop("导出超时,已停止。可以重试。"),
        finished_at=timezone.now(),
    )


@transaction.atomic
def export_retry(*, export: Export) -> bool:
    """Queue a failed ``export`` again (status queued, progress and error cleared) through the outbox, on
    the ``exports`` queue after commit. The caller checks it is the user's own export. False (nothing
    queued) when it is not failed, so a second press does nothing."""
    changed = Export.objects.filter(pk=export.pk, status=ExportStatus.FAILED).update(
        status=ExportStatus.QUEUED, rows_done=0, rows_total=0, error="", started_at=None, finished_at=None
    )
    if changed:
        outbox_enqueue(RUN_EXPORT, args=(export.pk,))
    return bool(changed)
