"""Reads of the task runs: the failed ones, for the staff page."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import TaskRun, TaskRunState


def failed_runs(task_name: str | None = None) -> QuerySet[TaskRun]:
    """Failed runs, newest failure first; only those of ``task_name`` when given."""
    rows = TaskRun.objects.filter(state=TaskRunState.FAILED)
    if task_name:
        rows = rows.filter(task_name=task_name)
    return rows.order_by("-failed_at", "-pk")


def failed_run_get(pk: int) -> TaskRun | None:
    """The failed run ``pk``, or None (the caller answers 404)."""
    return TaskRun.objects.filter(pk=pk, state=TaskRunState.FAILED).first()
