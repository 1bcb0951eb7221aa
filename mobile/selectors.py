"""Reads for the worker's phone pages (坊工手机端), each scoped by the signed-in worker.

Every selector takes the ``Worker`` the page belongs to and never reads another worker's rows; a
``*_get_*`` raises ``Http404`` for an id that is not theirs. Each costs a fixed number of queries whatever
the number of assignments or pay lines (the page tests pin them). Money: ``Decimal`` yuan, summed in
Python with ``pay.money`` so a total always equals the lines shown. Dates are Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import DateField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeliveryMode,
    InspectionResult,
    WorkReport,
    worker_rate_of,
)
from dispatch.services.corrections import REPORT_OPEN_STATES, undo_window
from dispatch.web import MAX_ID
from logistics.models import Collection, Residence
from pay import money, monthly, reversals
from pay.models import PayLine
from workshop.dates import local_midnight, month_start, next_month
from workshop.frozen import frozen
from workshop.models import Worker


@functools.cache
def _with_job_and_collected():
    # Built once per process and only ever cloned (``.filter``), never evaluated itself: building it (the
    # subquery resolved, three joins) cost a phone page a quarter of a millisecond each time (issue 15).
    collected = (
        Collection.objects.filter(assignment=OuterRef("pk"))
        .values("assignment")
        .annotate(n=Sum("pieces"))
        .values("n")
    )
    return Assignment.objects.select_related("job", "job__line", "job__line__firm").annotate(
        pieces_collected=Coalesce(Subquery(collected), 0)
    )


# A share with pieces reported and still waiting for a verdict.
_UNINSPECTED = Q(pieces_reported__gt=F("pieces_passed") + F("pieces_rejected"))


# What a share card, its figures and where its pieces are read (``mobile.cards.annotate``, the Today and
# Earnings templates, ``whereabouts``, ``job_cards``): the columns the open-shares queries load. Every other
# column, most of the job's, costs the compile and the model init of each row and is not shown (issue 15).
_SHARE_COLUMNS = (
    "job_id",
    "kind",
    "pieces",
    "pieces_reported",
    "pieces_passed",
    "pieces_rejected",
    "pieces_handed_over",
    "due_on",
    "delivery",
    "state",
    "reasons",
    "offered_at",
    "expires_at",
    "job__title",
    "job__piece_rate",
    "job__operator_fee_per_piece",
    "job__line_id",
    "job__line__firm_id",
    "job__line__firm__name",
)


@functools.cache
def _open_shares():
    """Her shares still open (offered or accepted) or with pieces waiting for a verdict, with
    ``pieces_collected`` and only ``_SHARE_COLUMNS``; built once, cloned per call (see
    ``_with_job_and_collected``)."""
    return (
        _with_job_and_collected()
        .filter(Q(state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED)) | _UNINSPECTED)
        .only(*_SHARE_COLUMNS)
    )


@functools.cache
def _uninspected_shares():
    """Her shares with pieces reported and waiting for a verdict, by due date (the Earnings page's
    pending), with ``pieces_collected`` and only ``_SHARE_COLUMNS``; built once, cloned per call."""
    return _with_job_and_collected().filter(_UNINSPECTED).order_by("due_on", "id").only(*_SHARE_COLUMNS)


# --- where finished pieces are, before the firm's verdict (做好了,还没入账) --------------------------------


@dataclass
class Whereabouts:
    """Reported pieces without the firm's verdict, by where they are (ints): ``at_home``, a home share's
    pieces still at her door for the courier to collect; ``at_workshop``, at the workshop and not yet
    handed over to the firm; ``at_firm``, handed over on a delivery note (sent, or counted in by the firm)
    and waiting for its inspection. Only ``at_firm`` pieces are "waiting for the firm's inspection"."""

    at_home: int = 0
    at_workshop: int = 0
    at_firm: int = 0

    @property
    def pieces(self) -> int:
        return self.at_home + self.at_workshop + self.at_firm

    def add(self, other: Whereabouts) -> None:
        self.at_home += other.at_home
        self.at_workshop += other.at_workshop
        self.at_firm += other.at_firm


def whereabouts(a: Assignment) -> Whereabouts:
    """Where ``a``'s uninspected pieces are (``pieces_uninspected`` in all): from its reported, handed over,
    passed and rejected counts and, for a home share, ``pieces_collected`` (``_with_job_and_collected``; taken
    as all collected when not read)."""
    at_firm = max(a.pieces_handed_over - a.pieces_passed - a.pieces_rejected, 0)
    not_handed = max(a.pieces_reported - a.pieces_handed_over, 0)
    at_home = 0
    if a.delivery == DeliveryMode.HOME:
        collected = getattr(a, "pieces_collected", a.pieces_reported)
        at_home = min(max(a.pieces_reported - collected, 0), not_handed)
    return Whereabouts(at_home=at_home, at_workshop=not_handed - at_home, at_firm=at_firm)


# --- Today (今天) ----------------------------------------------------------------------------------------


@dataclass
class PendingRow(Whereabouts):
    """Pieces of one job reported and without the firm's verdict yet, by where they are (``Whereabouts``),
    with what they would pay if all passed (yuan, at her rate)."""

    job_id: int = 0
    title: str = ""
    rate: Decimal = Decimal("0")

    @property
    def amount(self) -> Decimal:
        return money.wage_amount(self.pieces, self.rate)


def _where_sum(rows: Sequence[Whereabouts]) -> Whereabouts:
    total = Whereabouts()
    for r in rows:
        total.add(r)
    return total


@dataclass
class JobShares:
    """Her open first-round shares of one job (offered or in hand), oldest first: a job offered to her
    again after someone else turned pieces down (再派) is one job with two shares, not two jobs."""

    job: object
    shares: list[Assignment]

    @property
    def offered(self) -> bool:
        """Whether a share of it waits for her answer (the card goes with the offers)."""
        return any(a.state == AssignmentState.OFFERED for a in self.shares)

    @property
    def pieces(self) -> int:
        return sum(a.pieces for a in self.shares)


def job_cards(shares: Sequence[Assignment]) -> list[JobShares]:
    """``shares`` (first-round, offered or accepted) grouped by job in the order the job first appears;
    within a job, oldest share first. Pure."""
    cards: dict[int, JobShares] = {}
    for a in shares:
        cards.setdefault(a.job_id, JobShares(a.job, [])).shares.append(a)
    for card in cards.values():
        card.shares.sort(key=lambda a: (a.offered_at, a.pk))
    return list(cards.values())


@dataclass
class TodayData:
    """``offers``, ``in_hand`` and ``rework`` are her shares; ``cards`` her open first-round shares by job
    (``JobShares``): ``offer_cards`` those with a share waiting for her answer, ``work_cards`` the rest."""

    offers: list[Assignment]
    in_hand: list[Assignment]
    rework: list[Assignment]
    pending: list[PendingRow]
    today_yuan: Decimal
    month_yuan: Decimal
    pieces_today: int
    cards: list[JobShares] = field(default_factory=list)

    @property
    def offer_cards(self) -> list[JobShares]:
        return [c for c in self.cards if c.offered]

    @property
    def work_cards(self) -> list[JobShares]:
        return [c for c in self.cards if not c.offered]

    @property
    def pending_pieces(self) -> int:
        return sum(r.pieces for r in self.pending)

    @property
    def pending_yuan(self) -> Decimal:
        return money.yuan_sum(r.amount for r in self.pending)

    @property
    def pending_where(self) -> Whereabouts:
        """Her pieces without a verdict, by where they are, over every job."""
        return _where_sum(self.pending)


def _pending_rows(assignments) -> list[PendingRow]:
    rows: dict[int, PendingRow] = {}
    for a in assignments:
        if a.pieces_uninspected > 0:
            row = rows.setdefault(
                a.job_id, PendingRow(job_id=a.job_id, title=a.job.title, rate=a.job.worker_rate)
            )
            row.add(whereabouts(a))
    return list(rows.values())


# Built once, cloned per call (no ORDER BY: the sums do not need one).
_PAY_LINES = PayLine.objects.order_by().values_list("booked_on", "amount")
# A report's size beside the pay lines, in the same two columns (no date: it is one of today's reports).
_REPORT_SIZES = WorkReport.objects.order_by().values_list(Value(None, output_field=DateField()), "pieces")


@frozen(int)
def _open_shares_of(worker_id):
    """``_open_shares`` of one worker, compiled once (``workshop.frozen``)."""
    return _open_shares().filter(worker_id=worker_id)


@frozen(int)
def _uninspected_shares_of(worker_id):
    """``_uninspected_shares`` of one worker, compiled once (``workshop.frozen``)."""
    return _uninspected_shares().filter(worker_id=worker_id)


@frozen(int, dt.date, dt.date, dt.datetime)
def _lines_and_reports(worker_id, first, nxt, midnight):
    """Her pay lines booked ``first``..``nxt`` (dates) as (day, yuan) and the sizes of her reports made
    since ``midnight`` as (None, pieces; a reversal row is negative), in one statement (UNION ALL: a
    report's row has no date), summed by the caller: cheaper than two, or than aggregates' compile. A
    report is made on a share she holds (accepted), which may have been finished since (done today): only
    those shares are looked into, not each of the hundreds of her history (1.2 ms → 0.1 ms on a county
    worker; issue 15). Compiled once (``workshop.frozen``)."""
    reported_today = _REPORT_SIZES.filter(
        Q(assignment__state=AssignmentState.ACCEPTED) | Q(assignment__done_at__gte=midnight),
        assignment__worker_id=worker_id,
        at__gte=midnight,
    )
    return _PAY_LINES.filter(worker_id=worker_id, booked_on__gte=first, booked_on__lt=nxt).union(
        reported_today, all=True
    )


def today_for_worker(worker: Worker, *, today: dt.date | None = None) -> TodayData:
    """The Today page (``/m/``): open offers, work in hand (first-round and rework apart; first-round shares
    also grouped by job, ``cards``), pieces reported and not yet inspected by where they are, and pay
    booked today and this month (yuan). Two queries: open or uninspected assignments with job, firm and
    pieces collected at her door; this month's pay lines with the sizes of today's reports."""
    today = today or timezone.localdate()
    first = month_start(today)
    rows = _open_shares_of(worker.pk)
    lines, pieces_today = [], 0
    for day, amount in _lines_and_reports(worker.pk, first, next_month(first), local_midnight(today)):
        if day is None:
            pieces_today += int(amount)
        else:
            lines.append((day, amount))
    accepted = [a for a in rows if a.state == AssignmentState.ACCEPTED]
    offers = [a for a in rows if a.state == AssignmentState.OFFERED]
    in_hand = [a for a in accepted if a.kind == AssignmentKind.FIRST]
    return TodayData(
        offers=offers,
        in_hand=in_hand,
        rework=[a for a in accepted if a.kind == AssignmentKind.REWORK],
        pending=_pending_rows(rows),
        today_yuan=money.yuan_sum(amount for day, amount in lines if day == today),
        month_yuan=money.yuan_sum(amount for _day, amount in lines),
        pieces_today=pieces_today,
        cards=job_cards(offers + in_hand),
    )


# --- one assignment (派工) -------------------------------------------------------------------------------


def assignment_for_worker(worker: Worker, pk: int) -> Assignment:
    """Assignment ``pk`` if it is ``worker``'s own, with job, line and firm; ``Http404`` otherwise."""
    rows = _assignment_of(worker.pk, pk) if 0 < pk <= MAX_ID else []
    if not rows:
        raise Http404(_("没有这个派工。"))
    return rows[0]


@frozen(int, int)
def _assignment_of(worker_id, pk):
    """Her share ``pk`` (none when it is not hers), with job, line, firm and ``pieces_collected``
    (``_with_job_and_collected``); read on each of her share's pages and posts (a report, an accept), so
    compiled once (``workshop.frozen``)."""
    return _with_job_and_collected().filter(worker_id=worker_id, pk=pk)


@dataclass
class AssignmentHistory:
    """An assignment's inspection results (newest first), pay booked on it and rework sent back from it."""

    results: list[InspectionResult]
    booked_yuan: Decimal
    rework: list[Assignment]


def assignment_history(assignment: Assignment) -> AssignmentHistory:
    """One query: the results with their inspection, pay line and rework assignment joined. As her reports
    are: a correction's reversal rows are left out (their figures are negative: "合格 -40 件" confused a
    trial's worker) and the result they take back is marked ``corrected`` (``pay.reversals``, the wage
    slip's rule too); ``booked_yuan`` counts every line, the reversals' too."""
    rows = list(
        InspectionResult.objects.filter(assignment=assignment)
        .select_related("inspection", "pay_line", "rework_assignment")
        .order_by("-inspection__at", "-id")
    )
    lines = [r.pay_line for r in rows if _has(r, "pay_line")]
    rework = [r.rework_assignment for r in rows if _has(r, "rework_assignment")]
    results, taken_back = reversals.taken_back(rows)
    for r in results:
        r.corrected = r.pk in taken_back
    return AssignmentHistory(results, money.yuan_sum(p.amount for p in lines), rework)


def _has(obj, reverse_one_to_one: str) -> bool:
    try:
        return getattr(obj, reverse_one_to_one) is not None
    except ObjectDoesNotExist:
        return False


# --- her reports on a share: the history, the undo button, the confirm step (报工记录、撤销、确认) ----------


@dataclass
class ReportHistory:
    """Her reports on one share, newest first (reversal rows left out; an undone or corrected report has
    ``undone`` True), and the one she may still undo herself with the whole minutes left, or None."""

    reports: list[WorkReport]
    undoable: WorkReport | None
    minutes_left: int


def report_history(
    assignment: Assignment, *, worker: Worker, now: dt.datetime | None = None
) -> ReportHistory:
    """The share's reports and what the undo button offers: her own latest live report, made within
    ``undo_window()`` (``NUANXIN_REPORT_UNDO_MINUTES``) while the lot is still at the workshop
    (``dispatch.services.report_undo``'s rules), not a bundle ticket's (the ticket would stay reported).
    ``assignment`` is ``worker``'s own with its job loaded. One query."""
    now = now or timezone.now()
    reports = list(
        WorkReport.objects.filter(assignment=assignment, reverses__isnull=True)
        .select_related("reversed_by")
        .order_by("-at", "-id")
    )
    for r in reports:
        r.undone = _has(r, "reversed_by")
        r.undone_by_her = r.undone and r.reversed_by.reported_by_id == worker.user_id
    live = next((r for r in reports if not r.undone), None)
    left = undo_window() - (now - live.at) if live is not None else dt.timedelta(0)
    keeps = assignment.pieces_reported - (live.pieces if live is not None else 0)
    if (
        live is None
        or live.reported_by_id != worker.user_id
        or live.key.startswith("bundle:")
        or assignment.pieces_taken_back  # the head took the rest back: she asks the head to correct
        or any(r.undone and r.at > live.at for r in reports)  # one undo, not a walk back
        or left <= dt.timedelta(0)
        or assignment.job.state not in REPORT_OPEN_STATES
        or keeps < assignment.pieces_handed_over
        or keeps < assignment.pieces_passed + assignment.pieces_rejected
    ):
        return ReportHistory(reports, None, 0)
    return ReportHistory(reports, live, max(1, math.ceil(left.total_seconds() / 60)))


def share_report(assignment: Assignment, pk: int) -> WorkReport:
    """Report ``pk`` of ``assignment`` (not a reversal row), with ``undone``; Http404 otherwise. One query."""
    report = (
        WorkReport.objects.filter(assignment=assignment, pk=pk, reverses__isnull=True)
        .select_related("reversed_by")
        .first()
    )
    if report is None:
        raise Http404(_("没有这次报工。"))
    report.undone = _has(report, "reversed_by")
    return report


def report_key_used(worker: Worker, key: str) -> bool:
    """Whether a report of hers already carries the form's ``key`` (a retry of a report made). One query."""
    return WorkReport.objects.filter(assignment__worker=worker, key=key).exists()


# How far above her usual a report must be to ask her to confirm it, and how many reports make a usual.
LARGE_REPORT_FACTOR = 2
USUAL_MIN_REPORTS = 3
# Her latest reports that make her usual (older habits do not count).
USUAL_LOOKBACK = 30


def unusually_large(pieces: int, previous: Sequence[int]) -> float | None:
    """Her usual report size (the median of ``previous``, her earlier report sizes in pieces, none undone
    or corrected) when ``pieces`` is more than ``LARGE_REPORT_FACTOR`` times it, else None; None too while
    she has fewer than ``USUAL_MIN_REPORTS`` reports (no usual yet). Pure.

    >>> unusually_large(150, [10, 15, 20]), unusually_large(30, [10, 15, 20]), unusually_large(150, [1, 2])
    (15, None, None)
    """
    if len(previous) < USUAL_MIN_REPORTS:
        return None
    usual = statistics.median(previous)
    return usual if pieces > LARGE_REPORT_FACTOR * usual else None


def usual_report_sizes(worker: Worker) -> list[int]:
    """Her latest ``USUAL_LOOKBACK`` report sizes (pieces), leaving out reversal rows and what was undone or
    corrected. One query."""
    return list(
        WorkReport.objects.filter(assignment__worker=worker, reverses__isnull=True, reversed_by__isnull=True)
        .order_by("-at", "-id")
        .values_list("pieces", flat=True)[:USUAL_LOOKBACK]
    )


# --- Earnings (收入) -------------------------------------------------------------------------------------


@dataclass
class EarningRow:
    """One job's booked inspections in a month: pieces inspected (= reported and sent), passed, rejected
    (of which sent back for rework), the piece rate and the pay booked (the sum of its pay lines)."""

    job_id: int
    title: str
    firm: str
    rate: Decimal
    inspected: int = 0
    passed: int = 0
    rejected: int = 0
    rework: int = 0
    amounts: list[Decimal] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return money.yuan_sum(self.amounts)


@dataclass
class MonthEarnings:
    month: dt.date
    rows: list[EarningRow]
    pending: list[PendingRow]
    months: list[tuple[dt.date, Decimal]]
    is_current: bool

    @property
    def booked_yuan(self) -> Decimal:
        return money.yuan_sum(r.amount for r in self.rows)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.rows)

    @property
    def rejected(self) -> int:
        return sum(r.rejected for r in self.rows)

    @property
    def inspected(self) -> int:
        return sum(r.inspected for r in self.rows)

    @property
    def pending_pieces(self) -> int:
        return sum(r.pieces for r in self.pending)

    @property
    def pending_yuan(self) -> Decimal:
        return money.yuan_sum(r.amount for r in self.pending)

    @property
    def pending_where(self) -> Whereabouts:
        return _where_sum(self.pending)


