"""The flow's figures by day (``FlowDay``), kept in step with the rows they sum, so the dashboard's pieces,
pass rate, on-time rate and daily chart over a year read a row per line and day instead of every report,
inspection result and flow event of the year.

Keeping them: the transaction that writes a report, a reversal, an inspection result or a job's first
hand-over adds it to its row with one statement, ``INSERT … ON CONFLICT DO UPDATE`` (PostgreSQL and
SQLite ≥ 3.24 both have it): no read, no savepoint, and two concurrent bookings of the same day add up
instead of one failing on the unique key. The services in ``dispatch.services`` call ``add``; bulk
loaders that write those rows by ``bulk_create`` call ``flowdays_rebuild`` after.

Rebuilding: ``flowdays_rebuild`` recomputes the rows from the ledger with GROUP BY in the database, for
some workshops or all; a data migration filled them from the existing rows the same way.

The day of a row is the Asia/Shanghai date of the report's ``at``, the inspection's ``at`` (a correction:
the correcting inspection's), or the job's first event into ``handed_over``: what the dashboard's date
ranges filter on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.apps import apps as django_apps
from django.db import transaction
from django.db.models import F, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from workshop.upsert import add_to_row

from .models import FlowDay

FIELDS = ("reported", "passed", "rejected", "sent", "sent_on_time")


def local_day(at: dt.datetime) -> dt.date:
    """The Asia/Shanghai date of ``at`` (an aware datetime)."""
    return timezone.localtime(at).date()


def add(*, workshop_id: int, line_id: int, at: dt.datetime, **adds: int) -> None:
    """Add ``adds`` (``FIELDS`` → signed int) to the row of the workshop, line and Asia/Shanghai day of
    ``at`` (aware), creating it when there is none. One statement, in the caller's transaction; callers
    call it once per change they make to the ledger, only when they made it (an idempotent retry that
    returns the first row adds nothing). Raises ValueError for a field not in ``FIELDS``."""
    unknown = set(adds) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a FlowDay figure: {sorted(unknown)}")
    add_to_row(FlowDay, {"workshop_id": workshop_id, "line_id": line_id, "day": local_day(at)}, adds)


def job_add(job, *, at: dt.datetime, **adds: int) -> None:
    """``add`` for ``job``'s workshop and production line (a ``Job``; no query)."""
    add(workshop_id=job.workshop_id, line_id=job.line_id, at=at, **adds)


def first_sent(job, *, at: dt.datetime) -> None:
    """Count ``job``'s first hand-over (its first event into ``handed_over``, at ``at``): sent, and on
    time when that Asia/Shanghai day is on or before ``job.due_on``. Call it only for the first one."""
    job_add(job, at=at, sent=1, sent_on_time=int(local_day(at) <= job.due_on))


# --- rebuilding from the ledger -------------------------------------------------------------------------


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def rebuild_with(registry, workshop_ids: Iterable[int] | None = None) -> int:
    """``flowdays_rebuild`` on the models of ``registry`` (``django.apps.apps``, or a migration's historical
    ``apps``). Returns the rows written."""
    flow_day = registry.get_model("dispatch", "FlowDay")
    report = registry.get_model("dispatch", "WorkReport")
    result = registry.get_model("dispatch", "InspectionResult")
    event = registry.get_model("dispatch", "FlowEvent")
    reports, results, days = report.objects.all(), result.objects.all(), flow_day.objects.all()
    # Only a job moves into handed_over (a share's states have no such state).
    events = event.objects.filter(to_state="handed_over")
    if workshop_ids is not None:
        ids = list(workshop_ids)
        reports = reports.filter(assignment__job__workshop_id__in=ids)
        results = results.filter(inspection__job__workshop_id__in=ids)
        events = events.filter(job__workshop_id__in=ids)
        days = days.filter(workshop_id__in=ids)
    days.delete()
    tz = timezone.get_current_timezone()
    rows: dict[tuple[int, int, dt.date], dict] = {}

    def merge(qs, shop: str, line: str, day, **sums):
        for r in qs.annotate(s=F(shop), ln=F(line), d=day).order_by().values("s", "ln", "d").annotate(**sums):
            row = rows.setdefault((r.pop("s"), r.pop("ln"), _as_date(r.pop("d"))), {})
            row.update({k: v or 0 for k, v in r.items()})

    merge(
        reports,
        "assignment__job__workshop_id",
        "assignment__job__line_id",
        TruncDate("at", tzinfo=tz),
        reported=Sum("pieces"),
    )
    merge(
        results,
        "inspection__job__workshop_id",
        "inspection__job__line_id",
        TruncDate("inspection__at", tzinfo=tz),
        passed=Sum("pieces_passed"),
        rejected=Sum("pieces_rejected"),
    )
    for r in (
        events.order_by()
        .values("job_id", "job__workshop_id", "job__line_id", "job__due_on")
        .annotate(first=Min("at"))
        .iterator(chunk_size=5000)
    ):
        day = local_day(r["first"])
        row = rows.setdefault((r["job__workshop_id"], r["job__line_id"], day), {})
        row["sent"] = row.get("sent", 0) + 1
        row["sent_on_time"] = row.get("sent_on_time", 0) + int(day <= r["job__due_on"])
    made = flow_day.objects.bulk_create(
        (flow_day(workshop_id=s, line_id=ln, day=d, **r) for (s, ln, d), r in rows.items()), batch_size=2000
    )
    return len(made)


@transaction.atomic
def flowdays_rebuild(workshop_ids: Iterable[int] | None = None) -> int:
    """Recompute the day rows (``FlowDay``) of the jobs of ``workshop_ids`` (every workshop when None) from
    the ledger: their reports, inspection results and flow events. Deletes their rows and writes them
    again from three GROUP BY queries and one read of the jobs sent, in one transaction. For bulk loaders
    after they write those rows with ``bulk_create``, and for repair. Returns the number of rows written."""
    return rebuild_with(django_apps, workshop_ids)


def figures(days) -> dict:
    """Sums of ``days`` (a FlowDay queryset, already narrowed): ``{field: int}`` for ``FIELDS``. One query."""
    got = days.aggregate(**{f: Sum(f) for f in FIELDS})
    return {f: got[f] or 0 for f in FIELDS}
