"""Pay's reads that other apps share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

from django.db.models import Sum

from .models import PayLine


def earned_since(worker_ids: Collection[int], since: dt.date) -> dict[int, Decimal]:
    """``{worker id: Decimal yuan}`` booked for ``worker_ids`` on or after ``since`` (an Asia/Shanghai
    date); a worker with nothing booked is left out. One query."""
    return dict(
        PayLine.objects.filter(worker_id__in=list(worker_ids), booked_on__gte=since)
        .values_list("worker_id")
        .annotate(t=Sum("amount"))
    )
