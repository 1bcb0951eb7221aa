"""The firm's inspection (质检) and its booking (入账): verdicts per assignment, then pay lines (through
``pay``), rework assignments and the workers' messages, and the job back to production or settled.

Locks the job row first, then its assignments and the inspection (the flow's lock order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notices.models import NotificationKind
from notices.services import notify_many
from pay import rollups
from pay.services import open_month, pay_lines_book
from workshop.roles import scope_for

from .. import flowdays, followups
from ..models import (
    JOB_TRANSITIONS,
    Assignment,
    AssignmentKind,
    AssignmentState,
    Inspection,
    InspectionResult,
    Job,
    JobState,
    check_transition,
)
from .common import check_firm_staff, event, lock_job, move
from .jobs import job_work_done, open_ends, settle

# A lot inspected as a whole (按批验收), as the inspection's note stores it: the msgid filled in, in Chinese,
# shown in the reader's language (``dispatch.templatetags.stored_words``).
LOT_NOTE = gettext_noop("按批验收:共 %(n)d 件,不合格 %(r)d 件,返工 %(w)d 件。")


@dataclass(frozen=True)
class ResultInput:
    """One assignment's verdict: pieces passed and rejected (ints ≥ 0); ``rework`` of the rejected go back."""

    assignment_id: int
    passed: int
    rejected: int
    rework: int = 0
    reason: str = ""


# The most characters an inspection's notes (备注) may have.
NOTES_MAX = 2000


@transaction.atomic
def job_inspect(
    *, actor, job: Job | int, results: Sequence[ResultInput], notes: str = "", lot_note: str = ""
) -> Inspection:
    """Record the firm's inspection of the job's uninspected pieces (质检): inspecting → inspected.

    Every assignment with uninspected pieces needs one result with passed + rejected equal to those
    pieces, and rework ≤ rejected; when the firm counted fewer than were sent (``Job.pieces_short``), the
    passed pieces together stay within what it counted. Rejected pieces not sent to rework fail for good.
    After commit the ``book_inspection`` task books pay, creates rework assignments and notifies. Locks
    the job and its assignments. ``notes``: what the clerk typed, at most ``NOTES_MAX`` characters;
    ``lot_note``: a lot inspected as a whole (``LOT_NOTE`` filled in), stored before them. Raises
    PermissionDenied, ValidationError, IllegalTransition.
    """
    if len(notes) > NOTES_MAX:
        # Refused in words with nothing written, not cut short without a word.
        raise ValidationError(_("验收备注最多%(n)d字。") % {"n": NOTES_MAX})
    notes = " · ".join(part for part in (lot_note, notes) if part)
    job = lock_job(job)
    check_firm_staff(actor, job)
    check_transition(JOB_TRANSITIONS, _("外发单"), job.state, JobState.INSPECTED)
    pending = {
        a.pk: a
        for a in Assignment.objects.select_for_update().filter(job=job, state=AssignmentState.DONE)
        if a.pieces_to_inspect > 0
    }
    given = {r.assignment_id: r for r in results}
    if len(given) != len(results) or set(given) != set(pending):
        raise ValidationError(_("请为每个待验收的派工填写一次结果。"))
    # The lot's shortfall goes with its verdict: a later correction keeps within what the firm counted.
    inspection = Inspection.objects.create(
        job=job, inspector=actor, notes=notes, pieces_short=job.pieces_short
    )
    judged: dict[int, list[int]] = {}  # worker id: [passed, rejected], for her month's rollup
    rows = []
    for a_id, r in given.items():
        a = pending[a_id]
        passed, rejected, rework = (int(r.passed), int(r.rejected), int(r.rework))
        if min(passed, rejected, rework) < 0 or passed + rejected != a.pieces_to_inspect or rework > rejected:
            raise ValidationError(
                _("%(w)s:合格+不合格应等于送检的 %(n)d 件,返工不能多于不合格。")
                % {"w": scope_for(actor).worker_label(a.worker), "n": a.pieces_to_inspect}
            )
        rows.append(
            InspectionResult(
                inspection=inspection,
                assignment=a,
                pieces_submitted=a.pieces_to_inspect,
                pieces_passed=passed,
                pieces_rejected=rejected,
                pieces_rework=rework,
                reason=r.reason[:200],
            )
        )
        mine = judged.setdefault(a.worker_id, [0, 0])
        mine[0] += passed
        mine[1] += rejected
    InspectionResult.objects.bulk_create(rows)  # one INSERT; booked in id order, as given
    for row in rows:
        a = row.assignment
        Assignment.objects.filter(
            pk=a.pk, pieces_passed=a.pieces_passed, pieces_rejected=a.pieces_rejected
        ).update(
            pieces_passed=F("pieces_passed") + row.pieces_passed,
            pieces_rejected=F("pieces_rejected") + row.pieces_rejected,
        )
    rollups.work_counted_many({w: (p, r) for w, (p, r) in judged.items()}, at=inspection.at)
    flowdays.job_add(
        job,
        at=inspection.at,
        passed=sum(p for p, _r in judged.values()),
        rejected=sum(r for _p, r in judged.values()),
    )
    waiting = sum(a.pieces_to_inspect for a in pending.values())
    passed_total = sum(int(r.passed) for r in given.values())
    if job.pieces_short and passed_total > waiting - job.pieces_short:
        raise ValidationError(
            _(
                "企业点收比送出少了 %(s)d 件,合格合计不能超过点收的 %(c)d 件;"
                "没收到的件请记为不合格,原因写“短少”。"
            )
            % {"s": job.pieces_short, "c": waiting - job.pieces_short}
        )
    move(job, JobState.INSPECTED, job=job, actor=actor, note=notes, pieces_short=0)
    followups.soon(followups.BOOK_INSPECTION, inspection.pk)  # and an inspection unbooked
    return inspection


