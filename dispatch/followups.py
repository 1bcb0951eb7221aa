"""The flow's follow-up work, queued by the name of its Celery task through the outbox (``outbox.services``).

The services name their follow-ups (``ON_JOB_ISSUED`` ...) instead of importing ``dispatch.tasks``, which
imports the services: the dependency runs one way, tasks → services → this leaf. The task is looked up in
the Celery app when it is queued, so it is the one ``dispatch.tasks`` registered (a test checks every name
here is registered).
"""

from __future__ import annotations

from django.db import transaction

from outbox.services import FastSend, outbox_enqueue

ON_JOB_ISSUED = "dispatch.tasks.on_job_issued"
PLAN_JOB_OFFERS = "dispatch.tasks.plan_job_offers"
FINISH_JOB_IF_DONE = "dispatch.tasks.finish_job_if_done"
BOOK_INSPECTION = "dispatch.tasks.book_inspection"
MAKE_JOB_PHOTO_COPY = "dispatch.tasks.make_job_photo_copy"

ALL = (ON_JOB_ISSUED, PLAN_JOB_OFFERS, FINISH_JOB_IF_DONE, BOOK_INSPECTION, MAKE_JOB_PHOTO_COPY)


def later(name: str, *args) -> None:
    """Queue the task named ``name`` with ``args`` (ids, never objects or personal data) through the outbox:
    the message is written in the caller's transaction and published after commit, giving up in about
    100 ms when the broker does not answer (``outbox.services``); the relay sends it later, once. A broker
    that is down never turns a saved change into an error page or a slow one."""
    outbox_enqueue(name, args=args)


def soon(name: str, *args) -> None:
    """Queue the task named ``name`` with ``args`` (ids) after commit on the outbox's fast path, without an
    outbox row (``outbox.services.FastSend``): for work whose own rows are its record, which
    ``dispatch.tasks.sweep_stalled_flow`` finds and queues again when the send failed (an issued job not
    yet handled, an inspection not yet booked, after the sweep's grace: within about 4 minutes). Two
    statements fewer per follow-up than ``later`` (the row's INSERT, and its UPDATE once sent); a broker
    outage delays the work until the sweep instead of the relay's 5 seconds."""
    transaction.on_commit(FastSend(name, list(args)))
