"""The flow's writes, one function per step (企业分发 → 工坊接单 → 坊工做单 → 送检企业 → 结算).

Every service runs in ``transaction.atomic``; moves a state only through the model's transitions map with
a compare-and-swap update (or under ``select_for_update``), so two concurrent moves cannot both win; writes
its ``FlowEvent`` in the same transaction; and enqueues Celery work only after commit (``_enqueue``).

Lock order, to avoid deadlocks: the job row first, then its assignments.

Errors: ``IllegalTransition`` (a move the state machine refuses, or lost to a concurrent move),
``django.core.exceptions.ValidationError`` (bad input, in Chinese), ``PermissionDenied`` (wrong actor).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop.models import Pairing, ProductionLine, Worker, WorkPlace, Workshop
from workshop.roles import firm_for, is_head_of

from . import dates, money, planning
from .models import (
    ASSIGNMENT_TRANSITIONS,
    DISPATCHING_STATES,
    HOLDING_STATES,
    JOB_TRANSITIONS,
    TO_OFFER,
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeliveryMode,
    FlowEvent,
    IllegalTransition,
    Inspection,
    InspectionResult,
    Job,
    JobState,
    Notification,
    NotificationKind,
    PayLine,
    PayPeriod,
    WorkReport,
    check_transition,
)

logger = logging.getLogger("nuanxin.flow")

# A job is a lot a workshop can take in one go; anything larger is a typo or several jobs.
MAX_JOB_PIECES = 1_000_000

# --- helpers ----------------------------------------------------------------------------------------


class _Send:
    """An after-commit callback that queues ``task(*args)``; a refusal by the broker is logged (ids only)."""

    def __init__(self, task, args: tuple):
        self.task, self.args = task, args

    def __call__(self) -> None:
        try:
            self.task.delay(*self.args)
        except Exception:  # noqa: BLE001 - kombu/redis raise several types; all mean "not queued"
            logger.warning("could not queue %s%s; sweep_stalled_flow will redo it", self.task.name, self.args)


class _Deliver(_Send):
    """After commit, deliver one notification: at once when the change was made by a Celery task (it is
    already on a worker, and a second task per message would double the broker traffic of the flow), else
    by queueing ``deliver_notification``. A failure is logged with ids only; ``sweep_stalled_flow``
    redelivers what stays unsent."""

    def __init__(self, note: Notification):
        from . import tasks

        super().__init__(tasks.deliver_notification, (note.pk,))
        self.note = note

    def __call__(self) -> None:
        from celery import current_task

        if not current_task:
            super().__call__()
            return
        try:
            _deliver(self.note.pk, fresh=self.note)
        except Exception:  # noqa: BLE001 - a database error here must not fail the task's committed work
            logger.warning("could not deliver notification %s; sweep_stalled_flow will redo it", self.args[0])


def _enqueue(task, *args) -> None:
    """Send ``task(*args)`` after the transaction commits (Celery's ``delay_on_commit``), but never let a
    broker that is down turn a saved change into an error page: the failure is logged with ids only,
    and the ``sweep_stalled_flow`` beat task redoes the work once the broker is back."""
    transaction.on_commit(_Send(task, args))


def _today() -> dt.date:
    return timezone.localdate()


def _event(obj, *, job: Job, from_state: str, to_state: str, actor=None, note: str = "") -> FlowEvent:
    return FlowEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        job=job,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:300],
    )


def _move(obj, target: str, *, job: Job, actor=None, note: str = "", **fields) -> None:
    """Compare-and-swap ``obj.state`` to ``target`` and record the event; raise IllegalTransition if lost."""
    transitions = JOB_TRANSITIONS if isinstance(obj, Job) else ASSIGNMENT_TRANSITIONS
    label = _("外发单") if isinstance(obj, Job) else _("派工")
    current = obj.state
    check_transition(transitions, label, current, target)
    if isinstance(obj, Job):
        fields.setdefault("updated_at", timezone.now())
    changed = type(obj).objects.filter(pk=obj.pk, state=current).update(state=target, **fields)
    if changed != 1:
        obj.refresh_from_db(fields=["state"])
        raise IllegalTransition(label, obj.state, target)
    obj.state = target
    for name, value in fields.items():
        setattr(obj, name, value)
    _event(obj, job=job, from_state=current, to_state=target, actor=actor, note=note)


def _lock_job(job: Job | int) -> Job:
    pk = job.pk if isinstance(job, Job) else job
    # ``of=("self",)``: lock the job row only, not its line, firm and workshop rows that the join reads
    # (PostgreSQL would otherwise lock them all and serialise every job of a firm or workshop).
    return (
        Job.objects.select_for_update(of=("self",))
        .select_related("line", "line__firm", "workshop")
        .get(pk=pk)
    )


def _positive_int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, float) or isinstance(value, bool):
                raise ValueError
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError({field: _("请输入整数件数。")}) from None
    if value <= 0:
        raise ValidationError({field: _("件数必须大于0。")})
    return value


def _check_firm_staff(actor, job_or_line) -> None:
    firm = firm_for(actor)
    line = job_or_line.line if isinstance(job_or_line, Job) else job_or_line
    if firm is None or firm.pk != line.firm_id:
        raise PermissionDenied(_("只有该企业的专员可以操作。"))


def _check_head(actor, job: Job) -> None:
    if actor is not None and not is_head_of(actor, job.workshop_id):
        raise PermissionDenied(_("只有本工坊坊长可以操作。"))


def notify(*, recipient, kind: str, text: str, link: str = "", dedupe_key: str) -> Notification:
    """Put a message in ``recipient``'s inbox once per ``dedupe_key``; deliver it after commit
    (``_Deliver``)."""
    note, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key[:100],
        defaults={"recipient": recipient, "kind": kind, "text": text[:300], "link": link},
    )
    if created:
        transaction.on_commit(_Deliver(note))
    return note


def _notify_firm(job: Job, *, kind: str, text: str, key: str) -> None:
    for staff in job.line.firm.staff.select_related("user"):
        notify(
            recipient=staff.user,
            kind=kind,
            text=text,
            link=f"/dashboard/jobs/{job.pk}/",
            dedupe_key=f"{key}:{staff.user_id}",
        )


# --- the firm issues; the workshop accepts or declines -----------------------------------------------


@transaction.atomic
def job_issue(
    *,
    actor,
    workshop: Workshop,
    line: ProductionLine,
    title: str,
    quantity: int,
    piece_rate: Decimal | str,
    due_on: dt.date,
    instructions: str = "",
    process_kind: str | None = None,
    photo=None,
) -> Job:
    """A firm issues a job (企业分发) to a paired workshop, with an optional sample ``photo`` (an uploaded
    image; stored only when the job is).

    ``quantity`` is pieces (int > 0); ``piece_rate`` yuan per piece (Decimal, ≤ 4 places, > 0); ``due_on``
    an Asia/Shanghai date, today or later. The line must be in an active pairing with ``workshop``.
    Raises PermissionDenied (actor is not the line's firm staff) or ValidationError. After commit, the
    ``on_job_issued`` task notifies the head and applies the pairing's auto-accept rule.
    """
    _check_firm_staff(actor, line)
    quantity = _positive_int(quantity, "quantity")
    if quantity > MAX_JOB_PIECES:
        raise ValidationError(
            {"quantity": _("一张外发单最多 %(n)s 件,请分成几张单。") % {"n": f"{MAX_JOB_PIECES:,}"}}
        )
    try:
        rate = Decimal(str(piece_rate))
    except InvalidOperation:
        raise ValidationError({"piece_rate": _("请输入正确的单价。")}) from None
    if rate <= 0 or rate != rate.quantize(money.RATE_PLACES):
        raise ValidationError({"piece_rate": _("单价必须大于0,最多4位小数。")})
    if due_on < _today():
        raise ValidationError({"due_on": _("交货日期不能早于今天。")})
    if not Pairing.objects.filter(firm_id=line.firm_id, workshop=workshop, active=True, lines=line).exists():
        raise ValidationError({"line": _("该生产线尚未与此工坊结对。")})
    job = Job(
        workshop=workshop,
        line=line,
        title=title,
        process_kind=process_kind or line.process_kind,
        quantity=quantity,
        piece_rate=rate,
        due_on=due_on,
        instructions=instructions,
        issued_by=actor,
    )
    # Field checks only: the foreign keys are objects in hand, and the database constraints (quantity > 0,
    # rate > 0) were checked above in words and are enforced by the database again on save.
    job.full_clean(exclude=["workshop", "line", "issued_by"], validate_constraints=False)
    job.save()
    if photo is not None:
        job.photo.save(photo.name, photo, save=False)
        Job.objects.filter(pk=job.pk).update(photo=job.photo.name)
    _event(job, job=job, from_state="", to_state=JobState.ISSUED, actor=actor)
    from . import tasks

    _enqueue(tasks.on_job_issued, job.pk)
    return job


@transaction.atomic
def job_accept(*, actor, job: Job, note: str = "") -> Job:
    """The workshop takes the job (工坊接单). ``actor`` is the head, or None for the auto-accept rule.

    After commit, ``plan_job_offers`` splits the job and offers the shares. Raises IllegalTransition.
    """
    job = _lock_job(job)
    _check_head(actor, job)
    _move(job, JobState.ACCEPTED, job=job, actor=actor, note=note)
    from . import tasks

    _enqueue(tasks.plan_job_offers, job.pk)
    _notify_firm(
        job,
        kind=NotificationKind.JOB_ACCEPTED,
        text=_("%(w)s 已接单:%(t)s") % {"w": job.workshop.name, "t": job.title},
        key=f"accepted:{job.pk}",
    )
    return job


@transaction.atomic
def job_decline(*, actor, job: Job, reason: str = "") -> Job:
    """The head turns the job down (拒单), with a reason the firm sees. Raises IllegalTransition."""
    job = _lock_job(job)
    _check_head(actor, job)
    _move(job, JobState.DECLINED, job=job, actor=actor, note=reason)
    _notify_firm(
        job,
        kind=NotificationKind.JOB_DECLINED,
        text=_("%(w)s 未接单:%(t)s") % {"w": job.workshop.name, "t": job.title},
        key=f"declined:{job.pk}",
    )
    return job


@transaction.atomic
def job_cancel(*, actor, job: Job, reason: str = "") -> Job:
    """The firm withdraws a job before work starts (issued or accepted); open offers expire with it."""
    job = _lock_job(job)
    _check_firm_staff(actor, job)
    _move(job, JobState.CANCELLED, job=job, actor=actor, note=reason)
    for a in Assignment.objects.select_for_update().filter(job=job, state=AssignmentState.OFFERED):
        _move(
            a,
            AssignmentState.EXPIRED,
            job=job,
            actor=actor,
            note=_("外发单已取消"),
            responded_at=timezone.now(),
        )
    Job.objects.filter(pk=job.pk).update(pieces_assigned=0)
    job.pieces_assigned = 0
    return job


# --- offers to workers -------------------------------------------------------------------------------


@transaction.atomic
def assignment_offer(
    *, job: Job, worker: Worker, pieces: int, reasons: str = "", actor=None, due_on: dt.date | None = None
) -> Assignment:
    """Offer ``pieces`` (int > 0) of ``job`` to ``worker`` (派工), expiring after the offer TTL.

    The job's ``pieces_assigned`` grows by a conditional update that the database also bounds by the
    quantity, so concurrent offers can never assign more than the job holds. Raises ValidationError when
    fewer pieces remain, IllegalTransition when the job is not accepted or in progress.
    """
    return _offer(_lock_job(job), worker, pieces, reasons=reasons, actor=actor, due_on=due_on)


def _offer(
    job: Job, worker: Worker, pieces: int, *, reasons: str = "", actor=None, due_on: dt.date | None = None
) -> Assignment:
    """``assignment_offer`` on a job row the caller has locked, inside the caller's transaction."""
    pieces = _positive_int(pieces, "pieces")
    if job.state not in DISPATCHING_STATES:
        raise IllegalTransition(_("外发单"), job.state, JobState.IN_PROGRESS)
    if worker.workshop_id != job.workshop_id or not worker.active:
        raise ValidationError(_("该坊工不属于此工坊或已离岗。"))
    grown = Job.objects.filter(pk=job.pk, pieces_assigned__lte=F("quantity") - pieces).update(
        pieces_assigned=F("pieces_assigned") + pieces
    )
    if grown != 1:
        job.refresh_from_db(fields=["pieces_assigned"])
        raise ValidationError(_("外发单只剩 %(n)d 件可派。") % {"n": job.pieces_unassigned})
    job.pieces_assigned += pieces
    now = timezone.now()
    assignment = Assignment.objects.create(
        job=job,
        worker=worker,
        pieces=pieces,
        due_on=due_on or job.due_on,
        delivery=DeliveryMode.HOME if worker.work_place == WorkPlace.HOME else DeliveryMode.PICKUP,
        reasons=reasons[:200],
        expires_at=now + dt.timedelta(hours=settings.NUANXIN_OFFER_TTL_HOURS),
    )
    _event(assignment, job=job, from_state="", to_state=AssignmentState.OFFERED, actor=actor, note=reasons)
    notify(
        recipient=worker.user,
        kind=NotificationKind.OFFER,
        text=_("新派工:%(t)s %(n)d 件,单价 %(r)s 元") % {"t": job.title, "n": pieces, "r": job.piece_rate},
        link=f"/m/a/{assignment.pk}/",
        dedupe_key=f"offer:{assignment.pk}",
    )
    return assignment


def _lock_assignment(assignment: Assignment | int) -> tuple[Job, Assignment]:
    if isinstance(assignment, Assignment):
        pk, job_id = assignment.pk, assignment.job_id  # an assignment never moves to another job
    else:
        pk = assignment
        job_id = Assignment.objects.values_list("job_id", flat=True).get(pk=pk)
    job = _lock_job(job_id)
    return job, Assignment.objects.select_for_update(of=("self",)).select_related("worker").get(pk=pk)


def _check_worker(actor, assignment: Assignment) -> None:
    if actor is None or assignment.worker.user_id != actor.pk:
        raise PermissionDenied(_("只能处理自己的派工。"))


@transaction.atomic
def assignment_accept(*, actor, assignment: Assignment) -> Assignment:
    """The worker takes an offer. The job moves to in_progress with its first accepted share.

    Raises IllegalTransition (not offered any more), ValidationError (the offer has expired).
    """
    job, assignment = _lock_assignment(assignment)
    _check_worker(actor, assignment)
    if (
        assignment.state == AssignmentState.OFFERED
        and assignment.expires_at
        and assignment.expires_at < timezone.now()
    ):
        raise ValidationError(_("这个派工已过答复时间,请联系坊长。"))
    _move(assignment, AssignmentState.ACCEPTED, job=job, actor=actor, responded_at=timezone.now())
    if job.state == JobState.ACCEPTED:
        _move(job, JobState.IN_PROGRESS, job=job, actor=actor, note=_("坊工开始做单"))
    return assignment


def _release(job: Job, assignment: Assignment) -> None:
    Job.objects.filter(pk=job.pk).update(pieces_assigned=F("pieces_assigned") - assignment.pieces)
    job.pieces_assigned -= assignment.pieces
    from . import tasks

    _enqueue(tasks.plan_job_offers, job.pk)


@transaction.atomic
def assignment_decline(*, actor, assignment: Assignment, reason: str = "") -> Assignment:
    """The worker turns an offer down; its pieces go back to the job and are offered to others."""
    job, assignment = _lock_assignment(assignment)
    _check_worker(actor, assignment)
    _move(
        assignment, AssignmentState.DECLINED, job=job, actor=actor, note=reason, responded_at=timezone.now()
    )
    _release(job, assignment)
    return assignment


@transaction.atomic
def assignment_expire(*, assignment: Assignment | int, now: dt.datetime | None = None) -> Assignment:
    """Expire an offer not answered by its deadline; its pieces are offered to others after commit.

    Raises IllegalTransition when the offer was answered meanwhile, ValidationError when not yet due.
    """
    job, assignment = _lock_assignment(assignment)
    now = now or timezone.now()
    if assignment.expires_at and assignment.expires_at > now:
        raise ValidationError(_("答复时间未到。"))
    _move(assignment, AssignmentState.EXPIRED, job=job, note=_("超时未答复"), responded_at=now)
    _release(job, assignment)
    return assignment


def _plan_and_offer(jobs: Sequence[Job]) -> list[Assignment]:
    """Plan the locked ``jobs`` together (``planning.plan_jobs``) and offer every share."""
    jobs = [job for job in jobs if job.state in DISPATCHING_STATES and job.pieces_unassigned > 0]
    if not jobs:
        return []
    plans = planning.plan_jobs(jobs, today=_today(), refused=planning.refusals(job.pk for job in jobs))
    workers = Worker.objects.select_related("user").in_bulk(
        {share.worker_id for shares in plans.values() for share in shares}
    )
    by_id = {job.pk: job for job in jobs}
    return [
        _offer(by_id[job_id], workers[share.worker_id], share.pieces, reasons=share.reasons)
        for job_id, shares in plans.items()
        for share in shares
    ]


@transaction.atomic
def job_plan_offers(*, job: Job | int) -> list[Assignment]:
    """Plan the job's unassigned pieces and offer each share (派工); returns the new offers.

    The plan is ``planning.plan_jobs``: the min-cost-flow optimiser unless ``settings.NUANXIN_PLANNER``
    is ``"first_come"`` (the plain rule).
    Idempotent: with nothing left to assign (or a job past dispatch) it does nothing. Workers who
    declined or let an offer of this job expire are not asked again.
    """
    return _plan_and_offer([_lock_job(job)])


@transaction.atomic
def workshop_plan_offers(*, workshop: Workshop | int) -> list[Assignment]:
    """Plan every dispatching job of ``workshop`` with unassigned pieces together (they share the
    workers' time) and offer each share; returns the new offers.

    Locks those jobs in id order (every other service locks one job, so this cannot deadlock with
    them). Idempotent like ``job_plan_offers``: once every piece is offered it does nothing, so a burst
    of accepted jobs is planned by the first call and the rest return [] at the cost of one query.
    """
    ws_id = workshop.pk if isinstance(workshop, Workshop) else workshop
    jobs = list(
        Job.objects.select_for_update(of=("self",))
        .select_related("line", "line__firm", "workshop")
        .filter(TO_OFFER, workshop_id=ws_id)
        .order_by("pk")
    )
    return _plan_and_offer(jobs)


# --- the worker reports; the job completes -----------------------------------------------------------


@transaction.atomic
def work_report(*, actor, assignment: Assignment | int, pieces: int, key: str) -> tuple[WorkReport, bool]:
    """Report ``pieces`` (int > 0) done on an accepted assignment (报工); returns (report, created).

    Idempotent on ``key``: a second report with the same key (double tap, retry) returns the first and
    counts nothing. Never more than the pieces still to do. When the last piece is reported the
    assignment is done; when it was the job's last open share, ``finish_job_if_done`` runs after commit.
    Locks the job row, then the assignment row (the module's lock order). Raises IllegalTransition unless
    the assignment is accepted.
    """
    pieces = _positive_int(pieces, "pieces")
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("报工缺少有效的提交编号,请刷新页面后重试。"))
    job, assignment = _lock_assignment(assignment)
    assignment.job = job
    if actor is None or (assignment.worker.user_id != actor.pk and not is_head_of(actor, job.workshop_id)):
        raise PermissionDenied(_("只能给自己的派工报工。"))
    existing = WorkReport.objects.filter(key=key).first()
    if existing is not None:
        if existing.assignment_id != assignment.pk:
            raise ValidationError(_("提交编号重复,请刷新页面后重试。"))
        return existing, False
    if assignment.state != AssignmentState.ACCEPTED:
        # Reporting moves an assignment towards done; only an accepted one may go there.
        raise IllegalTransition(_("派工"), assignment.state, AssignmentState.DONE)
    if pieces > assignment.pieces_to_do:
        raise ValidationError({"pieces": _("最多还能报 %(n)d 件。") % {"n": assignment.pieces_to_do}})
    grown = Assignment.objects.filter(
        pk=assignment.pk, state=AssignmentState.ACCEPTED, pieces_reported__lte=F("pieces") - pieces
    ).update(pieces_reported=F("pieces_reported") + pieces)
    if grown != 1:
        raise ValidationError({"pieces": _("报工件数超过派工件数。")})
    assignment.pieces_reported += pieces
    report = WorkReport.objects.create(assignment=assignment, pieces=pieces, key=key, reported_by=actor)
    if assignment.pieces_reported == assignment.pieces:
        _move(assignment, AssignmentState.DONE, job=assignment.job, actor=actor, done_at=timezone.now())
        # Only the job's last open share finishes it (the job row is locked, so of two last reports
        # racing, the second sees the first): one follow-up task per job, not one per share.
        if _job_work_done(job):
            from . import tasks

            _enqueue(tasks.finish_job_if_done, assignment.job_id)
    return report, True


def _job_work_done(job: Job) -> bool:
    holding = job.assignments.filter(state__in=HOLDING_STATES)
    first_pieces = holding.filter(kind=AssignmentKind.FIRST).aggregate(n=Sum("pieces"))["n"] or 0
    open_left = holding.exclude(state=AssignmentState.DONE).exists()
    return first_pieces == job.quantity and not open_left


@transaction.atomic
def job_complete(*, job: Job | int, actor=None) -> Job:
    """All pieces assigned and every assignment done (坊工做单完成): in_progress → completed.

    Raises ValidationError when work is still open, IllegalTransition from another state.
    """
    job = _lock_job(job)
    if job.state == JobState.IN_PROGRESS and not _job_work_done(job):
        raise ValidationError(_("还有未完成的派工。"))
    _move(job, JobState.COMPLETED, job=job, actor=actor)
    return job


@transaction.atomic
def job_submit_for_inspection(*, job: Job | int, actor=None) -> Job:
    """Finished goods go back to the firm (送检): completed → inspecting; the firm's staff are told."""
    job = _lock_job(job)
    _move(job, JobState.INSPECTING, job=job, actor=actor)
    _notify_firm(
        job,
        kind=NotificationKind.READY_FOR_INSPECTION,
        text=_("待验收:%(t)s") % {"t": job.title},
        key=f"inspect:{job.pk}:{job.events.count()}",
    )
    return job


@transaction.atomic
def job_send_for_inspection(*, job: Job | int, actor=None) -> Job:
    """Send a finished job to the firm (送检), completing it first when it is still in production and all
    its work is done. ``actor``: the head, or None for the system (``finish_job_if_done``).

    Raises PermissionDenied (not the head), ValidationError (work still open), IllegalTransition."""
    job = _lock_job(job)
    _check_head(actor, job)
    if job.state == JobState.IN_PROGRESS:
        job = job_complete(job=job, actor=actor)
    return job_submit_for_inspection(job=job, actor=actor)


# --- the firm inspects; pay is booked ----------------------------------------------------------------


@dataclass(frozen=True)
class ResultInput:
    """One assignment's verdict: pieces passed and rejected (ints ≥ 0); ``rework`` of the rejected go back."""

    assignment_id: int
    passed: int
    rejected: int
    rework: int = 0
    reason: str = ""


@transaction.atomic
def job_inspect(*, actor, job: Job | int, results: Sequence[ResultInput], notes: str = "") -> Inspection:
    """Record the firm's inspection of the job's uninspected pieces (质检): inspecting → inspected.

    Every assignment with uninspected pieces needs one result with passed + rejected equal to those
    pieces, and rework ≤ rejected. Rejected pieces not sent to rework fail for good. After commit the
    ``book_inspection`` task books pay, creates rework assignments and notifies. Locks the job and its
    assignments. Raises PermissionDenied, ValidationError, IllegalTransition.
    """
    job = _lock_job(job)
    _check_firm_staff(actor, job)
    check_transition(JOB_TRANSITIONS, _("外发单"), job.state, JobState.INSPECTED)
    pending = {
        a.pk: a
        for a in Assignment.objects.select_for_update().filter(job=job, state=AssignmentState.DONE)
        if a.pieces_uninspected > 0
    }
    given = {r.assignment_id: r for r in results}
    if len(given) != len(results) or set(given) != set(pending):
        raise ValidationError(_("请为每个待验收的派工填写一次结果。"))
    inspection = Inspection.objects.create(job=job, inspector=actor, notes=notes)
    for a_id, r in given.items():
        a = pending[a_id]
        passed, rejected, rework = (int(r.passed), int(r.rejected), int(r.rework))
        if (
            min(passed, rejected, rework) < 0
            or passed + rejected != a.pieces_uninspected
            or rework > rejected
        ):
            raise ValidationError(
                _("%(w)s:合格+不合格应等于送检的 %(n)d 件,返工不能多于不合格。")
                % {"w": a.worker.name, "n": a.pieces_uninspected}
            )
        InspectionResult.objects.create(
            inspection=inspection,
            assignment=a,
            pieces_submitted=a.pieces_uninspected,
            pieces_passed=passed,
            pieces_rejected=rejected,
            pieces_rework=rework,
            reason=r.reason[:200],
        )
        Assignment.objects.filter(
            pk=a.pk, pieces_passed=a.pieces_passed, pieces_rejected=a.pieces_rejected
        ).update(pieces_passed=F("pieces_passed") + passed, pieces_rejected=F("pieces_rejected") + rejected)
    _move(job, JobState.INSPECTED, job=job, actor=actor, note=notes)
    from . import tasks

    _enqueue(tasks.book_inspection, inspection.pk)
    return inspection


@transaction.atomic
def inspection_book(*, inspection: Inspection | int) -> Inspection:
    """Book an inspection (入账): a pay line per result with passed pieces, a rework assignment per result
    with rework pieces, notices to the workers; then the job goes back to production for rework, or is
    settled. Idempotent: a booked inspection is returned unchanged (pay lines are also unique per result).
    """
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    job_id = Inspection.objects.values_list("job_id", flat=True).get(pk=pk)
    job = _lock_job(job_id)
    inspection = Inspection.objects.select_for_update().get(pk=pk)
    if inspection.booked_at is not None:
        return inspection
    today = _today()
    rework_made = False
    for r in inspection.results.select_related(
        "assignment", "assignment__worker", "assignment__worker__user"
    ):
        a, worker = r.assignment, r.assignment.worker
        if r.pieces_rejected > 0:
            # Pay and rework have their own messages; a rejection needs one too, with the firm's reason.
            notify(
                recipient=worker.user,
                kind=NotificationKind.INSPECTION,
                text=_("%(t)s 验收:合格 %(p)d 件,不合格 %(r)d 件。%(why)s")
                % {"t": job.title, "p": r.pieces_passed, "r": r.pieces_rejected, "why": r.reason},
                link=f"/m/a/{a.pk}/",
                dedupe_key=f"inspection:{r.pk}",
            )
        if r.pieces_passed > 0:
            line, created = PayLine.objects.get_or_create(
                result=r,
                defaults={
                    "worker": worker,
                    "assignment": a,
                    "inspection": inspection,
                    "pieces_passed": r.pieces_passed,
                    "rate": job.piece_rate,
                    "amount": money.wage_amount(r.pieces_passed, job.piece_rate),
                    "booked_on": today,
                },
            )
            notify(
                recipient=worker.user,
                kind=NotificationKind.PAY_BOOKED,
                text=_("%(t)s 合格 %(n)d 件,工资 %(y)s 元已入账")
                % {"t": job.title, "n": r.pieces_passed, "y": line.amount},
                link="/m/",
                dedupe_key=f"pay:{r.pk}",
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
                    "reasons": r.reason[:200] or _("返工"),
                    "responded_at": timezone.now(),
                },
            )
            if created:
                _event(
                    rework,
                    job=job,
                    from_state="",
                    to_state=AssignmentState.ACCEPTED,
                    note=_("返工:%(r)s") % {"r": r.reason},
                )
            notify(
                recipient=worker.user,
                kind=NotificationKind.REWORK,
                text=_("%(t)s 有 %(n)d 件需返工:%(r)s")
                % {"t": job.title, "n": r.pieces_rework, "r": r.reason},
                link=f"/m/a/{rework.pk}/",
                dedupe_key=f"rework:{r.pk}",
            )
            rework_made = True
    Inspection.objects.filter(pk=inspection.pk).update(booked_at=timezone.now())
    if rework_made:
        _move(job, JobState.IN_PROGRESS, job=job, note=_("返工"))
    else:
        _settle(job)
    return inspection


