"""The flow's follow-up work, queued by the name of its Celery task after the transaction commits.

The services name their follow-ups (``ON_JOB_ISSUED`` ...) instead of importing ``dispatch.tasks``, which
imports the services: the dependency runs one way, tasks → services → this leaf. The task is looked up in
the Celery app when it is queued, so it is the one ``dispatch.tasks`` registered (a test checks every name
here is registered).
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger("nuanxin.flow")

ON_JOB_ISSUED = "dispatch.tasks.on_job_issued"
PLAN_JOB_OFFERS = "dispatch.tasks.plan_job_offers"
FINISH_JOB_IF_DONE = "dispatch.tasks.finish_job_if_done"
BOOK_INSPECTION = "dispatch.tasks.book_inspection"

ALL = (ON_JOB_ISSUED, PLAN_JOB_OFFERS, FINISH_JOB_IF_DONE, BOOK_INSPECTION)


class _Send:
    """An after-commit callback that queues the task named ``name`` with ``args`` (ids); a refusal by the
    broker is logged (ids only)."""

    def __init__(self, name: str, args: tuple):
        self.name, self.args = name, args

    @property
    def task(self):
        """The registered Celery task this callback queues."""
        return current_app.tasks[self.name]

    def __call__(self) -> None:
        try:
            self.task.delay(*self.args)
        except Exception:  # noqa: BLE001 - kombu/redis raise several types; all mean "not queued"
            logger.warning("could not queue %s%s; sweep_stalled_flow will redo it", self.name, self.args)


def later(name: str, *args) -> None:
    """Queue the task named ``name`` with ``args`` (ids, never objects or personal data) after the
    transaction commits (as Celery's ``delay_on_commit``), but never let a broker that is down turn a saved
    change into an error page: the failure is logged with ids only, and the ``sweep_stalled_flow`` beat
    task redoes the work once the broker is back."""
    transaction.on_commit(_Send(name, args))
