"""Reads of pay over a date range from the month rollups (``pay.rollups``): a row per month (and firm or
worker) instead of every pay line, with the ledger read only for a month at the range's edge that is
partly outside it.

A month's rollup row counts whole when every line in it was booked inside the range (its
``first_booked``/``last_booked``), which a range of whole months, or one that ends today, always gives;
otherwise that month's lines are read from the ledger for the range's days in it (one grouped query over
the partial months, none when there is none). Money is integer fen, summed exactly; yuan are made at the
end (``rollups.yuan``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DateField, F, Max, Min, Q, Sum, Value, When

from workshop.dates import month_start, next_month
from workshop.frozen import frozen

from .impact import amount_fen, saving_fen
from .models import FirmMonth, PayLine, WorkerMonth
from .rollups import FIRM_RATE, yuan


@dataclass
class JobPay:
    """The pay lines of some jobs over a date range, summed: ``by_firm`` {firm id: [name, wages fen, saving
    fen]}; ``by_class`` {(employment, low_income): wages fen} over the workers asked for, by their class
    now (as the ledger's join on the worker reads it)."""

    by_firm: dict[int, list] = field(default_factory=dict)
    by_class: dict[tuple[str, bool], int] = field(default_factory=dict)

    def wages_fen(self) -> int:
        return sum(row[1] for row in self.by_firm.values())

    def class_fen(self, *, employment: str | None = None, low_income: bool | None = None) -> int:
        return sum(
            fen
            for (emp, low), fen in self.by_class.items()
            if (employment is None or emp == employment) and (low_income is None or low == low_income)
        )


def _partial(rows, start: dt.date, end: dt.date) -> set[dt.date]:
    # A row with no line (a month of work without pay: no booked days) has no pay to cut.
    return {
        r["month"]
        for r in rows
        if r["first_booked"] is not None and (r["first_booked"] < start or r["last_booked"] > end)
    }


def _days_of(months: set[dt.date], start: dt.date, end: dt.date) -> Q:
    """The range's days in ``months``, as a filter on ``booked_on``."""
    q = Q()
    for m in sorted(months):
        last = next_month(m) - dt.timedelta(days=1)
        q |= Q(booked_on__gte=max(start, m), booked_on__lte=min(end, last))
    return q


def job_pay(
    *,
    start: dt.date,
    end: dt.date,
    workshop_ids: Collection[int] | None,
    firm_id: int | None = None,
    workers=None,
) -> JobPay:
    """The lines of the jobs of ``workshop_ids`` (None: every workshop) and of ``firm_id``'s lines (None:
    every firm) booked on ``start``..``end`` (Asia/Shanghai dates, inclusive), as ``JobPay``; ``by_class``
    over ``workers`` (a Worker queryset of those workshops; None: left empty). Equals summing the ledger's
    lines of those jobs (``dispatch.reports.firm_savings`` for the saving). Two queries, three when a month
    at the range's edge is partly outside it."""
    firm_rows = FirmMonth.objects.filter(month__gte=month_start(start), month__lte=end)
    if workshop_ids is not None:
        firm_rows = firm_rows.filter(workshop_id__in=list(workshop_ids))
    if firm_id is not None:
        firm_rows = firm_rows.filter(firm_id=firm_id)
    # Summed in the database by firm (and class), the months between the range's first and last taken
    # together: only those two can be cut by the range (``_partial``), so a county's year is thousands of
    # firm- and worker-months but a few rows per firm here. A month's earliest and latest booked days stay
    # exact under MIN and MAX.
    span = {"first_booked": Min("first_booked"), "last_booked": Max("last_booked")}
    edges = {month_start(start), month_start(end)}
    month = Case(When(month__in=edges, then=F("month")), default=Value(None), output_field=DateField())
    firm_rows = list(
        firm_rows.order_by()
        .values("firm_id", "firm__name", edge=month)
        .annotate(wages_fen=Sum("wages_fen"), saving_fen=Sum("saving_fen"), **span)
    )
    worker_rows = []
    if workers is not None:
        worker_rows = list(
            WorkerMonth.objects.filter(
                worker__in=workers.values("pk"), month__gte=month_start(start), month__lte=end
            )
            .order_by()
            .values("worker__employment", "worker__low_income", edge=month)
            .annotate(job_wages_fen=Sum("job_wages_fen"), **span)
        )
    for r in (*firm_rows, *worker_rows):
        r["month"] = r.pop("edge")  # None: the months in between, never cut
    partial = _partial(firm_rows, start, end) | _partial(worker_rows, start, end)
    out = JobPay()
    for r in firm_rows:
        if r["month"] not in partial:
            row = out.by_firm.setdefault(r["firm_id"], [r["firm__name"], 0, 0])
            row[1] += r["wages_fen"]
            row[2] += r["saving_fen"]
    for r in worker_rows:
        if r["month"] not in partial:
            key = (r["worker__employment"], r["worker__low_income"])
            out.by_class[key] = out.by_class.get(key, 0) + r["job_wages_fen"]
    if not partial:
        return out
    lines = PayLine.objects.filter(_days_of(partial, start, end), assignment__isnull=False)
    if workshop_ids is not None:
        lines = lines.filter(assignment__job__workshop_id__in=list(workshop_ids))
    if firm_id is not None:
        lines = lines.filter(assignment__job__line__firm_id=firm_id)
    for r in (
        lines.order_by()
        .values(
            "assignment__job__line__firm_id",
            "assignment__job__line__firm__name",
            "worker__employment",
            "worker__low_income",
        )
        .annotate(wages=Sum(amount_fen()), saving=Sum(saving_fen(rate=FIRM_RATE)))
    ):
        row = out.by_firm.setdefault(
            r["assignment__job__line__firm_id"], [r["assignment__job__line__firm__name"], 0, 0]
        )
        row[1] += r["wages"] or 0
        row[2] += r["saving"] or 0
        if workers is not None:
            key = (r["worker__employment"], r["worker__low_income"])
            out.by_class[key] = out.by_class.get(key, 0) + (r["wages"] or 0)
    return out


def earned_since(worker_ids: Collection[int], since: dt.date) -> dict[int, Decimal]:
    """``{worker id: Decimal yuan}`` booked for ``worker_ids`` on or after ``since`` (an Asia/Shanghai
    date), every line counted; a worker with nothing booked is left out. From her month rollups; the
    month of ``since``, when some of its lines were booked before it, from the ledger. One query, two when
    that month is cut."""
    ids = list(worker_ids)
    rows = list(
        WorkerMonth.objects.filter(worker_id__in=ids, month__gte=month_start(since), lines__gt=0).values(
            "worker_id", "month", "wages_fen", "first_booked"
        )
    )
    cut = month_start(since)
    fen: dict[int, int] = {}
    partial = False
    for r in rows:
        if r["month"] == cut and r["first_booked"] is not None and r["first_booked"] < since:
            partial = True
            continue
        fen[r["worker_id"]] = fen.get(r["worker_id"], 0) + r["wages_fen"]
    if partial:
        for wid, n in (
            PayLine.objects.filter(worker_id__in=ids, booked_on__gte=since, booked_on__lt=next_month(since))
            .order_by()
            .values_list("worker_id")
            .annotate(n=Sum(amount_fen()))
        ):
            fen[wid] = fen.get(wid, 0) + n
    return {wid: yuan(n) for wid, n in fen.items()}


def months_of(worker_id: int, *, limit: int | None = None) -> list[tuple[dt.date, int, Decimal]]:
    """A worker's months with pay booked (the newest ``limit``, or all), newest first: (first of the month,
    passed pieces of her lines, yuan booked). One query, a row a month."""
    rows = _months(worker_id) if limit is None else _months_of(worker_id)[:limit]
    return [(m, pieces, yuan(n)) for m, pieces, n in rows]


def _months_of(worker_id: int):
    return (
        WorkerMonth.objects.filter(worker_id=worker_id, lines__gt=0)
        .order_by("-month")
        .values_list("month", "pieces", "wages_fen")
    )


# Her every month: on her Earnings page each time she opens it, so compiled once (workshop.frozen).
_months = frozen(int)(_months_of)
