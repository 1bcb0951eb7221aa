"""Bundle tickets' writes: the head prints (and reprints) a share's tickets, the worker reports a bundle in
one tap, the firm's inspector records a verdict per bundle and submits them as the job's inspection.

Every service runs in ``transaction.atomic`` and takes the flow's locks in the flow's order: the job row,
then the assignment row(s) (``dispatch.services.lock_job`` / ``lock_assignment``), then the ticket rows
(``select_for_update``). Ticket states move by compare-and-swap updates (``filter(state=old).update``)
under those locks, so two scans, two reprints or a scan racing a reprint cannot both win.

Errors: ``django.core.exceptions.ValidationError`` (bad input or a ticket that cannot be used, in the
user's language), ``PermissionDenied`` (wrong actor), ``dispatch.models.IllegalTransition`` (the job or
the assignment is not where the move needs it).
"""

from __future__ import annotations

import secrets
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import services as flow
from dispatch.models import (
    JOB_TRANSITIONS,
    Assignment,
    AssignmentState,
    IllegalTransition,
    Inspection,
    Job,
    JobState,
    check_transition,
)
from workshop.roles import scope_for

from .models import BundleTicket, TicketState
from .selectors import latest_run, with_shown_state


def new_token() -> str:
    """A ticket's QR key: 16 URL-safe characters from 12 random bytes (96 bits), never the primary key."""
    return secrets.token_urlsafe(12)


def bundle_sizes(pieces: int, size: int) -> list[int]:
    """``pieces`` split into bundles of ``size`` (ints > 0); the last bundle holds the remainder."""
    if pieces <= 0 or size <= 0:
        return []
    full, rest = divmod(pieces, size)
    return [size] * full + ([rest] if rest else [])


def _open_tickets(assignment: Assignment) -> list[BundleTicket]:
    """The share's open tickets, locked, by run and number; those the share's reports without a ticket
    cover (``with_shown_state``) have ``shown_state`` reported."""
    return list(
        with_shown_state(BundleTicket.objects.select_for_update(of=("self",)))
        .filter(assignment=assignment, state=TicketState.OPEN)
        .order_by("run", "number")
    )


def _shown_open(tickets: list[BundleTicket]) -> list[BundleTicket]:
    return [t for t in tickets if t.shown_state == TicketState.OPEN]


def _check_printable(actor, job: Job, assignment: Assignment) -> None:
    flow.check_head(actor, job)
    if assignment.state != AssignmentState.ACCEPTED:
        raise ValidationError(_("只有坊工已接下、还在做的派工可以打印扎票。"))
    if assignment.pieces_to_do <= 0:
        raise ValidationError(_("这份派工已经全部报工,不用再打印扎票。"))


def _print_run(actor, job: Job, assignment: Assignment, run: int) -> list[BundleTicket]:
    sizes = bundle_sizes(assignment.pieces_to_do, job.bundle_size)
    tickets = [
        BundleTicket(
            token=new_token(),
            job=job,
            assignment=assignment,
            run=run,
            number=i,
            count=len(sizes),
            pieces=n,
            printed_by=actor,
        )
        for i, n in enumerate(sizes, start=1)
    ]
    BundleTicket.objects.bulk_create(tickets)
    return list(BundleTicket.objects.filter(assignment=assignment, run=run).order_by("number"))


@transaction.atomic
def tickets_print(*, actor, assignment: Assignment | int) -> list[BundleTicket]:
    """Print a share's bundle tickets (扎票): one per ``job.bundle_size`` pieces still to do, the last
    bundle holding the remainder; returns the open tickets, by number.

    Idempotent: when the share already has tickets shown open (``with_shown_state``) they are returned
    unchanged (printing the sheet again prints the same codes). Only the head of the job's workshop; the
    assignment must be accepted (a rework share starts accepted) with pieces still to do. Locks the job,
    then the assignment. Raises PermissionDenied (not the head), ValidationError (not accepted, nothing
    left to do).
    """
    job, assignment = flow.lock_assignment(assignment)
    _check_printable(actor, job, assignment)
    existing = _shown_open(_open_tickets(assignment))
    if existing:
        return existing
    return _print_run(actor, job, assignment, latest_run(assignment) + 1)


@transaction.atomic
def tickets_reprint(*, actor, assignment: Assignment | int, run: int) -> list[BundleTicket]:
    """Reprint a share's tickets: void its tickets shown open (``with_shown_state``: the head's page
    counts them as 待报工) and print new ones for the pieces still to do as the next run; reported
    tickets stay as they are, and so do open ones that reports without a ticket cover (shown reported,
    and still so after the reprint). Returns the tickets shown open.

    ``run`` is the run the head saw (compare-and-swap): when the share has been reprinted meanwhile (a
    double click, a second head's tab), nothing is voided and the current open tickets are returned. A
    scan of a voided ticket is refused from then on. Locks the job, the assignment, then its open tickets.
    Raises PermissionDenied (not the head), ValidationError (not accepted, nothing left to do).
    """
    job, assignment = flow.lock_assignment(assignment)
    _check_printable(actor, job, assignment)
    open_now = _shown_open(_open_tickets(assignment))
    current = latest_run(assignment)
    if int(run) != current:
        return open_now
    BundleTicket.objects.filter(pk__in=[t.pk for t in open_now], state=TicketState.OPEN).update(
        state=TicketState.VOID, voided_at=timezone.now()
    )
    return _print_run(actor, job, assignment, current + 1)


