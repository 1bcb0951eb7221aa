"""The job's moves: the firm issues or cancels, the workshop accepts or declines, the finished job is handed
over to the firm (交货) and counted in by it (点收), and a job whose pay is booked is settled (结算).

Each service runs in ``transaction.atomic``, locks the job row first (``common.lock_job``), moves its state
through the transitions map with a compare-and-swap (``common.move``, which writes the ``FlowEvent``), and
queues follow-up work only after commit (``followups.later``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from materials.services import BomInput, bom_lines_create
from notices.models import NotificationKind
from notices.services import notify, notify_many
from pay import money
from workshop.models import Pairing, ProductionLine, Workshop
from workshop.roles import scope_for

from .. import flowdays, followups
from ..models import (
    HOLDING_STATES,
    Assignment,
    AssignmentKind,
    AssignmentState,
    FlowEvent,
    Inspection,
    InspectionResult,
    Job,
    JobState,
)
from .common import (
    check_firm_staff,
    check_head,
    check_party,
    event,
    lock_job,
    move,
    notify_firm,
    positive_int,
    workshop_of,
)


def max_piece_rate() -> Decimal:
    """The highest piece rate a job may be issued at (yuan a piece, ``NUANXIN_MAX_PIECE_RATE``)."""
    return Decimal(settings.NUANXIN_MAX_PIECE_RATE)


def rate_too_high() -> str:
    """What a clerk is told of a piece rate above ``max_piece_rate`` (the form and the service)."""
    return _(
        "单价最多 %(n)s 元/件。这么高多半是输错了(比如把 1.00 输成了 100);确实更高,请社区管理员调高上限。"
    ) % {"n": max_piece_rate()}


# A job is a lot a workshop can take in one go; anything larger is a typo or several jobs.
MAX_JOB_PIECES = 1_000_000
# Pieces in one bundle (扎) and so on one bundle ticket: a bundle is what one pair of hands carries.
DEFAULT_BUNDLE_SIZE = 50
MAX_BUNDLE_SIZE = 10_000


def _today() -> dt.date:
    return timezone.localdate()


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
    bom: Sequence[BomInput] = (),
    bundle_size: int = DEFAULT_BUNDLE_SIZE,
) -> Job:
    """A firm issues a job (企业分发) to a paired workshop, with an optional sample ``photo`` (an uploaded
    image; stored only when the job is).

    ``quantity`` is pieces (int > 0, at most ``MAX_JOB_PIECES``); ``piece_rate`` yuan per piece (Decimal,
    ≤ 4 places, > 0, at most ``max_piece_rate``); ``due_on`` an Asia/Shanghai date, today or later;
    ``bom``: the materials the firm supplies per piece (``materials.services.BomInput``; 来料清单);
    ``bundle_size`` the pieces per bundle ticket (扎票, int > 0, at most ``MAX_BUNDLE_SIZE``). The line
    must be in an active pairing with ``workshop``; the pairing's
    operator fee is taken as the job's ``operator_fee_per_piece`` now (``money.operator_fee_per_piece``),
    and a fee that leaves the worker nothing is refused.
    Raises PermissionDenied (actor is not the line's firm staff) or ValidationError. After commit, the
    ``on_job_issued`` task notifies the head and applies the pairing's auto-accept rule, and with a photo
    ``make_job_photo_copy`` makes its phone-sized copy.
    """
    check_firm_staff(actor, line)
    quantity = positive_int(quantity, "quantity")
    if quantity > MAX_JOB_PIECES:
        raise ValidationError(
            {"quantity": _("一张外发单最多 %(n)s 件,请分成几张单。") % {"n": f"{MAX_JOB_PIECES:,}"}}
        )
    bundle_size = positive_int(bundle_size, "bundle_size")
    if bundle_size > MAX_BUNDLE_SIZE:
        raise ValidationError({"bundle_size": _("每扎最多 %(n)s 件。") % {"n": f"{MAX_BUNDLE_SIZE:,}"}})
    try:
        rate = Decimal(str(piece_rate))
    except InvalidOperation:
        raise ValidationError({"piece_rate": _("请输入正确的单价。")}) from None
    if rate.is_finite() and rate > max_piece_rate():
        raise ValidationError({"piece_rate": rate_too_high()})
    # (Quantized only once bounded: a rate of 30 digits does not fit the decimal context.)
    if not rate.is_finite() or rate <= 0 or rate != rate.quantize(money.RATE_PLACES):
        raise ValidationError({"piece_rate": _("单价必须大于0,最多4位小数。")})
    if due_on < _today():
        raise ValidationError({"due_on": _("交货日期不能早于今天。")})
    pairing = Pairing.objects.filter(firm_id=line.firm_id, workshop=workshop, active=True, lines=line).first()
    if pairing is None:
        raise ValidationError({"line": _("该生产线尚未与此工坊结对。")})
    fee = money.operator_fee_per_piece(rate, kind=pairing.operator_fee_kind, value=pairing.operator_fee_value)
    if fee >= rate:
        raise ValidationError(
            {"piece_rate": _("单价扣除工坊运营服务费后,坊工每件所得不大于0;请提高单价或联系社区管理员。")}
        )
    job = Job(
        workshop=workshop,
        line=line,
        title=title,
        process_kind=process_kind or line.process_kind,
        quantity=quantity,
        piece_rate=rate,
        operator_fee_per_piece=fee,
        due_on=due_on,
        instructions=instructions,
        bundle_size=bundle_size,
        issued_by=actor,
    )
    # Field checks only: the foreign keys are objects in hand, and the database constraints (quantity > 0,
    # rate > 0) were checked above in words and are enforced by the database again on save.
    job.full_clean(exclude=["workshop", "line", "issued_by"], validate_constraints=False)
    job.save()
    if photo is not None:
        job.photo.save(photo.name, photo, save=False)
        Job.objects.filter(pk=job.pk).update(photo=job.photo.name)
        followups.later(followups.MAKE_JOB_PHOTO_COPY, job.pk)
    bom_lines_create(job=job, lines=bom)
    event(job, job=job, from_state="", to_state=JobState.ISSUED, actor=actor)
    followups.soon(followups.ON_JOB_ISSUED, job.pk)  # the sweep finds an issued job left
    return job


@transaction.atomic
def job_accept(*, actor, job: Job | int, note: str = "", by_rule: Pairing | None = None) -> Job:
    """The workshop takes the job (工坊接单). ``actor`` is the head, or None for the system: then
    ``by_rule`` is the pairing whose auto-accept rule took the job, and the job keeps that rule's terms
    as they were (``Job.auto_accept_rule``), so the head's pages can say which rule took it.

    After commit, ``plan_job_offers`` splits the job and offers the shares. Raises PermissionDenied,
    IllegalTransition.
    """
    job = lock_job(job)
    check_head(actor, job, system=True)
    if by_rule is not None and actor is not None:
        raise PermissionDenied(_("只有自动接单规则按规则接单。"))
    terms = {"auto_accept_rule": by_rule.auto_accept_terms()} if by_rule is not None else {}
    move(job, JobState.ACCEPTED, job=job, actor=actor, note=note, **terms)
    followups.later(followups.PLAN_JOB_OFFERS, job.pk)
    notify_firm(
        job,
        kind=NotificationKind.JOB_ACCEPTED,
        params={"w": workshop_of(job).name, "t": job.title},
        key=f"accepted:{job.pk}",
    )
    return job


@transaction.atomic
def job_decline(*, actor, job: Job | int, reason: str = "") -> Job:
    """The head turns the job down (拒单), with a reason the firm sees. Raises PermissionDenied (not the
    head; ``actor=None`` too), IllegalTransition."""
    job = lock_job(job)
    check_head(actor, job)  # no rule declines for the workshop: a person always does
    move(job, JobState.DECLINED, job=job, actor=actor, note=reason)
    notify_firm(
        job,
        kind=NotificationKind.JOB_DECLINED,
        params={"w": workshop_of(job).name, "t": job.title},
        key=f"declined:{job.pk}",
    )
    return job


@transaction.atomic
def job_cancel(*, actor, job: Job | int, reason: str = "") -> Job:
    """The firm withdraws a job before work starts (issued or accepted); open offers expire with it. The
    workshop's head is told (``JOB_CANCELLED``, with the firm's reason), and so is every worker whose offer
    it withdrew (``OFFER_WITHDRAWN``), each in her own language, after commit.
    Raises PermissionDenied (not the firm's staff), IllegalTransition."""
    job = lock_job(job, related=("line__firm", "workshop__head"))
    check_firm_staff(actor, job)
    move(job, JobState.CANCELLED, job=job, actor=actor, note=reason)
    withdrawn = list(
        Assignment.objects.select_for_update(of=("self",))
        .select_related("worker__user")
        .filter(job=job, state=AssignmentState.OFFERED)
    )
    for a in withdrawn:
        move(
            a,
            AssignmentState.EXPIRED,
            job=job,
            actor=actor,
            note=gettext_noop("外发单已取消"),
            responded_at=timezone.now(),
        )
    Job.objects.filter(pk=job.pk).update(pieces_assigned=0)
    job.pieces_assigned = 0
    messages = [
        {
            "recipient": a.worker.user,
            "kind": NotificationKind.OFFER_WITHDRAWN,
            "params": {"t": job.title, "n": a.pieces},
            "link": f"/m/a/{a.pk}/",
            "dedupe_key": f"offer-withdrawn:{a.pk}",
        }
        for a in withdrawn
    ]
    if job.workshop.head_id is not None:
        messages.append(
            {
                "recipient": job.workshop.head,
                "kind": NotificationKind.JOB_CANCELLED,
                "params": {"f": job.line.firm.name, "t": job.title, "n": job.quantity, "why": reason[:200]},
                "link": f"/dashboard/jobs/{job.pk}/",
                "dedupe_key": f"job-cancelled:{job.pk}",
            }
        )
    notify_many(messages)
    return job


def _total(rows, aggregate):
    """``aggregate`` (``Sum``, ``Count``) over ``rows`` (filtered on the outer job, ``OuterRef("pk")``) as a
    scalar subquery: 0 when there are no rows."""
    return Coalesce(Subquery(rows.order_by().values("job").annotate(n=aggregate).values("n")), 0)


def work_tally(job: Job, *, for_message: bool = False) -> dict:
    """What completing ``job`` needs to know, in one statement: ``first`` (int, pieces in the first-round
    shares held: offered, accepted or done), ``open`` (bool, a held share is not done yet); with
    ``for_message`` also ``reported`` (int, pieces reported on its shares and not yet handed over) and
    ``events_before`` (int, its flow events so far). Where each was a query of its own, completing a job
    read four times."""
    shares = Assignment.objects.filter(job=OuterRef("pk"))
    holding = shares.filter(state__in=HOLDING_STATES)
    columns = {
        "first": _total(holding.filter(kind=AssignmentKind.FIRST), Sum("pieces")),
        "open": Exists(holding.exclude(state=AssignmentState.DONE)),
    }
    if for_message:
        # What the head is to gather now: reported and not yet handed over (after rework, the reworked
        # pieces, not the job's quantity and its rework together: "308 of 300", a trial found).
        columns["reported"] = _total(shares, Sum(F("pieces_reported") - F("pieces_handed_over")))
        columns["events_before"] = _total(FlowEvent.objects.filter(job=OuterRef("pk")), Count("pk"))
    return Job.objects.filter(pk=job.pk).values(**columns).get()


def job_work_done(job: Job, tally: dict | None = None) -> bool:
    """Every piece of ``job`` is in a first-round share and no share is open (offered or accepted).
    ``tally``: its ``work_tally`` when the caller read it already (else one query here)."""
    tally = tally if tally is not None else work_tally(job)
    return tally["first"] == job.quantity and not tally["open"]


@transaction.atomic
def job_complete(*, job: Job | int, actor=None) -> Job:
    """All pieces assigned and every assignment done (坊工做单完成): in_progress → completed (ready to hand
    over, 待交货). ``actor``: the workshop's head, or None for the system (``finish_job_if_done``), which
    then tells the head to hand the lot over.

    Raises PermissionDenied (a person who is not the head), ValidationError when work is still open,
    IllegalTransition from another state.
    """
    # The system tells the head: her workshop's row and hers come with the lock (a query of their own before).
    job = lock_job(job, related=("workshop__head",) if actor is None else ())
    check_head(actor, job, system=True)
    tally = None
    if job.state == JobState.IN_PROGRESS:  # any other state: the move below refuses it
        # One read for the check and the head's message: its key counts the events after the move, one
        # more than now (the job row is locked, so no other event of the job comes in between).
        tally = work_tally(job, for_message=actor is None)
        if not job_work_done(job, tally):
            raise ValidationError(_("还有未完成的派工。"))
    return complete_locked(job, tally, actor=actor)


def complete_locked(job: Job, tally: dict | None, *, actor=None) -> Job:
    """``job_complete`` of a job row the caller has locked and checked (``tally``: its ``work_tally``
    ``for_message``, needed when the system completes it), inside the caller's transaction: the move, and
    for the system the head's message. The worker's last report calls it, so a job is ready to hand over
    in the transaction that finished its work, with no follow-up task."""
    move(job, JobState.COMPLETED, job=job, actor=actor)
    head = workshop_of(job).head
    if actor is None and head is not None:
        # The head gathers the lot and writes its delivery note: tell her it is time.
        notify(
            recipient=head,
            kind=NotificationKind.READY_TO_HAND_OVER,
            params={"t": job.title, "n": tally["reported"]},
            link=f"/dashboard/jobs/{job.pk}/",
            dedupe_key=f"complete:{job.pk}:{tally['events_before'] + 1}",
        )
    return job


@transaction.atomic
def job_hand_over(
    *, job: Job | int, actor=None, note: str = "", shares: Mapping[int, int] | None = None
) -> Job:
    """The finished lot leaves the workshop for the firm with its delivery note (交货): completed →
    handed_over; the firm's staff are told to count it. ``shares``: assignment id → pieces in the lot
    (ints > 0, each at most what the share reported and has not handed over yet); None: every such piece.
    Only pieces handed over are inspected. ``actor``: the head, a courier of the workshop (``logistics``
    checks her run), or None for the system. A job still in production whose work is all done is
    completed first. Locks the job, then the shares. Raises PermissionDenied, ValidationError (work still
    open, more pieces than are left), IllegalTransition."""
    return hand_over(lock_job(job), actor=actor, note=note, shares=shares)


def hand_over(job: Job, *, actor=None, note: str = "", shares: Mapping[int, int] | None = None) -> Job:
    """``job_hand_over`` on a job row the caller has locked, inside the caller's transaction (no savepoint
    of its own: a courier's check-off at the firm's gate hands each lot over in the stop's transaction)."""
    courier = scope_for(actor).courier
    if courier is None or courier.workshop_id != job.workshop_id:
        check_head(actor, job, system=True)
    if job.state == JobState.IN_PROGRESS:
        if not job_work_done(job):
            raise ValidationError(_("还有未完成的派工。"))
        move(job, JobState.COMPLETED, job=job, actor=actor)
    if shares is None:
        job.assignments.filter(pieces_reported__gt=F("pieces_handed_over")).update(
            pieces_handed_over=F("pieces_reported")
        )
    for a_id, n in sorted(shares.items()) if shares is not None else ():
        n = int(n)
        if n <= 0 or not Assignment.objects.filter(
            pk=a_id, job=job, pieces_reported__gte=F("pieces_handed_over") + n
        ).update(pieces_handed_over=F("pieces_handed_over") + n):
            raise ValidationError(_("交货件数比报工未交的多,请刷新后重开送货单。"))
    # One read for both: the events so far (the message's key counts them) and whether a lot left before.
    before = job.events.aggregate(n=Count("id"), sent=Count("id", filter=Q(to_state=JobState.HANDED_OVER)))
    sent = move(job, JobState.HANDED_OVER, job=job, actor=actor, note=note)
    if not before["sent"]:
        flowdays.first_sent(job, at=sent.at)
    notify_firm(
        job,
        kind=NotificationKind.READY_FOR_INSPECTION,
        params={"t": job.title},
        key=f"inspect:{job.pk}:{before['n'] + 1}",
    )
    return job


@transaction.atomic
def job_receive(*, job: Job | int, actor, note: str = "", pieces_short: int = 0) -> Job:
    """The firm's staff counted the lot that arrived (点收): handed_over → inspecting; inspection follows.

    ``pieces_short`` (int ≥ 0): how many fewer the firm counted than were sent. It stays on the job
    (``Job.pieces_short``) until the inspection, which may then pass no more pieces than were counted (the
    missing ones are rejected as short, 短少), so nobody is paid for a piece that never arrived. Raises
    PermissionDenied (not the job's firm), IllegalTransition."""
    return receive(lock_job(job), actor=actor, note=note, pieces_short=pieces_short)


def receive(job: Job, *, actor, note: str = "", pieces_short: int = 0) -> Job:
    """``job_receive`` on a job row the caller has locked, inside the caller's transaction (no savepoint
    of its own: ``logistics.note_receive`` counts the lot in and moves the job in one transaction)."""
    check_firm_staff(actor, job)
    short = max(0, int(pieces_short))
    move(job, JobState.INSPECTING, job=job, actor=actor, note=note, pieces_short=short)
    return job


@transaction.atomic
def job_settle(*, job: Job | int, actor=None) -> Job:
    """Pay is fixed for the job's passed pieces (结算): inspected → settled. ``actor``: the head or the
    firm's staff, or None for the system (booking settles a job with no rework left).

    Raises PermissionDenied (a person who is neither), ValidationError while pieces are uninspected,
    rework is open, a passed result is unpaid, or an inspection is not booked yet (its rework assignments
    do not exist until it is), IllegalTransition.
    """
    job = lock_job(job)
    check_party(actor, job, system=True)
    return settle(job, actor=actor)


def open_ends(job: Job, *, left_behind: bool = False) -> dict:
    """What keeps ``job`` from being settled, in one statement (three where each was a query of its own):
    ``open`` (a share offered or accepted, or pieces reported and not inspected), ``unpaid`` (a passed
    result without its pay line), ``unbooked`` (an inspection not booked yet); with ``left_behind`` also
    ``left`` (pieces reported and not handed over). Each a bool."""
    shares = Assignment.objects.filter(job=OuterRef("pk"))
    columns = {
        "open": Exists(
            shares.filter(
                Q(state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED))
                | Q(pieces_reported__gt=F("pieces_passed") + F("pieces_rejected"))
            )
        ),
        "unpaid": Exists(
            InspectionResult.objects.filter(
                inspection__job=OuterRef("pk"), pieces_passed__gt=0, pay_line__isnull=True
            )
        ),
        "unbooked": Exists(Inspection.objects.filter(job=OuterRef("pk"), booked_at__isnull=True)),
    }
    if left_behind:
        columns["left"] = Exists(shares.filter(pieces_reported__gt=F("pieces_handed_over")))
    return Job.objects.filter(pk=job.pk).values(**columns).get()


def settle(job: Job, *, actor=None, ends: dict | None = None) -> Job:
    """``job_settle`` on a job row the caller has locked, inside the caller's transaction. ``ends``: its
    ``open_ends`` when the caller read them already, after its last write (else one query here)."""
    if job.state == JobState.INSPECTED:
        ends = ends if ends is not None else open_ends(job)
        if ends["open"] or ends["unpaid"] or ends["unbooked"]:
            raise ValidationError(_("还有未验收、未返工或未入账的件数,不能结算。"))
    move(job, JobState.SETTLED, job=job, actor=actor)
    return job
