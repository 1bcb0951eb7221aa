"""The dashboard's reads of money (结算): a workshop's pay months, one month's review per worker, its
payouts, signature sheet and transfer list, bonuses and deductions, and a job's reports and inspection
results with their corrections.

Scoped like ``dashboard.selectors``: a workshop comes from ``pay_workshop_get`` (the head's own, or one of
a community admin's; a foreign id is a 404), and only roles that manage workers get any (a firm never
sees a worker's income). Amounts are ``Decimal`` yuan summed in Python to the fen (``pay.money``); every
read costs a fixed number of queries whatever the number of workers or lines.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from dispatch.models import InspectionResult, Job, WorkReport
from pay import money
from pay.models import LineKind, PayLine, Payout, PayoutBatch, PayPeriod
from pay.selectors import period_dues
from workshop.models import Worker, Workshop
from workshop.roles import Scope

from .selectors import workshops_for

ZERO = Decimal("0.00")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> dt.date:
    """``"2026-11"`` as the month's first day; Http404 for anything else (a URL part)."""
    m = _MONTH.match(text or "")
    if m is None or not 2000 <= int(m[1]) <= 2999 or not 1 <= int(m[2]) <= 12:
        raise Http404(_("没有这个月份。"))
    return dt.date(int(m[1]), int(m[2]), 1)


def pay_workshops(scope: Scope) -> QuerySet[Workshop]:
    """The workshops whose pay ``scope`` manages: a head's own, a community admin's; none for others."""
    if not scope.manages_workers:
        return Workshop.objects.none()
    return workshops_for(scope)


def pay_workshop_get(scope: Scope, pk: int | None) -> tuple[Workshop, list[Workshop]]:
    """Workshop ``pk`` if ``scope`` manages its pay, or (no ``pk``) the first one it does, with all of
    them (for the page's chooser). PermissionDenied for a role that manages no pay (firm staff, a
    worker), Http404 for a workshop not theirs. One query."""
    if not scope.manages_workers:
        raise PermissionDenied(_("工资只对坊长和社区管理员开放。"))
    workshops = list(pay_workshops(scope))
    ws = next((w for w in workshops if w.pk == pk), None) if pk is not None else next(iter(workshops), None)
    if ws is None:
        raise Http404(_("没有这个工坊。"))
    return ws, workshops


# --- the months ----------------------------------------------------------------------------------------


@dataclass
class MonthSummary:
    month: dt.date
    period: PayPeriod | None
    total: Decimal
    workers: int
    paid: int

    @property
    def closed(self) -> bool:
        return self.period is not None and self.period.closed_at is not None