@functools.cache
def _month_results():
    """Inspection results as the Earnings rows read them, by job's due date: (job id, title, firm name,
    piece rate, operator fee, pieces submitted, passed, rejected, rework, reason, pay line amount or None).
    Plain values, not three joined models per row, and built once per process, cloned per call (the
    model rows cost the page a millisecond of compile and init; issue 15)."""
    return InspectionResult.objects.order_by(
        "assignment__job__due_on", "assignment__job_id", "id"
    ).values_list(
        "assignment__job_id",
        "assignment__job__title",
        "assignment__job__line__firm__name",
        "assignment__job__piece_rate",
        "assignment__job__operator_fee_per_piece",
        "pieces_submitted",
        "pieces_passed",
        "pieces_rejected",
        "pieces_rework",
        "reason",
        "pay_line__amount",
    )


@frozen(int, dt.date, dt.date, dt.datetime, dt.datetime)
def _month_results_of(worker_id, first, nxt, lo, hi):
    """A worker's results booked in the month ``first``..``nxt`` (dates; ``lo``..``hi`` the same as
    Asia/Shanghai midnights), as ``_month_results`` reads them. Found from her pay lines booked in the month
    and from her few results with nothing passed (no pay line) whose inspection was booked in it: two index
    paths, not every result of her history joined to its pay line and inspection (a county worker has
    hundreds; issue 15). A booked result has a pay line exactly when something passed (pay.services), so
    the two are the month's. Compiled once (``workshop.frozen``)."""
    paid = PayLine.objects.order_by().filter(worker_id=worker_id, booked_on__gte=first, booked_on__lt=nxt)
    unpaid = InspectionResult.objects.order_by().filter(
        assignment__worker_id=worker_id,
        pieces_passed=0,
        pay_line__isnull=True,
        inspection__booked_at__gte=lo,
        inspection__booked_at__lt=hi,
    )
    return _month_results().filter(pk__in=paid.values("result_id").union(unpaid.values("pk"), all=True))