@transaction.atomic
def inspection_book(*, inspection: Inspection | int) -> Inspection:
    """Book an inspection (入账): a pay line per result with passed pieces (``pay.services.pay_lines_book``:
    one INSERT for all of them)
    at the job's ``worker_rate`` (the firm's rate less the operator's fee),
    a rework assignment per result with rework pieces, messages to the workers; then the job goes back to
    production for rework, or is settled. Run by the system (the ``book_inspection`` task).

    Idempotent: a booked inspection is returned unchanged (pay lines are also unique per result).

    Locks the job (its line joined: the firm's month rollup reads it), then claims the inspection by
    setting ``booked_at`` with a compare-and-swap (``booked_at`` still empty), which locks its row as a
    lock read would and is the booking's mark in the same statement: another booking of it waits, then
    finds it booked. ``inspection``: the row (its job is then not read again; the ``book_inspection`` task
    has read it) or its id.
    """
    if not isinstance(inspection, Inspection):
        inspection = Inspection.objects.get(pk=inspection)
    job = lock_job(inspection.job_id, related=("line",))  # an inspection never moves to another job
    now = timezone.now()
    if not Inspection.objects.filter(pk=inspection.pk, booked_at__isnull=True).update(booked_at=now):
        inspection.refresh_from_db()
        return inspection
    today = timezone.localdate()
    month = open_month(job.workshop_id, today)  # once, not once per line: every share is this workshop's
    rework_made = False
    messages = []
    # In id order: the rework shares get their ids here, and the order work is taken up follows them.
    results = list(
        inspection.results.select_related(
            "assignment", "assignment__worker", "assignment__worker__user"
        ).order_by("pk")
    )
    paid = [r for r in results if r.pieces_passed > 0]
    lines = pay_lines_book(results=paid, rate=job.worker_rate, booked_on=today, month=month, job=job)
    for r in results:
        a, worker = r.assignment, r.assignment.worker
        if r.pieces_rejected > 0:
            # Pay and rework have their own messages; a rejection needs one too, with the firm's reason.
            messages.append(
                {
                    "recipient": worker.user,
                    "kind": NotificationKind.INSPECTION,
                    "params": {"t": job.title, "p": r.pieces_passed, "r": r.pieces_rejected, "why": r.reason},
                    "link": f"/m/a/{a.pk}/",
                    "dedupe_key": f"inspection:{r.pk}",
                }
            )
        if r.pieces_passed > 0:
            messages.append(
                {
                    "recipient": worker.user,
                    "kind": NotificationKind.PAY_BOOKED,
                    "params": {"t": job.title, "n": r.pieces_passed, "y": str(lines[r.pk].amount)},
                    "link": "/m/earnings/",  # what she was paid, by month
                    "dedupe_key": f"pay:{r.pk}",
                }
            )
        if r.pieces_rework > 0:
            rework, created = Assignment.objects.get_or_create(
                rework_of=r,
                defaults={
                    "job": job,
                    "worker": worker,
                    "kind": AssignmentKind.REWORK,
                    "pieces": r.pieces_rework,
                    "due_on": max(job.due_on, today + dt.timedelta(days=1)),
                    "delivery": a.delivery,
                    "state": AssignmentState.ACCEPTED,
                    "reasons": r.reason[:200] or gettext_noop("返工"),
                    "responded_at": timezone.now(),
                },
            )
            if created:
                event(
                    rework,
                    job=job,
                    from_state="",
                    to_state=AssignmentState.ACCEPTED,
                    note=gettext_noop("返工") + (f" · {r.reason}" if r.reason else ""),
                )
            messages.append(
                {
                    "recipient": worker.user,
                    "kind": NotificationKind.REWORK,
                    "params": {"t": job.title, "n": r.pieces_rework, "r": r.reason},
                    "link": f"/m/a/{rework.pk}/",
                    "dedupe_key": f"rework:{r.pk}",
                }
            )
            rework_made = True
    notify_many(messages)  # one INSERT for every worker's message of this booking
    if rework_made:
        move(job, JobState.IN_PROGRESS, job=job, note=gettext_noop("返工"))
        return inspection
    ends = open_ends(job, left_behind=True)  # one read for both: pieces left behind, and settling
    if ends["left"]:
        # Pieces left behind by a partial lot (still at a worker's home): they go as the next lot.
        move(job, JobState.IN_PROGRESS, job=job, note=gettext_noop("还有件没交企业"))
        if job_work_done(job):
            move(job, JobState.COMPLETED, job=job, note=gettext_noop("还有件没交企业"))
    else:
        settle(job, ends=ends)
    return inspection
