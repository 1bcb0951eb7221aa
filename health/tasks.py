"""The beat heartbeat: beat queues it every 30 s (``CELERY_BEAT_SCHEDULE``), a worker writes the time."""

from __future__ import annotations

import time

from celery import current_app, shared_task

from . import broker


@shared_task(name="health.tasks.beat_heartbeat", ignore_result=True, expires=60, counted=False)
def beat_heartbeat() -> float:
    """Write the current unix time (seconds) to the broker's ``broker.HEARTBEAT_KEY``, where
    ``checks.check_beat`` reads its age. Idempotent (a later run overwrites); a Redis error fails the run,
    never retried: the next beat writes again. The key expires after a day, so a retired beat is not
    mistaken for a live one by an old value. Returns the time written."""
    now = time.time()
    url = current_app.conf.broker_write_url or current_app.conf.broker_url
    conn = broker.client(url, timeout=2.0)
    try:
        conn.set(broker.HEARTBEAT_KEY, repr(now), ex=86400)
    finally:
        conn.close()
    return now