def tickets_void_to_do(assignment: Assignment) -> int:
    """Void the share's tickets shown open (``with_shown_state``: the pieces still to do), inside the
    caller's transaction, the job and the share locked first (``flow.lock_assignment``): what the head
    takes back of a share (收回剩余) is no bundle to scan any more, and a ticket left open would read
    "already reported" once the share is cut to its reports. Returns how many were voided."""
    to_void = [t.pk for t in _shown_open(_open_tickets(assignment))]
    return BundleTicket.objects.filter(pk__in=to_void, state=TicketState.OPEN).update(
        state=TicketState.VOID, voided_at=timezone.now()
    )


@transaction.atomic
def ticket_report(*, actor, ticket: BundleTicket | int) -> tuple[BundleTicket, bool]:
    """The worker reports a bundle done in one tap (报工 by 扎票); returns (ticket, counted).

    The report is the flow's ``work_report`` for the ticket's ``pieces_left`` (``with_shown_state``: its
    pieces less those her reports without a ticket already cover, so a bundle they cover in part reports
    only the rest) with the key ``bundle:<ticket id>``; the ticket then links that report (one-to-one:
    the database allows one report per ticket). A second scan or a double tap of a reported ticket
    counts nothing and returns (ticket, False). Locks the job, the assignment, then the ticket, so a scan
    racing a reprint or another scan waits for it.

    Raises PermissionDenied (not the ticket's worker), ValidationError (a void ticket; an open ticket
    shown reported, ``with_shown_state``: the pieces her reports without a ticket already cover it, and
    counting it would count them twice), IllegalTransition (the share is not accepted any more).
    """
    pk = ticket.pk if isinstance(ticket, BundleTicket) else ticket
    assignment_id = BundleTicket.objects.values_list("assignment_id", flat=True).get(pk=pk)
    job, assignment = flow.lock_assignment(assignment_id)
    # Under the assignment's lock its reported pieces cannot move, so the shown state read here holds.
    ticket = with_shown_state(BundleTicket.objects.select_for_update(of=("self",))).get(pk=pk)
    if actor is None or assignment.worker.user_id != actor.pk:
        raise PermissionDenied(_("这张扎票不是您的,不能报工。"))
    if ticket.state == TicketState.REPORTED:
        return ticket, False
    if ticket.state == TicketState.VOID and assignment.pieces_taken_back:
        # Voided when the head took the rest back (``tickets_void_to_do``): there is no new ticket to use.
        raise ValidationError(_("坊长收回了这一扎,这张扎票已经作废,不用再做了。"))
    if ticket.state == TicketState.VOID:
        raise ValidationError(_("这张扎票已经作废了(坊长重新打印过),请用新的扎票。"))
    if ticket.shown_state == TicketState.REPORTED:
        raise ValidationError(_("这一扎的件数您之前已经报过了,已经算上,不用再报工。"))
    report, _created = flow.work_report(
        actor=actor, assignment=assignment, pieces=ticket.pieces_left, key=f"bundle:{ticket.pk}"
    )
    now = timezone.now()
    changed = BundleTicket.objects.filter(pk=ticket.pk, state=TicketState.OPEN, report__isnull=True).update(
        state=TicketState.REPORTED, report=report, reported_at=now
    )
    if changed != 1:  # cannot happen under the ticket's lock; the one-to-one would refuse it anyway
        raise IllegalTransition(_("扎票"), ticket.state, TicketState.REPORTED)
    ticket.state, ticket.report, ticket.reported_at = TicketState.REPORTED, report, now
    ticket.shown_state, ticket.pieces_left = TicketState.REPORTED, 0
    return ticket, True


def _count(value, field: str) -> int:
    if isinstance(value, bool):
        raise ValidationError({field: _("请填写不小于0的整数件数。")})
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("请填写不小于0的整数件数。")}) from None
    if n < 0:
        raise ValidationError({field: _("请填写不小于0的整数件数。")})
    return n


def _check_inspector(actor, job: Job) -> None:
    flow.check_firm_staff(actor, job)
    check_transition(JOB_TRANSITIONS, _("外发单"), job.state, JobState.INSPECTED)


