"""The assignments' moves: the planner's offers (派工; ``offers`` makes them, the head's too), the worker's
answer, an offer expiring, a share taken back, and the worker's reports (报工) that finish a share.

Each service runs in ``transaction.atomic`` and locks the job row, then the assignment row
(``common.lock_assignment``): the module's lock order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from materials.models import BomLine
from materials.services import consume_for_report
from notices.models import NotificationKind
from notices.services import notifications_settled, notify
from pay import rollups
from workshop.models import Worker, Workshop
from workshop.roles import is_head_of
from workshop.upsert import insert_once

from .. import flowdays, followups, planning
from ..models import (
    ASSIGNMENT_TRANSITIONS,
    DISPATCHING_STATES,
    TO_OFFER,
    Assignment,
    AssignmentState,
    IllegalTransition,
    Job,
    JobState,
    WorkReport,
    check_transition,
)
from .common import (
    check_worker,
    event,
    lock_assignment,
    lock_job,
    move,
    positive_int,
    workshop_of,
)
from .jobs import complete_locked, job_work_done, work_tally
from .materials import material_loss_flag
from .offers import offer_jobs, offer_message_keys


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def assignment_accept(*, actor, assignment: Assignment, pieces: int | None = None) -> Assignment:
    """The worker takes an offer. The job moves to in_progress with its first accepted share.

    ``pieces``: the offer's pieces as her page showed them. An offer grows while it waits (more of its job
    offered to her, ``offer_jobs``): a tap on a page loaded before must not take pieces she never saw, so
    it is refused, saying the number now, and she taps again on the page that shows it (the phone's
    accept always sends it: ``mobile.offers``). None (a caller that showed no number: the head's tests,
    the simulation) takes the offer as it is. A decline needs no such check: it gives back every
    piece of the offer and she is not asked for that job again, which is what she chose seeing fewer.

    Raises PermissionDenied (not her offer), IllegalTransition (not offered any more: taken already,
    finished, declined or expired; ``current`` says which, so a second tap can read as done), or
    ValidationError (the offer has expired, or has more pieces than she saw). Nothing is written then.
    Locks the job, then the offer (as ``offer_jobs`` does: an offer grows before or after, never during).
    """
    job, assignment = lock_assignment(assignment)
    check_worker(actor, assignment)
    if assignment.state != AssignmentState.OFFERED:
        # The map lets a done share go back to accepted (an undone report): an accept must not.
        raise IllegalTransition(_("派工"), assignment.state, AssignmentState.ACCEPTED)
    if (
        assignment.state == AssignmentState.OFFERED
        and assignment.expires_at
        and assignment.expires_at < timezone.now()
    ):
        raise ValidationError(_("这个派工已过答复时间,请联系坊长。"))
    if pieces is not None and pieces != assignment.pieces:
        # Fewer than now: it grew while her page was open. Anything else is no number she was shown.
        grew = 0 < pieces < assignment.pieces
        raise ValidationError(
            (
                ngettext(
                    "这份活刚加了件数,现在一共 %(n)d 件。请看清件数再接。",
                    "这份活刚加了件数,现在一共 %(n)d 件。请看清件数再接。",
                    assignment.pieces,
                )
                if grew
                else ngettext(
                    "这份活一共 %(n)d 件。请看清件数再接。",
                    "这份活一共 %(n)d 件。请看清件数再接。",
                    assignment.pieces,
                )
            )
            % {"n": assignment.pieces}
        )
    move(assignment, AssignmentState.ACCEPTED, job=job, actor=actor, responded_at=timezone.now())
    _offer_answered(assignment)
    if job.state == JobState.ACCEPTED:
        move(job, JobState.IN_PROGRESS, job=job, actor=actor, note=gettext_noop("坊工开始做单"))
    return assignment


def _offer_answered(assignment: Assignment) -> None:
    """Her offer's messages (the first, and the one of its last growth) no longer wait for her as new: she
    has answered it (a trial's badge still said 1 条未读 after she took the offer)."""
    notifications_settled(dedupe_keys=offer_message_keys(assignment.pk, assignment.pieces))


def release(job: Job, pieces: int) -> None:
    """Give ``pieces`` of the locked ``job`` back to be offered, and plan it again after commit (until then
    no plan has left them unplaced: ``Job.left_unplaced``)."""
    Job.objects.filter(pk=job.pk).update(pieces_assigned=F("pieces_assigned") - pieces, left_unplaced=False)
    job.pieces_assigned -= pieces
    job.left_unplaced = False
    followups.later(followups.PLAN_JOB_OFFERS, job.pk)


@transaction.atomic
def assignment_decline(*, actor, assignment: Assignment, reason: str = "") -> Assignment:
    """The worker turns an offer down; its pieces go back to the job and are offered to others, and the
    workshop's head gets a message (``OFFER_DECLINED``: who, which job, how many pieces, her words if
    any), delivered after commit and put into words in the head's own language.
    Raises PermissionDenied, IllegalTransition."""
    job, assignment = lock_assignment(assignment)
    check_worker(actor, assignment)
    move(assignment, AssignmentState.DECLINED, job=job, actor=actor, note=reason, responded_at=timezone.now())
    _offer_answered(assignment)
    release(job, assignment.pieces)
    head = workshop_of(job).head
    if head is not None:
        notify(
            recipient=head,
            kind=NotificationKind.OFFER_DECLINED,
            params={"w": assignment.worker.name, "t": job.title, "n": assignment.pieces, "why": reason},
            link=f"/dashboard/jobs/{job.pk}/",
            dedupe_key=f"offer-declined:{assignment.pk}",
        )
    return assignment


@transaction.atomic
def assignment_expire(*, assignment: Assignment | int, now: dt.datetime | None = None) -> Assignment:
    """Expire an offer not answered by its deadline; its pieces are offered to others after commit.

    Raises IllegalTransition when the offer was answered meanwhile, ValidationError when not yet due.
    """
    job, assignment = lock_assignment(assignment)
    now = now or timezone.now()
    if assignment.expires_at and assignment.expires_at > now:
        raise ValidationError(_("答复时间未到。"))
    move(assignment, AssignmentState.EXPIRED, job=job, note=gettext_noop("超时未答复"), responded_at=now)
    release(job, assignment.pieces)
    return assignment


@transaction.atomic
def offers_withdraw_stopped(*, worker: Worker, actor=None) -> list[Assignment]:
    """Close a stopped worker's (停用) unanswered offers, as withdrawn (已收回) with the note
    ``planning.STOPPED_NOTE`` (not her turning the job down: ``planning.refusals`` does not count them, so
    brought back she may be offered it again), and give their pieces back to their jobs, each job planned
    again once after commit. Their "新派工" messages are marked read: the offers they announced are gone.
    Shares she accepted stay hers: she may have the materials at home. ``actor``: who stopped her, on
    the flow events. Jobs are locked in id order (the planner's order), then her offers of each in one
    statement. Returns the closed offers ([] when none); raises ValidationError while she is still
    active. Idempotent: a second call finds nothing to close."""
    if Worker.objects.filter(pk=worker.pk, active=True).exists():
        raise ValidationError(_("%(w)s 还在岗,她的派工不能收回。") % {"w": worker.name})
    offered = Assignment.objects.filter(worker_id=worker.pk, state=AssignmentState.OFFERED)
    closed = []
    for job_id in sorted(set(offered.values_list("job_id", flat=True))):
        job = lock_job(job_id)
        shares = list(offered.filter(job_id=job_id).select_for_update(of=("self",)).order_by("pk"))
        for assignment in shares:
            move(
                assignment,
                AssignmentState.WITHDRAWN,
                job=job,
                actor=actor,
                note=planning.STOPPED_NOTE,
                responded_at=timezone.now(),
            )
        if shares:
            release(job, sum(a.pieces for a in shares))
        closed.extend(shares)
    # An offer that grew was told by its last message (``offer_jobs``' key); those before are read already.
    notifications_settled(
        dedupe_keys=[k for a in closed for k in offer_message_keys(a.pk, a.pieces)]
    )
    return closed


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
    # Every job's shares together: one UPDATE of the jobs and one INSERT each of offers, events, messages.
    made = offer_jobs(
        [
            (by_id[job_id], [(workers[share.worker_id], share.pieces, share.reasons) for share in shares])
            for job_id, shares in plans.items()
        ]
    )
    _mark_left_unplaced(jobs)
    return made


def _mark_left_unplaced(jobs: Sequence[Job]) -> None:
    """Mark the planned ``jobs`` (locked) whose pieces the plan could not all place (``Job.left_unplaced``),
    and unmark those it placed whole: an UPDATE only for the jobs whose mark changes (none on the beat's
    plans of a job still stuck)."""
    for value in (True, False):
        ids = [job.pk for job in jobs if (job.pieces_unassigned > 0) == value != job.left_unplaced]
        if ids:
            Job.objects.filter(pk__in=ids).update(left_unplaced=value)
            for job in jobs:
                if job.pk in ids:
                    job.left_unplaced = value


@transaction.atomic
def job_plan_offers(*, job: Job | int) -> list[Assignment]:
    """Plan the job's unassigned pieces and offer each share (派工); returns the new offers.

    The plan is ``planning.plan_jobs``: the min-cost-flow optimiser unless ``settings.NUANXIN_PLANNER``
    is ``"first_come"`` (the plain rule).
    Idempotent: with nothing left to assign (or a job past dispatch) it does nothing. Workers who
    declined or let an offer of this job expire are not asked again.
    """
    return _plan_and_offer([lock_job(job)])


@transaction.atomic
def workshop_plan_offers(*, workshop: Workshop | int) -> list[Assignment]:
    """Plan every dispatching job of ``workshop`` with unassigned pieces together (they share the
    workers' time) and offer each share; returns the new offers.

    Locks those jobs in id order (every other service locks one job, so this cannot deadlock with
    them). Idempotent like ``job_plan_offers``: once every piece is offered it does nothing, so a burst
    of accepted jobs is planned by the first call and the rest return [] at the cost of one query.
    """
    ws_id = workshop.pk if isinstance(workshop, Workshop) else workshop
    return _plan_and_offer(_lock_to_offer(ws_id))


@transaction.atomic
def job_workshop_plan_offers(*, job: int) -> list[Assignment]:
    """``workshop_plan_offers`` for the workshop of ``job`` (an id), when ``job`` itself still has pieces to
    offer (``TO_OFFER``); [] otherwise, as for the later jobs of a burst that the first one's planning
    offered. The job's check is a subquery of the statement that finds and locks the workshop's jobs (a
    read of its own before, outside the transaction)."""
    return _plan_and_offer(
        _lock_to_offer(Subquery(Job.objects.filter(TO_OFFER, pk=job).values("workshop_id")))
    )


def _lock_to_offer(workshop_id) -> list[Job]:
    """The workshop's jobs with pieces to offer, locked in id order (``workshop_id``: an id, or a subquery
    giving one; none when it gives none)."""
    return list(
        Job.objects.select_for_update(of=("self",))
        .select_related("line", "line__firm", "workshop")
        .filter(TO_OFFER, workshop_id=workshop_id)
        .order_by("pk")
    )


@transaction.atomic
def work_report(*, actor, assignment: Assignment | int, pieces: int, key: str) -> tuple[WorkReport, bool]:
    """Report ``pieces`` (int > 0) done on an accepted assignment (报工); returns (report, created).

    Idempotent on ``key``: a second report with the same key (double tap, retry) returns the first and
    counts nothing; the same key with another count is refused (ValidationError), the first kept. Never
    more than the pieces still to do. When the last piece is reported the assignment is done; when it was
    the job's last open share, the job is completed (ready to hand over, the head told) in the same
    transaction.
    Locks the job row, then the assignment row (the module's lock order). Raises PermissionDenied (neither
    the worker nor her head), IllegalTransition unless the assignment is accepted, ValidationError.
    """
    pieces = positive_int(pieces, "pieces")
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("报工缺少有效的提交编号,请刷新页面后重试。"))
    job, assignment = lock_assignment(assignment)
    assignment.job = job
    if actor is None or (assignment.worker.user_id != actor.pk and not is_head_of(actor, job.workshop_id)):
        raise PermissionDenied(_("只能给自己的派工报工。"))
    # The report is written first, once per key, in one statement (``insert_once``; a read of the key came
    # first before): a key used already writes nothing and returns its report. Any refusal below rolls
    # the new report back with the rest of the transaction.
    report = WorkReport(assignment=assignment, pieces=pieces, key=key, reported_by=actor)
    if not insert_once(report, key="key"):
        existing = WorkReport.objects.get(key=key)
        if existing.assignment_id != assignment.pk:
            raise ValidationError(_("提交编号重复,请刷新页面后重试。"))
        if existing.pieces != pieces:
            # The same form sent again with another count (back, a changed figure, send): not a retry.
            # The first count stands and she is told so, with the way to change it.
            n = existing.pieces
            raise ValidationError(
                {
                    "pieces": ngettext(
                        "这一次已经报过 %(n)d 件了,没有改动。数错了请先撤销,再重新报。",
                        "这一次已经报过 %(n)d 件了,没有改动。数错了请先撤销,再重新报。",
                        n,
                    )
                    % {"n": n}
                }
            )
        return existing, False
    if assignment.state != AssignmentState.ACCEPTED:
        # Reporting moves an assignment towards done; only an accepted one may go there.
        raise IllegalTransition(_("派工"), assignment.state, AssignmentState.DONE)
    if pieces > assignment.pieces_to_do:
        raise ValidationError({"pieces": _("最多还能报 %(n)d 件。") % {"n": assignment.pieces_to_do}})
    # The report that finishes the share also moves it to done in the same compare-and-swap (accepted →
    # done, through the transitions map; its flow event is written below, as ``move`` writes it): one
    # UPDATE where the count and the move were two.
    finishing = assignment.pieces_reported + pieces == assignment.pieces
    done = {}
    if finishing:
        check_transition(ASSIGNMENT_TRANSITIONS, _("派工"), assignment.state, AssignmentState.DONE)
        done = {"state": AssignmentState.DONE, "done_at": timezone.now()}
    grown = Assignment.objects.filter(
        pk=assignment.pk, state=AssignmentState.ACCEPTED, pieces_reported__lte=F("pieces") - pieces
    ).update(pieces_reported=F("pieces_reported") + pieces, **done)
    if grown != 1:
        raise ValidationError({"pieces": _("报工件数超过派工件数。")})
    assignment.pieces_reported += pieces
    flowdays.job_add(job, at=report.at, reported=pieces)
    # Every made piece used its parts, whether it passes or not (refused here when they are not there).
    # The bill is read once for both the consumption and the loss check below.
    bom = list(BomLine.objects.filter(job_id=job.pk).order_by("id"))
    consume_for_report(
        report=report,
        assignment=assignment,
        job=job,
        pieces_before=assignment.pieces_reported - pieces,
        lines=bom,
    )
    if finishing:
        assignment.state, assignment.done_at = done["state"], done["done_at"]
        event(
            assignment,
            job=assignment.job,
            from_state=AssignmentState.ACCEPTED,
            to_state=AssignmentState.DONE,
            actor=actor,
        )
        rollups.share_done(assignment)
        # Her share is done: what she still holds above the allowed loss is flagged to the head.
        if bom:
            material_loss_flag(job=job, worker=assignment.worker)
        # Only the job's last open share finishes it (the job row is locked, so of two last reports
        # racing, the second sees the first); it completes the job here, in this transaction: one read
        # for the check and the head's message, and no follow-up task (the sweep still finishes a job
        # whose work was left done another way).
        tally = work_tally(job, for_message=True)
        if job.state == JobState.IN_PROGRESS and job_work_done(job, tally):
            complete_locked(job, tally)
    return report, True
