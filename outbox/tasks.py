"""The relay as a beat task (every 5 s, ``CELERY_BEAT_SCHEDULE``): sends what the fast path could not."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="outbox.tasks.relay", ignore_result=True)
def relay() -> dict:
    """Publish the unsent outbox rows, oldest first, each marked sent once (``services.relay``). Returns
    ``{"sent": n, "failed": 0 or 1}``. Safe to run in two places at once (row locks on PostgreSQL)."""
    return services.relay()