def earnings_for_worker(worker: Worker, *, month: dt.date | None = None) -> MonthEarnings:
    """The Earnings page (收入) for ``month`` (any day in it; default this month).

    ``rows``: per job, the inspections booked in the month (a result counts in the month of its pay line,
    or of its inspection's booking when nothing passed). ``pending``: pieces reported and not yet
    inspected, by where they are (``Whereabouts``: at her home, at the workshop, at the firm), only on the
    current month (they have no month until they are booked). ``months``: every month with pay booked,
    newest first, with its total. Three queries whatever the number of rows.
    """
    today = timezone.localdate()
    first = month_start(month or today)
    nxt = next_month(first)
    results = _month_results_of(worker.pk, first, nxt, local_midnight(first), local_midnight(nxt))
    rows: dict[int, EarningRow] = {}
    for job_id, title, firm, rate, fee, submitted, passed, rejected, rework, reason, amount in results:
        row = rows.get(job_id)
        if row is None:
            row = rows[job_id] = EarningRow(job_id, title, firm, worker_rate_of(rate, fee))
        row.inspected += submitted
        row.passed += passed
        row.rejected += rejected
        row.rework += rework
        if amount is not None:  # a result with its pay line (nothing passed: none)
            row.amounts.append(amount)
        if reason and reason not in row.reasons:
            row.reasons.append(reason)
    is_current = first == month_start(today)
    pending: list[PendingRow] = []
    if is_current:
        pending = _pending_rows(_uninspected_shares_of(worker.pk))
    # A row a month from her month rollups, not every line she ever had (pay.monthly).
    by_month = {m: amount for m, _pieces, amount in monthly.months_of(worker.pk)}
    by_month.setdefault(month_start(today), money.yuan_sum([]))
    months = [(m, by_month[m]) for m in sorted(by_month, reverse=True)]
    return MonthEarnings(first, list(rows.values()), pending, months, is_current)


def home_hours_of(worker: Worker) -> tuple[dt.time | None, dt.time | None]:
    """When ``worker`` said she is home (clock times), or (None, None): any time. One query."""
    row = Residence.objects.filter(worker=worker).values_list("home_from", "home_until").first()
    return row if row is not None else (None, None)
