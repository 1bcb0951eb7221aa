"""Corrections (更正), append-only: a worker's undo of her own last report, the head's correction of a
report, and a correction of a booked inspection result. Each writes a reversal row (``reverses`` the row
it cancels, every figure negated) and, for a corrected figure, a new row; nothing is edited in place. A
corrected inspection books correction pay lines at once (``pay.services.correction_line_book``): they count
in the open month and name the closed period they correct.

Lock order as the flow's: the job row, then the assignment. Errors as the flow's (``dispatch.services``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from materials.services import consume_for_report, release_for_report
from notices.messages import NotificationKind
from notices.services import notify
from pay import rollups
from pay.models import PayLine
from pay.services import correction_line_book

from .. import flowdays
from ..models import (
    Assignment,
    AssignmentState,
    Inspection,
    InspectionResult,
    Job,
    JobState,
    WorkReport,
)
from .common import check_head, check_party, event, lock_assignment, lock_job, move

# A share's reports may change only while its pieces are still on the workshop's side: before the lot
# goes to the firm (an inspected share is corrected through its inspection result).
REPORT_OPEN_STATES = (JobState.ACCEPTED, JobState.IN_PROGRESS, JobState.COMPLETED)


def undo_window() -> dt.timedelta:
    """How long a worker may undo her own last report (``NUANXIN_REPORT_UNDO_MINUTES``, default 10)."""
    return dt.timedelta(minutes=getattr(settings, "NUANXIN_REPORT_UNDO_MINUTES", 10))


def last_live_report(assignment_id: int) -> WorkReport | None:
    """The share's latest report that is neither a reversal nor reversed (what an undo would cancel)."""
    return (
        WorkReport.objects.filter(
            assignment_id=assignment_id, reverses__isnull=True, reversed_by__isnull=True
        )
        .order_by("-at", "-id")
        .first()
    )


def _reverse_report(
    *, report: WorkReport, job: Job, assignment: Assignment, actor, reason: str, note: str
) -> WorkReport:
    """The reversal row of ``report`` and its effects: the share's count goes down, what its pieces used
    goes back to the worker, a done share (and a completed job) go back to work, their moves logged with
    ``note`` (the caller's one timeline line: see ``_log_once``)."""
    # A bundle ticket's report stays with its ticket (``tickets``, by its reverse relation): reversing it
    # here would leave the ticket marked reported.
    if WorkReport.objects.filter(pk=report.pk, bundle_ticket__isnull=False).exists():
        raise ValidationError(_("这次是扫扎票报的工,不能在这里撤销或更正,请坊长在扎票页处理。"))
    before = assignment.pieces_reported
    after = before - report.pieces
    if after < assignment.pieces_handed_over or after < assignment.pieces_passed + assignment.pieces_rejected:
        raise ValidationError(_("这些件已经交给企业了,不能再改报工件数。"))
    changed = Assignment.objects.filter(pk=assignment.pk, pieces_reported=before).update(
        pieces_reported=F("pieces_reported") - report.pieces
    )
    if changed != 1:
        raise ValidationError(_("报工刚刚有变化,请刷新页面后重试。"))
    assignment.pieces_reported = after
    reversal = WorkReport.objects.create(
        assignment=assignment,
        pieces=-report.pieces,
        reverses=report,
        reason=reason[:200],
        key=f"reverse:{report.pk}",
        reported_by=actor,
    )
    flowdays.job_add(job, at=reversal.at, reported=reversal.pieces)
    release_for_report(
        report=reversal, assignment=assignment, job=job, pieces_before=before, pieces_after=after
    )
    if assignment.state == AssignmentState.DONE:
        rollups.share_done(assignment, sign=-1)  # with the done_at it had
        move(assignment, AssignmentState.ACCEPTED, job=job, actor=actor, note=note, done_at=None)
    if job.state == JobState.COMPLETED:
        move(job, JobState.IN_PROGRESS, job=job, actor=actor, note=note)
    return reversal


def _log_once(assignment: Assignment, *, job: Job, state_before: str, actor, note: str) -> None:
    """The share's timeline line for an undo or a correction: a move of the share (done → at work, or to
    done) already logged it with ``note``; otherwise one event that keeps the state."""
    if assignment.state == state_before:
        event(assignment, job=job, from_state=state_before, to_state=state_before, actor=actor, note=note)


