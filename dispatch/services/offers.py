"""Offers to workers (派工), planned or the head's: ``offer_jobs`` makes them, a plan's shares together, and
keeps one open offer of a job per worker (more of it offered to her grows the one she has).

Runs inside the caller's transaction, the jobs locked by the caller; the offers are locked after them
(the flow's lock order: the job row first, then its assignments).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notices.models import NotificationKind
from notices.services import notifications_settled, notify_many
from workshop.dates import local_midnight
from workshop.models import Worker, WorkPlace

from ..models import (
    DISPATCHING_STATES,
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeliveryMode,
    IllegalTransition,
    Job,
    JobState,
)
from .common import events, lock_job, positive_int


@transaction.atomic
def assignment_offer(
    *, job: Job, worker: Worker, pieces: int, reasons: str = "", actor=None, due_on: dt.date | None = None
) -> Assignment:
    """Offer ``pieces`` (int > 0) of ``job`` to ``worker`` (派工), expiring after the offer TTL.

    The job's ``pieces_assigned`` grows by a conditional update that the database also bounds by the
    quantity, so concurrent offers can never assign more than the job holds. Raises ValidationError when
    fewer pieces remain, IllegalTransition when the job is not accepted or in progress.
    """
    return offer(lock_job(job), worker, pieces, reasons=reasons, actor=actor, due_on=due_on)


def offer(
    job: Job, worker: Worker, pieces: int, *, reasons: str = "", actor=None, due_on: dt.date | None = None
) -> Assignment:
    """``assignment_offer`` on a job row the caller has locked, inside the caller's transaction."""
    return offer_many(job, [(worker, pieces, reasons)], actor=actor, due_on=due_on)[0]


def offer_many(
    job: Job,
    shares: Sequence[tuple[Worker, int, str]],
    *,
    actor=None,
    due_on: dt.date | None = None,
) -> list[Assignment]:
    """Offer ``job`` (locked by the caller) in ``shares`` of (worker, pieces as int > 0, the planner's
    reasons), inside the caller's transaction: ``offer_jobs`` of one job."""
    return offer_jobs([(job, shares)], actor=actor, due_on=due_on)


# The flow event of an offer grown by more of its job (``offer_jobs``): the pieces added, and its total.
GROWN_NOTE = gettext_noop("加派 %(a)d 件,共 %(n)d 件")
REASONS_JOINED = " · "  # as ``dispatch.templatetags.stored_words`` splits a note's words

# However close the due date, she has this long to answer an offer.
MIN_REPLY = dt.timedelta(hours=1)


def reply_by(now: dt.datetime, ttl_end: dt.datetime, due_on: dt.date) -> dt.datetime:
    """When an offer made at ``now`` expires: ``ttl_end`` (``NUANXIN_OFFER_TTL_HOURS`` on), but no later
    than the last minute of its due day (Asia/Shanghai: "今天 23:59", not "tomorrow 00:00", which the next
    trial read as past the due date), and no sooner than an hour on. Found in a trial: a share due today
    said "please reply by tomorrow 14:17"."""
    last_minute = local_midnight(due_on + dt.timedelta(days=1)) - dt.timedelta(minutes=1)
    return max(min(ttl_end, last_minute), now + MIN_REPLY)


def offer_message_keys(pk: int, pieces: int) -> tuple[str, str]:
    """The dedupe keys of offer ``pk``'s messages when it held ``pieces``: the first offer's and its
    growth's (``OFFER_GROWN``); what marks them read when the offer is answered, grown or closed."""
    return f"offer:{pk}", f"offer:{pk}:{pieces}"


