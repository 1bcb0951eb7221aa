"""The relay as a beat task (every 5 s, ``CELERY_BEAT_SCHEDULE``): sends what the fast path could not."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from . import services


# Not counted in taskruns (``counted=False``): it runs every 5 s under a fresh id, and each row it fails
# to send keeps its own ``attempts`` and ``last_error``.
@shared_task(name="outbox.tasks.relay", ignore_result=True, counted=False)
def relay() -> dict:
    """Publish the unsent outbox rows, oldest first, each marked sent once (``services.relay``). Returns
    ``{"sent": n, "failed": 0 or 1}``. Safe to run in two places at once (row locks on PostgreSQL)."""
    return services.relay()


@shared_task(name="outbox.tasks.purge_sent", ignore_result=True)
def purge_sent() -> int:
    """Daily: delete outbox rows sent more than ``NUANXIN_OUTBOX_KEEP_DAYS`` days ago (default 7); unsent
    rows stay. Returns how many were deleted (idempotent: a second run deletes nothing more)."""
    return services.purge_sent(keep=dt.timedelta(days=settings.NUANXIN_OUTBOX_KEEP_DAYS))
