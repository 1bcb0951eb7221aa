"""Tasks for the fault tests, imported by the worker processes they start (``workerproc``).

``die`` kills its own process each time it runs. With ``NUANXIN_TEST_KILL_BOOKING`` set in the worker's
environment, the real booking (``dispatch.tasks.book_inspection``) kills its process too, just before it
would book: the flow's own task, its own message, its own redelivery.
"""

from __future__ import annotations

import os
import signal

from celery import shared_task

RAN_KEY = "nuanxin-test-killer-ran"


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@shared_task(name="tests.taskruns.killer.die")
def die() -> None:
    """Count the run in Redis (one INCR per body started), then SIGKILL this worker process."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.CELERY_BROKER_URL).incr(RAN_KEY)
    _die()


def kill_bookings() -> None:
    """Make every booking in this process kill it instead (the worker process of a fault test only)."""
    from dispatch import services

    def killed(**kwargs):
        _die()

    services.inspection_book = killed


if os.environ.get("NUANXIN_TEST_KILL_BOOKING"):
    kill_bookings()