@transaction.atomic
def bundle_verdict_record(
    *, actor, job: Job | int, token: str, passed, rejected, rework=0, reason: str = ""
) -> BundleTicket:
    """The firm's inspector records one bundle's verdict (按扎验收), found by its scanned ``token``.

    ``passed`` + ``rejected`` must equal the bundle's pieces; ``rework`` (of the rejected) go back to
    the same worker after the inspection is submitted. A verdict can be recorded again, replacing the
    last, until the inspection is submitted. Only staff of the job's firm, only while the job is being
    inspected, only a reported bundle of a share waiting for inspection. Locks the job, then the ticket.
    Raises PermissionDenied, IllegalTransition (the job is not being inspected), ValidationError.
    """
    job = flow.lock_job(job)
    _check_inspector(actor, job)
    ticket = (
        BundleTicket.objects.select_for_update(of=("self",))
        .select_related("assignment")
        .filter(job=job, token=(token or "").strip())
        .first()
    )
    if ticket is None:
        raise ValidationError(_("找不到这张扎票,或者它不是这张外发单的。"))
    if ticket.state == TicketState.VOID:
        raise ValidationError(_("这张扎票已经作废,请扫新打印的扎票。"))
    if ticket.state != TicketState.REPORTED:
        raise ValidationError(_("这一扎还没有报工,不能验收。"))
    if ticket.inspection_result_id is not None:
        raise ValidationError(_("这一扎已经验收提交过了,不能再改。"))
    a = ticket.assignment
    if a.state != AssignmentState.DONE or a.pieces_to_inspect <= 0:
        raise ValidationError(_("这一扎所在的派工现在不等验收。"))
    passed, rejected = _count(passed, "passed"), _count(rejected, "rejected")
    rework = _count(rework, "rework")
    if passed + rejected != ticket.pieces or rework > rejected:
        raise ValidationError(
            _("这一扎有 %(n)d 件:合格 + 不合格要等于 %(n)d,返工不能多于不合格。") % {"n": ticket.pieces}
        )
    now = timezone.now()
    BundleTicket.objects.filter(pk=ticket.pk, inspection_result__isnull=True).update(
        pieces_passed=passed,
        pieces_rejected=rejected,
        pieces_rework=rework,
        reason=(reason or "").strip()[:200] if rejected else "",
        inspected_by=actor,
        inspected_at=now,
    )
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def bundle_inspection_submit(*, actor, job: Job | int, notes: str = "") -> Inspection:
    """Submit the per-bundle verdicts as the job's inspection (质检): per assignment, the sums of its
    bundles' passed, rejected and rework pieces go to ``dispatch.services.job_inspect``, and each bundle
    links the inspection result it went into (and so its pay line and rework assignment once booked).

    Every reported bundle of the shares waiting for inspection needs a verdict, and each such share must
    be covered by its bundles exactly (pieces reported without a ticket are inspected per share on the
    ordinary inspection page). Locks the job, its assignments (in ``job_inspect``), then the tickets.
    Raises PermissionDenied, IllegalTransition, ValidationError (a bundle without a verdict, a share not
    covered by its bundles, nothing to inspect by bundle).
    """
    job = flow.lock_job(job)
    _check_inspector(actor, job)
    pending = {
        a.pk: a
        for a in Assignment.objects.select_for_update(of=("self",))
        .select_related("worker")
        .filter(job=job, state=AssignmentState.DONE)
        .order_by("pk")
        if a.pieces_to_inspect > 0
    }
    tickets = list(
        BundleTicket.objects.select_for_update()
        .filter(assignment_id__in=pending, state=TicketState.REPORTED, inspection_result__isnull=True)
        .order_by("assignment_id", "run", "number")
    )
    if not tickets:
        raise ValidationError(_("这张外发单没有按扎票报工的件数,请逐个派工验收。"))
    missing = [t for t in tickets if not t.has_verdict]
    if missing:
        raise ValidationError(_("还有 %(n)d 扎没有验收结果,请扫完再提交。") % {"n": len(missing)})
    by_assignment: dict[int, list[BundleTicket]] = defaultdict(list)
    for t in tickets:
        by_assignment[t.assignment_id].append(t)
    results = []
    for a_id, a in pending.items():
        bundles = by_assignment.get(a_id, [])
        covered = sum(t.pieces for t in bundles)
        if covered != a.pieces_to_inspect:
            raise ValidationError(
                _("%(w)s 送检 %(n)d 件,扎票只记了 %(m)d 件:请在“验收”页逐个派工验收。")
                % {"w": scope_for(actor).worker_label(a.worker), "n": a.pieces_to_inspect, "m": covered}
            )
        reasons = list(dict.fromkeys(t.reason for t in bundles if t.pieces_rejected and t.reason))
        results.append(
            flow.ResultInput(
                assignment_id=a_id,
                passed=sum(t.pieces_passed for t in bundles),
                rejected=sum(t.pieces_rejected for t in bundles),
                rework=sum(t.pieces_rework for t in bundles),
                reason="; ".join(reasons)[:200],
            )
        )
    inspection = flow.job_inspect(actor=actor, job=job, results=results, notes=notes)
    for result in inspection.results.all():
        BundleTicket.objects.filter(
            pk__in=[t.pk for t in by_assignment[result.assignment_id]], inspection_result__isnull=True
        ).update(inspection_result=result)
    return inspection