@transaction.atomic
def report_undo(*, actor, report: WorkReport | int, now: dt.datetime | None = None) -> WorkReport:
    """A worker undoes her own last report on a share (撤销报工), within ``undo_window()`` of making it and
    while its pieces are still at the workshop's side (not handed over, not inspected). Writes the
    reversal row; returns it. Raises PermissionDenied (not her report), ValidationError in words (not her
    last report, too late, already handed over or inspected, already undone, or the share's rest taken
    back by the head: the head corrects it then). Nothing is written then."""
    pk = report.pk if isinstance(report, WorkReport) else report
    assignment_id = WorkReport.objects.values_list("assignment_id", flat=True).get(pk=pk)
    job, assignment = lock_assignment(assignment_id)
    report = WorkReport.objects.get(pk=pk)
    if actor is None or assignment.worker.user_id != actor.pk or report.reported_by_id != actor.pk:
        raise PermissionDenied(_("只能撤销自己报的工。"))
    if report.reverses_id is not None or WorkReport.objects.filter(reverses=report).exists():
        raise ValidationError(_("这次报工已经撤销过了。"))
    if assignment.pieces_taken_back:
        # Undone, the share would reopen with pieces she no longer holds and the head would not know.
        raise ValidationError(_("坊长已经收回了这一单没做的件,报错了请找坊长更正。"))
    last = last_live_report(assignment.pk)
    if last is None or last.pk != report.pk:
        raise ValidationError(_("只能撤销最近的一次报工。"))
    # One undo, not a walk back through her reports: a report made before her last undo stays (the head
    # corrects it if it is wrong too).
    if WorkReport.objects.filter(
        assignment=assignment, reverses__isnull=False, reverses__at__gt=report.at
    ).exists():
        raise ValidationError(_("刚才已经撤销过一次了;更早的报工如有错,请找坊长更正。"))
    if (now or timezone.now()) - report.at > undo_window():
        minutes = int(undo_window().total_seconds() // 60)
        raise ValidationError(_("报工超过 %(m)d 分钟就不能自己撤销了,请找坊长更正。") % {"m": minutes})
    if job.state not in REPORT_OPEN_STATES:
        raise ValidationError(_("这批货已经交企业了,不能撤销,请找坊长更正。"))
    note = gettext_noop("撤销报工") + f" {report.pieces}"
    state_before = assignment.state
    reversal = _reverse_report(
        report=report, job=job, assignment=assignment, actor=actor, reason=gettext_noop("本人撤销"), note=note
    )
    _log_once(assignment, job=job, state_before=state_before, actor=actor, note=note)
    return reversal


@transaction.atomic
def report_correct(
    *, actor, report: WorkReport | int, pieces: int, reason: str
) -> tuple[WorkReport, WorkReport | None]:
    """The head corrects one of a share's reports (更正报工) to ``pieces`` (int ≥ 0; 0 cancels it) with a
    ``reason``: a reversal row of the report, then a new report of ``pieces`` (none for 0). The share's
    reported pieces stay within what it was assigned and above what was handed over or inspected; a share
    that reaches all its pieces is done. The worker is told. Returns (reversal, new report or None).

    Raises PermissionDenied (not this workshop's head), ValidationError in words (no reason, a figure
    out of range, the lot already with the firm, a reversed report). Nothing is written then."""
    pk = report.pk if isinstance(report, WorkReport) else report
    assignment_id = WorkReport.objects.values_list("assignment_id", flat=True).get(pk=pk)
    job, assignment = lock_assignment(assignment_id)
    check_head(actor, job)
    report = WorkReport.objects.get(pk=pk)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("请写明更正原因。")})
    try:
        pieces = int(pieces)
    except (TypeError, ValueError):
        raise ValidationError({"pieces": _("件数请填整数。")}) from None
    if pieces < 0:
        raise ValidationError({"pieces": _("件数不能小于0。")})
    if report.reverses_id is not None or WorkReport.objects.filter(reverses=report).exists():
        raise ValidationError(_("这次报工已经冲销过了。"))
    if pieces == report.pieces:
        raise ValidationError({"pieces": _("件数没有变化。")})
    if job.state not in REPORT_OPEN_STATES:
        raise ValidationError(_("这批货已经交企业了,报工件数不能再改;请更正验收结果。"))
    total = assignment.pieces_reported - report.pieces + pieces
    if total > assignment.pieces:
        raise ValidationError(
            {
                "pieces": _("更正后报工 %(t)d 件,超过派给该坊工的 %(n)d 件。")
                % {"t": total, "n": assignment.pieces}
            }
        )
    if total < assignment.pieces_handed_over or total < assignment.pieces_passed + assignment.pieces_rejected:
        raise ValidationError({"pieces": _("更正后报工件数少于已交企业或已验收的件数。")})
    state_before = assignment.state
    note = gettext_noop("更正报工") + f" {report.pieces}→{pieces} · {reason}"[:280]
    reversal = _reverse_report(
        report=report, job=job, assignment=assignment, actor=actor, reason=reason, note=note
    )
    new = None
    if pieces > 0:
        new = WorkReport.objects.create(
            assignment=assignment,
            pieces=pieces,
            key=f"correct:{report.pk}",
            reported_by=actor,
            reason=reason[:200],
        )
        flowdays.job_add(job, at=new.at, reported=pieces)
        before = assignment.pieces_reported
        Assignment.objects.filter(pk=assignment.pk).update(pieces_reported=F("pieces_reported") + pieces)
        assignment.pieces_reported += pieces
        consume_for_report(report=new, assignment=assignment, job=job, pieces_before=before)
        if assignment.pieces_reported == assignment.pieces and assignment.state == AssignmentState.ACCEPTED:
            move(
                assignment,
                AssignmentState.DONE,
                job=job,
                actor=actor,
                note=note,
                done_at=timezone.now(),
            )
            rollups.share_done(assignment)
    _log_once(assignment, job=job, state_before=state_before, actor=actor, note=note)
    notify(
        recipient=assignment.worker.user,
        kind=NotificationKind.REPORT_CORRECTED,
        params={"t": job.title, "a": report.pieces, "b": pieces, "why": reason},
        link=f"/m/a/{assignment.pk}/",
        dedupe_key=f"report-corrected:{report.pk}",
    )
    return reversal, new