@transaction.atomic
def job_settle(*, job: Job | int, actor=None) -> Job:
    """Pay is fixed for the job's passed pieces (结算): inspected → settled.

    Raises ValidationError while pieces are uninspected, rework is open, a passed result is unpaid, or an
    inspection is not booked yet (its rework assignments do not exist until it is).
    """
    return _settle(_lock_job(job), actor=actor)


def _settle(job: Job, *, actor=None) -> Job:
    """``job_settle`` on a job row the caller has locked, inside the caller's transaction."""
    if job.state == JobState.INSPECTED:
        open_work = job.assignments.filter(
            Q(state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED))
            | Q(pieces_reported__gt=F("pieces_passed") + F("pieces_rejected"))
        ).exists()
        unpaid = InspectionResult.objects.filter(
            inspection__job=job, pieces_passed__gt=0, pay_line__isnull=True
        ).exists()
        unbooked = job.inspections.filter(booked_at__isnull=True).exists()
        if open_work or unpaid or unbooked:
            raise ValidationError(_("还有未验收、未返工或未入账的件数,不能结算。"))
    _move(job, JobState.SETTLED, job=job, actor=actor)
    return job


@transaction.atomic
def pay_period_close(*, workshop: Workshop, month: dt.date) -> PayPeriod:
    """Close ``workshop``'s pay period for the month of ``month`` (结算周期): attach the month's pay lines
    and fix the total (Decimal yuan). Idempotent: a closed period is returned unchanged."""
    first = month.replace(day=1)
    nxt = dates.next_month(first)
    period, _created = PayPeriod.objects.select_for_update().get_or_create(workshop=workshop, month=first)
    if period.closed_at is not None:
        return period
    lines = PayLine.objects.filter(
        worker__workshop=workshop, booked_on__gte=first, booked_on__lt=nxt, period__isnull=True
    )
    lines.update(period=period)
    total = period.lines.aggregate(t=Sum("amount"))["t"] or Decimal("0")
    period.total_yuan = money.to_yuan(total)
    period.closed_at = timezone.now()
    period.save(update_fields=["total_yuan", "closed_at"])
    return period