def offer_jobs(
    plans: Sequence[tuple[Job, Sequence[tuple[Worker, int, str]]]],
    *,
    actor=None,
    due_on: dt.date | None = None,
) -> list[Assignment]:
    """Offer each of ``plans``' jobs (locked by the caller) in its shares of (worker, pieces as int > 0, the
    planner's reasons), inside the caller's transaction. What one offer costs, the shares of a whole plan
    cost together: one conditional UPDATE of the jobs (each bounded by its quantity), one read of the
    workers' open offers of those jobs (locked), one INSERT each of the offers, their ``offered`` flow
    events and the workers' messages.

    A worker has at most one open offer (offered, first round) of a job: a share for a worker whose offer
    of the job (with the same due date) waits for her answer grows that offer instead (its pieces, and
    its deadline to what a new offer's would be), with one UPDATE of those offers, a flow event that keeps
    its state (``GROWN_NOTE``: how many were added, the total) and an ``OFFER_GROWN`` message saying the
    new total, keyed ``offer:<id>:<total>``; the messages of the offer before are marked read, so the one
    waiting for her says the number she answers. Returns the offers, one per share (a grown offer with its
    new pieces), job by job in the order given. Raises what ``assignment_offer`` raises, before anything
    is written (but the jobs' pieces, which the transaction's rollback restores)."""
    plans = [
        (job, [(worker, positive_int(pieces, "pieces"), reasons) for worker, pieces, reasons in shares])
        for job, shares in plans
        if shares
    ]
    if not plans:
        return []
    for job, shares in plans:
        if job.state not in DISPATCHING_STATES:
            raise IllegalTransition(_("外发单"), job.state, JobState.IN_PROGRESS)
        for worker, _pieces, _reasons in shares:
            if worker.workshop_id != job.workshop_id or not worker.active:
                raise ValidationError(_("该坊工不属于此工坊或已停用。"))
    totals = {job.pk: sum(pieces for _worker, pieces, _reasons in shares) for job, shares in plans}
    if len(totals) != len(plans):
        raise ValueError("a job may come once in a plan")
    # Each job its own count, in one statement for all of them, each bounded by its quantity.
    adds = Case(*(When(pk=pk, then=Value(n)) for pk, n in totals.items()), output_field=IntegerField())
    grown = Job.objects.filter(pk__in=list(totals), pieces_assigned__lte=F("quantity") - adds).update(
        pieces_assigned=F("pieces_assigned") + adds
    )
    if grown != len(totals):  # the jobs are locked: a job short of pieces is what refused the update
        for job, _shares in plans:
            job.refresh_from_db(fields=["pieces_assigned"])
        short = next(job for job, _shares in plans if job.pieces_unassigned < totals[job.pk])
        raise ValidationError(_("外发单只剩 %(n)d 件可派。") % {"n": short.pieces_unassigned})
    for job, _shares in plans:
        job.pieces_assigned += totals[job.pk]
    now = timezone.now()
    expires = now + dt.timedelta(hours=settings.NUANXIN_OFFER_TTL_HOURS)
    offered = [(job, worker, pieces, reasons) for job, shares in plans for worker, pieces, reasons in shares]
    waiting = _open_offers(offered, due_on=due_on)
    made: list[Assignment] = []  # one per share, in the order given
    new: dict[tuple, tuple[Assignment, str]] = {}  # (job, worker, due date) → (a new offer, reasons)
    added_to: dict[int, tuple[Assignment, int, str]] = {}  # pk → (the offer, its pieces before, reasons)
    for job, worker, pieces, reasons in offered:
        due = due_on or job.due_on
        key = (job.pk, worker.pk, due)
        answer_by = reply_by(now, expires, due)
        a = waiting.get(key) or new.get(key, (None, ""))[0]
        if a is None:
            a = Assignment(
                job=job,
                worker=worker,
                pieces=pieces,
                due_on=due,
                delivery=DeliveryMode.HOME if worker.work_place == WorkPlace.HOME else DeliveryMode.PICKUP,
                reasons=reasons[:200],
                expires_at=answer_by,
            )
            new[key] = (a, reasons)
        else:
            if a.pk is not None:
                added_to.setdefault(a.pk, (a, a.pieces, reasons))
            a.pieces += pieces
            # She answers the whole offer: as long as a new one of its pieces would have.
            a.expires_at = max(a.expires_at or answer_by, answer_by)
        made.append(a)
    Assignment.objects.bulk_create([a for a, _reasons in new.values()])
    if added_to:
        rows = [a for a, _before, _reasons in added_to.values()]
        Assignment.objects.filter(pk__in=[a.pk for a in rows]).update(
            pieces=Case(*(When(pk=a.pk, then=Value(a.pieces)) for a in rows)),
            expires_at=Case(*(When(pk=a.pk, then=Value(a.expires_at)) for a in rows)),
        )
        # What told her of the offer before no longer waits as new: the message below says its total.
        notifications_settled(
            dedupe_keys=[
                k for a, before, _r in added_to.values() for k in offer_message_keys(a.pk, before)
            ]
        )
    events(
        [(a, "", AssignmentState.OFFERED, reasons, a.job) for a, reasons in new.values()]
        + [
            (
                a,
                AssignmentState.OFFERED,
                AssignmentState.OFFERED,
                REASONS_JOINED.join(
                    w for w in (GROWN_NOTE % {"a": a.pieces - before, "n": a.pieces}, reasons) if w
                ),
                a.job,
            )
            for a, before, reasons in added_to.values()
        ],
        actor=actor,
    )
    notify_many(
        [
            {
                "recipient": a.worker.user,
                "kind": NotificationKind.OFFER,
                "params": {"t": a.job.title, "n": a.pieces, "r": str(a.job.worker_rate)},
                "link": f"/m/a/{a.pk}/",
                "dedupe_key": f"offer:{a.pk}",
            }
            for a, _reasons in new.values()
        ]
        + [
            {
                "recipient": a.worker.user,
                "kind": NotificationKind.OFFER_GROWN,
                "params": {
                    "t": a.job.title,
                    "a": a.pieces - before,
                    "n": a.pieces,
                    "r": str(a.job.worker_rate),
                },
                "link": f"/m/a/{a.pk}/",
                "dedupe_key": f"offer:{a.pk}:{a.pieces}",
            }
            for a, before, _reasons in added_to.values()
        ]
    )
    return made


def _open_offers(offered, *, due_on: dt.date | None) -> dict[tuple, Assignment]:
    """The open offers (offered, first round) that the shares ``offered`` ((job, worker, pieces, reasons);
    the jobs locked by the caller) would add to: ``{(job id, worker id, due date): offer}``, locked (after
    their jobs: the module's lock order), the worker and job set on each from ``offered``. One query. A
    worker has one open offer of a job: more of it offered to her grows that offer (a trial: after three
    take-backs she had three offers of one job, each with its own buttons and deadline)."""
    due = {(job.pk, worker.pk): (due_on or job.due_on, job, worker) for job, worker, _p, _r in offered}
    out: dict[tuple, Assignment] = {}
    for a in (
        Assignment.objects.select_for_update(of=("self",))
        .filter(
            job_id__in={job_id for job_id, _w in due},
            worker_id__in={worker_id for _j, worker_id in due},
            state=AssignmentState.OFFERED,
            kind=AssignmentKind.FIRST,
        )
        .order_by("pk")
    ):
        wanted = due.get((a.job_id, a.worker_id))
        if wanted is not None and wanted[0] == a.due_on:
            a.job, a.worker = wanted[1], wanted[2]
            out.setdefault((a.job_id, a.worker_id, a.due_on), a)
    return out
