"""The daily purge of finished task runs (``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def purge_done_runs() -> int:
    """Delete finished task runs older than ``NUANXIN_TASK_RUNS_KEEP_DAYS`` days; returns how many went.
    Running it again deletes nothing more."""
    return services.purge_done(days=settings.NUANXIN_TASK_RUNS_KEEP_DAYS)