MAX_DELIVERY_ATTEMPTS = 3


def notification_deliver(*, notification: Notification | int) -> bool:
    """Send a notification through every configured sender that has not delivered it yet. Returns True
    when every sender has now delivered it, False when nothing was due (already sent, or claimed by a
    concurrent delivery) or a sender failed.

    A delivery claims the message by setting ``sent_at``. A sender that raises is logged (ids only) and
    the message is unclaimed, so the sweep retries it later through the failed senders only: a working
    channel never repeats it. After ``MAX_DELIVERY_ATTEMPTS`` the message stays in the inbox alone."""
    return _deliver(notification.pk if isinstance(notification, Notification) else notification)


def _deliver(pk: int, *, fresh: Notification | None = None) -> bool:
    """``notification_deliver`` by id. ``fresh``: the message as this process created it a moment ago
    (never tried, nothing sent), so it need not be read again after the claim."""
    from .notify import senders

    now = timezone.now()
    claimed = Notification.objects.filter(pk=pk, sent_at__isnull=True).update(
        sent_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    if fresh is not None and fresh.attempts == 0 and not fresh.sent_via:
        note = fresh
        note.attempts = 1
    else:
        note = Notification.objects.get(pk=pk)
    note.sent_at = now
    delivered = list(note.sent_via or [])
    failed = []
    for send in senders():
        name = f"{send.__module__}.{send.__qualname__}"
        if name in delivered:
            continue
        try:
            send(note)
        except Exception:  # noqa: BLE001 - any sender error: retry that sender later, never the others
            failed.append(name)
            logger.warning("sender %s failed for notification %s (attempt %s)", name, pk, note.attempts)
            continue
        delivered.append(name)
    retry = bool(failed) and note.attempts < MAX_DELIVERY_ATTEMPTS
    if failed and not retry:
        logger.error("gave up sending notification %s through %s", pk, ", ".join(failed))
    Notification.objects.filter(pk=pk).update(sent_via=delivered, sent_at=None if retry else now)
    note.sent_via, note.sent_at = delivered, None if retry else now
    return not failed


@transaction.atomic
def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark ``user``'s inbox read: one notification (``notification_id``) or, with None, all of them.

    Scoped to ``user``: another user's notification id marks nothing (the caller turns 0 into a 404).
    Idempotent: an already read notification keeps its first read time. Returns how many rows changed.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
