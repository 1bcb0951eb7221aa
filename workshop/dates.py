"""Dates and their bounds in the site's time zone (Asia/Shanghai): the one place a calendar day or month
becomes the aware datetimes that ``at``/``*_at`` columns are filtered with."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_midnight(day: dt.date) -> dt.datetime:
    """The aware datetime at which ``day`` starts in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``start``..``end`` inclusive as (from, to) aware datetimes, ``to`` excluded."""
    return local_midnight(start), local_midnight(end + dt.timedelta(days=1))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
