"""Counting deliveries, refusing one too many, and staff retries.

Each function runs its own short transaction; ``delivery_begin`` commits before the task body starts, so a
process killed in the middle is counted all the same. A database error while counting is logged and the
task runs uncounted (a task is never lost because its counter could not be written).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from notices.models import NotificationKind
from notices.services import notify
from outbox.services import outbox_enqueue

from .models import TaskRun, TaskRunState

logger = logging.getLogger("nuanxin.taskruns")

INBOX_LINK = "/dashboard/tasks/"


def max_deliveries() -> int:
    """Unfinished deliveries a task id gets before it is refused (``NUANXIN_TASK_MAX_DELIVERIES``)."""
    return settings.NUANXIN_TASK_MAX_DELIVERIES


def _admins():
    """Who hears of a failed run: active superusers and community admins."""
    User = get_user_model()
    return User.objects.filter(
        Q(is_superuser=True) | Q(community_admin__isnull=False), is_active=True
    ).order_by("pk")


def _tell_admins(run: TaskRun) -> None:
    stamp = int(run.failed_at.timestamp())
    for user in _admins():
        notify(
            recipient=user,
            kind=NotificationKind.TASK_FAILED,
            params={"t": run.task_name, "n": run.attempts},
            link=INBOX_LINK,
            dedupe_key=f"taskrun:{run.pk}:{stamp}:{user.pk}",
        )


def _bump(task_id: str, limit: int) -> bool:
    """Count one more delivery of an existing run below ``limit`` and not failed, in one conditional
    UPDATE (compare-and-swap). True when it counted."""
    return bool(
        TaskRun.objects.filter(task_id=task_id, attempts__lt=limit)
        .exclude(state=TaskRunState.FAILED)
        .update(attempts=F("attempts") + 1, state=TaskRunState.RUNNING, updated_at=timezone.now())
    )


def delivery_begin(*, task_id: str, task_name: str, args=(), kwargs=None) -> bool:
    """Count one delivery of Celery task ``task_id`` (``task_name`` with JSON ``args``/``kwargs``) and say
    whether its body may run. Committed before returning. A repeat delivery is one conditional UPDATE; a
    first one (the usual case: every message has a fresh id) is that UPDATE finding nothing and one INSERT.
    The UPDATE goes first so that a repeat (the sweep's fixed ids, every 2 minutes) never makes
    PostgreSQL log a duplicate-key error. False when the run is already
    ``failed`` (refused, nothing else happens) or when ``max_deliveries()`` are already counted: this
    delivery is refused uncounted, the run becomes ``failed`` under its row lock (``select_for_update``)
    and every active superuser and community admin gets a ``task_failed`` message (after commit). A
    database error is logged and answered True (run uncounted)."""
    task_id, limit = task_id[:255], max_deliveries()
    try:
        if _bump(task_id, limit):
            return True
        try:
            with transaction.atomic():  # a savepoint when a caller's transaction is open
                TaskRun.objects.create(
                    task_id=task_id,
                    task_name=task_name[:200],
                    args=list(args),
                    kwargs=dict(kwargs or {}),
                    attempts=1,
                    state=TaskRunState.RUNNING,
                )
            return True
        except IntegrityError:
            pass  # it exists: failed, at the limit, or another process just made it
        with transaction.atomic():
            run = TaskRun.objects.select_for_update().get(task_id=task_id)
            if run.state == TaskRunState.FAILED:
                return False
            if run.attempts < limit:  # another delivery raced us to the row: count this one too
                return _bump(task_id, limit)
            # This delivery would be one too many: refused, not counted (``attempts`` stays the limit).
            run.state = TaskRunState.FAILED
            run.failed_at = timezone.now()
            run.last_error = run.last_error or "delivered without finishing"
            run.save(update_fields=["state", "failed_at", "last_error", "updated_at"])
            _tell_admins(run)
            logger.warning("task %s (%s) refused after %d deliveries", task_name, task_id, run.attempts)
            return False
    except DatabaseError:
        logger.warning("could not count delivery of %s (%s); running it uncounted", task_name, task_id)
        return True


def delivery_end(*, task_id: str, outcome: str, error: BaseException | None = None) -> None:
    """Record how delivery ``task_id`` ended: ``"done"`` (state done, attempts back to 0), ``"retry"`` (a
    Celery retry was scheduled: the delivery ended in order, so it is not counted; Celery's ``max_retries``
    bounds those) or ``"error"`` (state pending, ``last_error`` the exception's type and text; the delivery
    stays counted). A failed run is left as it is. A database error is logged, never raised."""
    rows = TaskRun.objects.filter(task_id=task_id[:255]).exclude(state=TaskRunState.FAILED)
    try:
        if outcome == "done":
            rows.update(state=TaskRunState.DONE, attempts=0, last_error="")
        elif outcome == "retry":
            rows.filter(attempts__gt=0).update(state=TaskRunState.PENDING, attempts=F("attempts") - 1)
        else:
            text = f"{type(error).__name__}: {error}"[:300] if error is not None else ""
            rows.update(state=TaskRunState.PENDING, last_error=text)
    except DatabaseError:
        logger.warning("could not record the end of task %s", task_id)


@transaction.atomic
def taskrun_retry(*, task_name: str, args: list, kwargs: dict | None = None) -> int:
    """Give failed work another go: every ``failed`` run of ``task_name`` with exactly these ``args`` (and
    ``kwargs``) goes back to pending with no attempts, and the task is queued once through the outbox
    (after commit, as ``outbox-<pk>``, a fresh count). Returns how many runs it reset; 0 (and nothing
    queued) when none was failed, so a second press does nothing. The caller checks who may retry."""
    failed = TaskRun.objects.select_for_update().filter(
        task_name=task_name, args=list(args), state=TaskRunState.FAILED
    )
    if kwargs:
        failed = failed.filter(kwargs=kwargs)
    ids = list(failed.values_list("pk", flat=True))
    if not ids:
        return 0
    reset = TaskRun.objects.filter(pk__in=ids, state=TaskRunState.FAILED).update(
        state=TaskRunState.PENDING, attempts=0, failed_at=None
    )
    if reset:
        outbox_enqueue(task_name, args=args, kwargs=kwargs or {})
    return reset


def purge_done(*, days: int) -> int:
    """Delete finished runs last touched more than ``days`` days ago; returns how many went."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    return TaskRun.objects.filter(state=TaskRunState.DONE, updated_at__lt=cutoff).delete()[0]
