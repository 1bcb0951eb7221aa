"""The inbox's Celery tasks: ids in, idempotent, safe to redeliver."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from .delivery import deliver_many, stalled

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


# Not counted in taskruns (``counted=False``): its own claim bounds its redeliveries. The claim sets
# ``sent_at`` before any sender runs, so a delivery that comes again (its worker killed mid-send, a time
# limit) finds the messages claimed and does nothing; a per-delivery row (an INSERT and an UPDATE each)
# would double the database writes of the flow's commonest task for no further protection.
@shared_task(counted=False, **RETRY)
def deliver_notification(notification_id: int, *more: int) -> bool:
    """Send inbox notifications (ids: one, or every message of one transaction) through the configured
    senders, once per sender. True when every one was delivered now by every sender."""
    ids = [notification_id, *more]
    return deliver_many(ids) == len(ids)


def redeliver_stalled(before: dt.datetime) -> int:
    """Queue ``deliver_notification`` for every message made before ``before`` and still unsent (the broker
    was down when it was made, or a sender failed). Called by the flow's beat sweep; returns how many."""
    ids = stalled(before)
    for pk in ids:
        deliver_notification.delay(pk)
    return len(ids)