def month_list(workshop: Workshop, *, today: dt.date) -> list[MonthSummary]:
    """The workshop's pay months, newest first: every month with a line or a period, and this month.
    Per month: its period (or None), the total (a closed period's fixed total; else the lines' sum, to
    the fen), how many workers have lines and how many were paid. Three queries."""
    sums = {
        m: (t, n)
        for m, t, n in PayLine.objects.filter(worker__workshop=workshop, month__isnull=False)
        .values_list("month")
        .annotate(t=Sum("amount"), n=Count("worker", distinct=True))
        .order_by()
    }
    periods = {p.month: p for p in PayPeriod.objects.filter(workshop=workshop)}
    paid = dict(
        Payout.objects.filter(period__workshop=workshop)
        .values_list("period_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    months = set(sums) | set(periods) | {today.replace(day=1)}
    out = []
    for m in sorted(months, reverse=True):
        period = periods.get(m)
        total, n = sums.get(m, (0, 0))
        if period is not None and period.closed_at is not None:
            total = period.total_yuan
        out.append(
            MonthSummary(
                month=m,
                period=period,
                total=money.to_yuan(Decimal(str(total or 0))),
                workers=n,
                paid=paid.get(period.pk, 0) if period else 0,
            )
        )
    return out


def period_get(workshop: Workshop, month: dt.date) -> PayPeriod | None:
    return PayPeriod.objects.filter(workshop=workshop, month=month).select_related("closed_by").first()


@dataclass
class WorkerMonth:
    """One worker's month: piece wages, corrections (by the month they correct; None: this month's own),
    bonuses and deductions taken back (``taken_back``: by the kind taken back, ``bonus`` or
    ``deduction``), bonuses, deductions (negative), the total, and her payout when paid."""

    worker: Worker
    piece: Decimal = ZERO
    corrections: dict = field(default_factory=dict)
    taken_back: dict = field(default_factory=dict)
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO
    total: Decimal = ZERO
    lines: int = 0
    payout: Payout | None = None

    @property
    def paid(self) -> bool:
        return self.payout is not None


def month_lines(workshop: Workshop, month: dt.date, period: PayPeriod | None) -> QuerySet[PayLine]:
    """The lines that count in ``month``: a closed period's own lines, else the open month's."""
    if period is not None and period.closed_at is not None:
        return PayLine.objects.filter(period=period)
    return PayLine.objects.filter(worker__workshop=workshop, month=month, period__isnull=True)


def month_review(workshop: Workshop, month: dt.date, period: PayPeriod | None) -> list[WorkerMonth]:
    """Per worker with a line in the month (by name): her piece wages, corrections, bonuses and deductions
    taken back, bonuses, deductions, total and payout, each Decimal yuan to the fen. For a closed period
    the totals are ``period_dues``' figures. Three queries (lines, workers, payouts)."""
    per: dict[int, dict[str, list]] = {}
    rows = month_lines(workshop, month, period).values_list(
        "worker_id", "kind", "amount", "corrects_period__month", "corrects__kind"
    )
    for worker_id, kind, amount, corrected, taken_back in rows.order_by("worker_id", "id"):
        buckets = per.setdefault(worker_id, {})
        if kind != LineKind.CORRECTION:
            key = (kind, None)
        elif taken_back in (LineKind.BONUS, LineKind.DEDUCTION):
            key = ("taken_back", taken_back)  # an adjustment taken back: no piece in it
        else:
            key = ("correction", corrected)
        buckets.setdefault(key, []).append(amount)
    workers = {w.pk: w for w in Worker.objects.filter(pk__in=list(per))}
    payouts = {}
    if period is not None and period.closed_at is not None:
        payouts = {p.worker_id: p for p in Payout.objects.filter(period=period).select_related("batch")}
    out = []
    for worker_id, buckets in per.items():
        row = WorkerMonth(worker=workers[worker_id], payout=payouts.get(worker_id))
        every = []
        for (kind, corrected), amounts in buckets.items():
            every += amounts
            value = money.yuan_sum(amounts)
            if kind == LineKind.PIECE:
                row.piece = value
            elif kind == LineKind.BONUS:
                row.bonus = value
            elif kind == LineKind.DEDUCTION:
                row.deduction = value
            elif kind == "taken_back":
                row.taken_back[corrected] = value  # keyed by the kind taken back
            else:
                row.corrections[corrected] = value
        row.corrections = dict(sorted(row.corrections.items(), key=lambda kv: (kv[0] is not None, kv[0])))
        row.total = money.yuan_sum(every)
        row.lines = len(every)
        out.append(row)
    return sorted(out, key=lambda r: (r.worker.name, r.worker.pk))


def period_batches(period: PayPeriod | None) -> list[PayoutBatch]:
    if period is None:
        return []
    return list(
        PayoutBatch.objects.filter(period=period)
        .select_related("paid_by")
        .annotate(n=Count("payouts"))
        .order_by("paid_at", "id")
    )


def batch_get(period: PayPeriod, pk: int) -> PayoutBatch:
    batch = PayoutBatch.objects.filter(period=period, pk=pk).select_related("paid_by").first()
    if batch is None:
        raise Http404(_("没有这次发放。"))
    return batch


@dataclass(frozen=True)
class SheetRow:
    worker: Worker
    amount: Decimal


def payout_rows(period: PayPeriod, batch: PayoutBatch | None = None) -> list[SheetRow]:
    """The rows of a signature sheet or a transfer list, by name: the payouts of ``batch``, or (no batch)
    what is still to pay in the closed ``period`` (``period_dues`` > 0, not yet paid). Two or three
    queries."""
    if batch is not None:
        payouts = Payout.objects.filter(batch=batch).select_related("worker")
        rows = [SheetRow(p.worker, p.amount) for p in payouts]
    else:
        paid = set(Payout.objects.filter(period=period).values_list("worker_id", flat=True))
        dues = {w: y for w, y, _n in period_dues(period) if y > 0 and w not in paid}
        workers = Worker.objects.filter(pk__in=list(dues))
        rows = [SheetRow(w, dues[w.pk]) for w in workers]
    return sorted(rows, key=lambda r: (r.worker.name, r.worker.pk))


# --- bonuses and deductions ----------------------------------------------------------------------------


def adjustments(workshop: Workshop, month: dt.date) -> QuerySet[PayLine]:
    """Bonuses and deductions counting in ``month`` for the workshop's workers, and those taken back,
    newest first, with the worker, who decided them and (for a taking back) the line taken back joined;
    ``taken_back`` on each."""
    return (
        PayLine.objects.filter(worker__workshop=workshop, month=month)
        .filter(
            Q(kind__in=(LineKind.BONUS, LineKind.DEDUCTION))
            | Q(kind=LineKind.CORRECTION, result__isnull=True)  # an adjustment taken back
        )
        .annotate(taken_back=Exists(PayLine.objects.filter(corrects=OuterRef("pk"))))
        .select_related("worker", "actor", "corrects")
        .order_by("-created_at", "-id")
    )


# --- a job's reports and inspection results, with their corrections ------------------------------------


def job_reports(job: Job) -> dict[int, list[WorkReport]]:
    """``{assignment id: [report]}``: the job's reports, oldest first, without the reversal rows; each
    report's reversal (who, when, why) is on ``report.reversal`` (None when live). One query."""
    reports = (
        WorkReport.objects.filter(assignment__job=job)
        .select_related("reported_by", "reversed_by", "reversed_by__reported_by")
        .order_by("at", "id")
    )
    out: dict[int, list[WorkReport]] = {}
    for r in reports:
        if r.reverses_id is not None:
            continue
        try:
            r.reversal = r.reversed_by
        except WorkReport.DoesNotExist:
            r.reversal = None
        out.setdefault(r.assignment_id, []).append(r)
    return out


def job_results(job: Job) -> list[InspectionResult]:
    """The job's inspection results (not the reversal rows), oldest first, with their inspection, its
    inspector, the worker and the reversal that corrected them (``result.reversal``, None when standing).
    One query."""
    results = (
        InspectionResult.objects.filter(inspection__job=job)
        .select_related(
            "inspection",
            "inspection__inspector",
            "assignment__worker",
            "reversed_by",
            "reversed_by__inspection",
            "reversed_by__inspection__inspector",
        )
        .order_by("inspection__at", "inspection_id", "id")
    )
    out = []
    for r in results:
        if r.reverses_id is not None:
            continue
        try:
            r.reversal = r.reversed_by
        except InspectionResult.DoesNotExist:
            r.reversal = None
        out.append(r)
    return out
