"""Pay's writes: booking a pay line for an inspection result, and closing a month.

Pay lines are a ledger: written once per inspection result (database-unique), never edited. Callers hold
the transaction (``inspection_book`` books inside the flow's own, after locking the job).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from workshop.dates import next_month
from workshop.models import Workshop

from . import money
from .models import PayLine, PayPeriod


def pay_line_book(*, result, rate: Decimal, booked_on: dt.date) -> tuple[PayLine, bool]:
    """Book the pay for one inspection result's passed pieces (计件工资): ``result.pieces_passed`` (int > 0)
    × ``rate`` (Decimal yuan per piece), half-up to the fen, on ``booked_on`` (an Asia/Shanghai date).

    ``result`` is a ``dispatch.InspectionResult`` with its assignment (and the assignment's worker) loaded.
    Idempotent: a result already paid returns its line and ``False``; no passed piece is paid twice (the
    line is unique per result in the database). Runs in the caller's transaction.
    """
    a = result.assignment
    return PayLine.objects.get_or_create(
        result=result,
        defaults={
            "worker": a.worker,
            "assignment": a,
            "inspection_id": result.inspection_id,
            "pieces_passed": result.pieces_passed,
            "rate": rate,
            "amount": money.wage_amount(result.pieces_passed, rate),
            "booked_on": booked_on,
        },
    )


@transaction.atomic
def pay_period_close(*, workshop: Workshop, month: dt.date) -> PayPeriod:
    """Close ``workshop``'s pay period for the month of ``month`` (结算周期): attach the month's pay lines
    and fix the total (Decimal yuan). Idempotent: a closed period is returned unchanged."""
    first = month.replace(day=1)
    nxt = next_month(first)
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
