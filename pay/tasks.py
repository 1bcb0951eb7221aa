"""Pay's Celery tasks: ids and dates in, idempotent, safe to redeliver."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from workshop.models import Workshop

from .services import pay_period_close


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=5)
def close_pay_periods(month: str | None = None) -> int:
    """Close every workshop's pay period for ``month`` (ISO date in the month; default: last month).
    Returns how many workshops it went through; a period already closed is left as it is."""
    if month:
        first = dt.date.fromisoformat(month).replace(day=1)
    else:
        first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for workshop in Workshop.objects.all():
        pay_period_close(workshop=workshop, month=first)
    return Workshop.objects.count()