def _counts(value, label: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationError({label: _("件数请填整数。")}) from None
    if n < 0:
        raise ValidationError({label: _("件数不能小于0。")})
    return n


def _check_counted(result: InspectionResult, passed: int) -> None:
    """Refuse a correction that would pass more of a lot than the firm counted in: the lot's live results
    (its inspection's and every correction's since, the reversed rows cancelled by their reversals) may
    pass at most their pieces less the shortfall counted when it was inspected (``Inspection.pieces_short``),
    as the inspection itself could. Raises ValidationError in words. A read per step up the corrections,
    one per generation of corrections, and one sum."""
    root = result.inspection
    while root.corrects_id is not None:
        root = Inspection.objects.only("pk", "corrects_id", "pieces_short").get(pk=root.corrects_id)
    if not root.pieces_short:
        return
    lot, frontier = {root.pk}, {root.pk}
    while frontier:
        frontier = set(Inspection.objects.filter(corrects_id__in=frontier).values_list("pk", flat=True)) - lot
        lot |= frontier
    # A reversal row is its result negated, so every row of the lot summed is what its live rows hold.
    sums = InspectionResult.objects.filter(inspection_id__in=lot).aggregate(
        passed=Sum("pieces_passed"), submitted=Sum("pieces_submitted")
    )
    counted = (sums["submitted"] or 0) - root.pieces_short
    after = (sums["passed"] or 0) - result.pieces_passed + passed
    if after > counted:
        raise ValidationError(
            {
                "passed": _(
                    "企业点收这批时比送出少了 %(s)d 件,合格合计不能超过点收的 %(c)d 件(更正后会是 %(a)d 件)。"
                )
                % {"s": root.pieces_short, "c": counted, "a": after}
            }
        )


@transaction.atomic
def result_correct(
    *, actor, result: InspectionResult | int, passed: int, rejected: int, reason: str
) -> tuple[InspectionResult, InspectionResult]:
    """Correct a booked inspection result (更正验收) to ``passed`` + ``rejected`` pieces (ints ≥ 0, adding up
    to the pieces it judged; rejected never below the rework already sent back), with a ``reason``, by the
    workshop's head or the firm's staff. Writes an ``Inspection`` that ``corrects`` the original, holding
    a reversal row of the result and the corrected row; the share's passed and rejected pieces follow;
    correction pay lines are booked at the corrected line's rate in the open month, naming the closed
    period they correct. The worker is told. Returns (reversal, corrected row).

    Raises PermissionDenied, ValidationError in words (no reason, figures that don't add up, a result
    not yet booked or already corrected). Nothing is written then."""
    pk = result.pk if isinstance(result, InspectionResult) else result
    job_id = InspectionResult.objects.values_list("inspection__job_id", flat=True).get(pk=pk)
    job = lock_job(job_id)
    check_party(actor, job)
    result = InspectionResult.objects.select_related("inspection", "assignment", "assignment__worker").get(
        pk=pk
    )
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("worker", "worker__user")
        .get(pk=result.assignment_id)
    )
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("请写明更正原因。")})
    passed, rejected = _counts(passed, "passed"), _counts(rejected, "rejected")
    if result.reverses_id is not None or InspectionResult.objects.filter(reverses=result).exists():
        raise ValidationError(_("这条验收结果已经更正过了,请更正最新的一条。"))
    if result.inspection.booked_at is None:
        raise ValidationError(_("这次验收还在入账,请稍后再更正。"))
    if passed + rejected != result.pieces_submitted:
        raise ValidationError(_("合格+不合格应等于这次验收的 %(n)d 件。") % {"n": result.pieces_submitted})
    if rejected < result.pieces_rework:
        raise ValidationError(
            {"rejected": _("已有 %(n)d 件送去返工,不合格不能少于此数。") % {"n": result.pieces_rework}}
        )
    if passed == result.pieces_passed:
        raise ValidationError({"passed": _("件数没有变化。")})
    _check_counted(result, passed)
    correction = Inspection.objects.create(
        job=job, inspector=actor, notes=reason, corrects=result.inspection, booked_at=timezone.now()
    )
    reversal = InspectionResult.objects.create(
        inspection=correction,
        assignment=assignment,
        pieces_submitted=-result.pieces_submitted,
        pieces_passed=-result.pieces_passed,
        pieces_rejected=-result.pieces_rejected,
        reason=reason[:200],
        reverses=result,
    )
    corrected = InspectionResult.objects.create(
        inspection=correction,
        assignment=assignment,
        pieces_submitted=result.pieces_submitted,
        pieces_passed=passed,
        pieces_rejected=rejected,
        reason=result.reason,
    )
    Assignment.objects.filter(pk=assignment.pk).update(
        pieces_passed=F("pieces_passed") + (passed - result.pieces_passed),
        pieces_rejected=F("pieces_rejected") + (rejected - result.pieces_rejected),
    )
    rollups.work_counted(
        worker_id=assignment.worker_id,
        at=correction.at,
        passed=passed - result.pieces_passed,
        rejected=rejected - result.pieces_rejected,
    )
    flowdays.job_add(
        job,
        at=correction.at,
        passed=passed - result.pieces_passed,
        rejected=rejected - result.pieces_rejected,
    )
    original = PayLine.objects.select_related("period").filter(result=result).first()
    rate = original.rate if original is not None else job.worker_rate
    today = timezone.localdate()
    reversal.assignment = corrected.assignment = assignment
    lines = [
        correction_line_book(
            result=row,
            corrects=original,
            rate=rate,
            actor=actor,
            reason=reason,
            booked_on=today,
            job=job,
        )
        for row in (reversal, corrected)
    ]
    change = sum((line.amount for line in lines if line is not None), start=0)
    event(
        job,
        job=job,
        from_state=job.state,
        to_state=job.state,
        actor=actor,
        note=gettext_noop("更正验收")
        + f" {assignment.worker.name} {result.pieces_passed}→{passed} · {reason}"[:280],
    )
    notify(
        recipient=assignment.worker.user,
        kind=NotificationKind.PAY_CORRECTED,
        params={"t": job.title, "a": result.pieces_passed, "b": passed, "y": f"{change:+.2f}", "why": reason},
        link="/m/earnings/",
        dedupe_key=f"result-corrected:{result.pk}",
    )
    return reversal, corrected
