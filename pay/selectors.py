"""Pay's reads that other apps share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Min
from django.utils import timezone

from . import money, monthly
from .models import LossRule, PayLine, Payout, PayPeriod

if TYPE_CHECKING:
    from workshop.models import Workshop


def earned_since(worker_ids: Collection[int], since: dt.date) -> dict[int, Decimal]:
    """``{worker id: Decimal yuan}`` booked for ``worker_ids`` on or after ``since`` (an Asia/Shanghai
    date); a worker with nothing booked is left out. From the month rollups (``pay.monthly``): one query
    (two when ``since`` cuts a month some of whose lines came before it)."""
    return monthly.earned_since(worker_ids, since)


def period_dues(period: PayPeriod) -> list[tuple[int, Decimal, int]]:
    """``[(worker id, Decimal yuan, lines)]`` each worker is owed for ``period``, by worker id; summed in
    Python to the fen (SQLite adds decimals as floats). One query."""
    per: dict[int, list] = {}
    for worker_id, amount in period.lines.order_by("worker_id", "id").values_list("worker_id", "amount"):
        per.setdefault(worker_id, []).append(amount)
    return [(wid, money.yuan_sum(amounts), len(amounts)) for wid, amounts in per.items()]


def paid_total(worker_id: int) -> Decimal:
    """What ``worker_id`` has been paid, all periods (Decimal yuan): the sum of her payouts."""
    return money.yuan_sum(Payout.objects.filter(worker_id=worker_id).values_list("amount", flat=True))


def payout_counts(period: PayPeriod) -> dict[str, int]:
    """How many workers of ``period`` are paid and owed: ``{"paid": n, "owed": m}``. Two queries."""
    paid = Payout.objects.filter(period=period).aggregate(n=Count("id"))["n"]
    owed = sum(1 for _w, y, _n in period_dues(period) if y > 0)
    return {"paid": paid, "owed": owed - paid}


def loss_rule(workshop_id: int) -> LossRule | None:
    """The workshop's rule for material loss deductions in force (the newest row), or None. One query."""
    return LossRule.objects.filter(workshop_id=workshop_id).order_by("-created_at", "-id").first()


def first_pay_month(workshop: Workshop) -> dt.date:
    """The first pay month ``workshop`` can have (its first day, Asia/Shanghai): the month it was created
    in, or the month of its earliest pay line when that is earlier (a workshop whose records were brought
    in from before it was set up here). No month before it has anything to close. One query."""
    created = timezone.localtime(workshop.created_at).date().replace(day=1)
    first = PayLine.objects.filter(worker__workshop=workshop).aggregate(m=Min("month"), b=Min("booked_on"))
    months = [created] + [d.replace(day=1) for d in first.values() if d is not None]
    return min(months)
