"""Reads for the failed-tasks page (待处理任务): bookings whose task was refused after too many deliveries,
scoped to the user's workshops, and, for admins, every other failed task."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from dispatch.followups import BOOK_INSPECTION
from dispatch.models import Inspection
from taskruns import selectors as runs
from taskruns.models import TaskRun
from workshop.roles import Scope


@dataclass(frozen=True)
class PendingBooking:
    """An inspection not yet booked (待记账) whose booking task failed: ``run`` is its newest failed run."""

    run: TaskRun
    inspection: Inspection


def _inspection_id(run: TaskRun) -> int | None:
    first = (run.args or [None])[0]
    return first if isinstance(first, int) else None


def _in_scope(scope: Scope, ids):
    rows = Inspection.objects.filter(pk__in=ids, booked_at__isnull=True).select_related(
        "job", "job__workshop", "job__line__firm"
    )
    if not scope.all_workshops:
        rows = rows.filter(job__workshop_id__in=scope.workshop_ids)
    return {i.pk: i for i in rows}


def pending_bookings(scope: Scope) -> list[PendingBooking]:
    """The unbooked inspections of ``scope``'s workshops whose booking task failed, newest failure first,
    one entry per inspection (two queries)."""
    failed = list(runs.failed_runs(BOOK_INSPECTION))
    inspections = _in_scope(scope, {i for i in map(_inspection_id, failed) if i is not None})
    out, seen = [], set()
    for run in failed:
        pk = _inspection_id(run)
        if pk in inspections and pk not in seen:
            seen.add(pk)
            out.append(PendingBooking(run=run, inspection=inspections[pk]))
    return out


def other_failed(scope: Scope) -> list[TaskRun]:
    """Every failed run but the bookings, for admins (community admins and superusers); none for others."""
    if not scope.is_admin:
        return []
    return list(runs.failed_runs().exclude(task_name=BOOK_INSPECTION)[:200])


def failed_run_for(scope: Scope, pk: int) -> TaskRun:
    """Failed run ``pk`` that ``scope`` may retry: a booking of one of its workshops (heads and admins),
    or any other failed task (admins only). Raises Http404 for a run that is not failed, not found, or a
    booking of another workshop; PermissionDenied is the caller's (a role that may not retry at all)."""
    run = runs.failed_run_get(pk)
    if run is None:
        raise Http404(_("没有这个失败的任务。"))
    if run.task_name == BOOK_INSPECTION:
        if _inspection_id(run) not in _in_scope(scope, [_inspection_id(run)]):
            raise Http404(_("没有这个失败的任务。"))
    elif not scope.is_admin:
        raise Http404(_("没有这个失败的任务。"))
    return run
