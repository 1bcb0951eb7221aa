"""Loading the demo workshop's season (``lab.season``) into the database: ``load_season``.

The played rows go in with one bulk insert per table, in one transaction, keeping the moments the season
gave them; then each past month is closed (``dispatch.services.period_close``, as the daily task closes it
once no lot of it waits for the firm), paid in cash on the 10th of the next month when that day has passed
(``pay.services.payout_mark_paid``), and its firms' statements prepared and signed
(``dispatch.services.statements``): the same services as the pages, their moments
then set to the days they happened. The last month closed before its 10th stays unpaid, so the pages show
wages booked and not yet paid beside wages paid.

Only into a fresh demo: a workshop with any job or pay line is refused (``SeasonRefused``), so loading
twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from dispatch import flowdays, services
from dispatch.models import Assignment, FlowEvent, Inspection, InspectionResult, Job, JobState, WorkReport
from dispatch.services.statements import statement_prepare, statement_sign
from logistics.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteMaterial
from materials.models import Balance, BomLine, Holder, Movement
from pay import money, rollups
from pay.models import FirmStatement, PayLine, PayoutBatch, PayPeriod
from pay.services import payout_mark_paid
from workshop.dates import local_midnight, next_month
from workshop.models import FirmStaff, Pairing, PartnerFirm, Worker, Workshop
from workshop.upsert import refresh_statistics

from .season import Season
from .seasonbook import SEASON_DAYS, SEED, Rows, aware

PAY_DAY = 10  # the day of the next month a closed month is paid (发放)


class SeasonRefused(Exception):
    """The workshop already has work or pay: a season goes only into a fresh demo."""


@dataclass
class SeasonSummary:
    """What ``load_season`` wrote: counts, wages (Decimal yuan), the months closed and paid (first days),
    and the seconds it took."""

    first_day: dt.date
    last_day: dt.date
    jobs: int
    shares: int
    reports: int
    pay_lines: int
    wages_yuan: Decimal
    months_closed: list[dt.date] = field(default_factory=list)
    months_paid: list[dt.date] = field(default_factory=list)
    seconds: float = 0.0


def load_season(
    workshop: Workshop, *, days: int = SEASON_DAYS, seed: int = SEED, today: dt.date | None = None
) -> SeasonSummary:
    """Play ``days`` days of ``workshop`` before ``today`` (default: today, Asia/Shanghai) and write them,
    with the past months closed, paid and stated (see the module). All or nothing, in one transaction.
    The workers' joining days and the pairings' signing day move to the season's start (a few workers
    joined during it), so figures per day since joining read true. Raises ``SeasonRefused`` (naming why)
    when the workshop already has a job or a pay line. Runs in a command, never in a web process (it lets
    the bulk inserts keep the season's moments by switching the models' ``auto_now`` off meanwhile)."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    jobs = Job.objects.filter(workshop=workshop).count()
    lines = PayLine.objects.filter(worker__workshop=workshop).count()
    if jobs or lines:
        raise SeasonRefused(
            f"{workshop.name} already has {jobs} jobs and {lines} pay lines: a season of history goes only "
            "into a fresh demo (make clean, then make run)."
        )
    season = Season(workshop=workshop, today=today, days=days, seed=seed)
    rows = season.play()
    with transaction.atomic():
        write(rows, workshop)
        _analyze()
        closed, paid = month_end(rows, workshop, start=season.start, today=today)
    return SeasonSummary(
        first_day=season.start,
        last_day=today - dt.timedelta(days=1),
        jobs=len(rows.jobs),
        shares=sum(len(j.shares) for j in rows.jobs),
        reports=len(rows.reports),
        pay_lines=len(rows.pay_lines),
        wages_yuan=money.yuan_sum(line.amount for line in rows.pay_lines),
        months_closed=closed,
        months_paid=paid,
        seconds=round(time.perf_counter() - started, 2),
    )


@contextmanager
def _moments_as_given(*models) -> Iterator[None]:
    """Within the block, ``models``' ``auto_now`` / ``auto_now_add`` fields keep the value set on the
    instance instead of now (a bulk insert of history). Process-wide while it lasts: a command's only."""
    fields = [
        f
        for m in models
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in saved:
            f.auto_now, f.auto_now_add = now, now_add


def write(rows: Rows, workshop: Workshop) -> None:
    """Insert ``rows`` parents first (each child takes its parent's id), then the movements' keys, the
    balances they leave and the flow events; and move the workers' joining days and the pairings'
    signing day. In the caller's transaction."""
    models = (Job, Assignment, WorkReport, Inspection, PayLine, FlowEvent, Movement, DeliveryNote)
    with _moments_as_given(*models):
        Job.objects.bulk_create([j.row for j in rows.jobs])
        BomLine.objects.bulk_create([b for j in rows.jobs for b in j.bom])
        Assignment.objects.bulk_create([s.row for j in rows.jobs for s in j.shares])
        WorkReport.objects.bulk_create(rows.reports)
        Inspection.objects.bulk_create(rows.inspections)
        InspectionResult.objects.bulk_create(rows.results)
        PayLine.objects.bulk_create(rows.pay_lines)
        DeliveryNote.objects.bulk_create(rows.notes)
        DeliveryNoteLine.objects.bulk_create(rows.note_lines)
        DeliveryNoteMaterial.objects.bulk_create(rows.note_materials)
        for m, (kind, of, line) in rows.movement_keys:
            m.key = f"{kind}:{of.pk}:{line.pk}"  # as kit_issue and note_prepare key them
        Movement.objects.bulk_create(rows.movements)
        Balance.objects.bulk_create(
            [
                Balance(
                    line=line,
                    holder=Holder.WORKER if worker is not None else Holder.STORE,
                    worker=worker,
                    holder_key=f"worker:{worker.pk}" if worker is not None else "store",
                    quantity=q,
                )
                for line, worker, q in rows.balances.values()
            ]
        )
        types = ContentType.objects.get_for_models(Job, Assignment)
        FlowEvent.objects.bulk_create(
            [
                FlowEvent(
                    content_type=types[type(e.obj)],
                    object_id=e.obj.pk,
                    job=e.job,
                    from_state=e.from_state,
                    to_state=e.to_state,
                    actor=e.actor,
                    at=e.at,
                    note=e.note[:300],
                )
                for e in rows.events
            ]
        )
    workers = list(Worker.objects.filter(pk__in=rows.joined_on))
    for w in workers:
        w.joined_on = rows.joined_on[w.pk]
    Worker.objects.bulk_update(workers, ["joined_on"])
    # The rows went in by bulk_create: the planner's statistics first, then the sums by month and by day.
    refresh_statistics(Job, Assignment, WorkReport, Inspection, InspectionResult, FlowEvent, PayLine, Worker)
    rollups.rollups_rebuild([workshop.pk])  # the pay lines went in by bulk_create: sum them by month
    flowdays.flowdays_rebuild([workshop.pk])  # and the reports, results and events: by day
    Pairing.objects.filter(workshop=workshop).update(signed_on=rows.signed_on)


def _closable_at(rows: Rows, month: dt.date) -> dt.datetime | None:
    """When ``month`` could first be closed: its end, or later when a lot handed over before its end was
    booked later; None while such a lot is still with the firm (``period_close`` would refuse)."""
    end = local_midnight(next_month(month))
    at = end + dt.timedelta(hours=6)  # the daily task's morning round
    for j in rows.jobs:
        if j.note is None or j.note.sent_at >= end:
            continue
        if j.row.state != JobState.SETTLED:
            return None
        at = max(at, j.booked_at + dt.timedelta(hours=1))
    return at


def _statements(workshop: Workshop, month: dt.date, *, sign: bool) -> list[FirmStatement]:
    """The statement of each firm with pay booked at ``workshop`` in ``month``, prepared by its head
    (``statement_prepare``) and, with ``sign``, signed by the firm's first clerk (``statement_sign``):
    ``statements_close_month`` for this one workshop."""
    first, nxt = month, next_month(month)
    firm_ids = (
        PayLine.objects.filter(assignment__job__workshop=workshop, booked_on__gte=first, booked_on__lt=nxt)
        .values_list("assignment__job__line__firm_id", flat=True)
        .distinct()
        .order_by("assignment__job__line__firm_id")
    )
    out = []
    for firm in PartnerFirm.objects.filter(pk__in=list(firm_ids)).order_by("pk"):
        statement = statement_prepare(actor=workshop.head, firm=firm, workshop=workshop, month=first)
        clerk = FirmStaff.objects.filter(firm=firm).select_related("user").order_by("pk").first()
        if sign and clerk is not None:
            statement = statement_sign(actor=clerk.user, statement=statement)
        out.append(statement)
    return out


def _analyze() -> None:
    """On PostgreSQL, fresh statistics for the tables just bulk-written (ANALYZE sees this transaction's own
    rows): the month-end queries that follow otherwise plan for the empty tables autovacuum last saw, and
    a nested loop over a season's rows took minutes."""
    if connection.vendor != "postgresql":
        return
    tables = (
        Job,
        Assignment,
        WorkReport,
        Inspection,
        InspectionResult,
        PayLine,
        DeliveryNote,
        DeliveryNoteLine,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE " + ", ".join(m._meta.db_table for m in (*tables, Movement, Balance, FlowEvent))
        )


def month_end(
    rows: Rows, workshop: Workshop, *, start: dt.date, today: dt.date
) -> tuple[list[dt.date], list[dt.date]]:
    """Close each month of the season before ``today``'s month that can be closed by yesterday, pay it on
    its pay day when that has passed, and prepare its firms' statements (signed two days later when that
    has passed). Through the services, their moments set to those days. Returns (months closed, paid)."""
    closed, paid = [], []
    month = start.replace(day=1)
    this_month = today.replace(day=1)
    while month < this_month:
        at = _closable_at(rows, month)
        if at is None or timezone.localtime(at).date() >= today:
            break  # the daily task closes it once the firm has booked its last lot
        try:
            period = services.period_close(actor=None, workshop=workshop, month=month)
        except ValidationError:
            break
        PayPeriod.objects.filter(pk=period.pk).update(closed_at=at)
        closed.append(month)
        stated = aware(timezone.localtime(at).date() + dt.timedelta(days=1), 9 * 60)
        signed = stated + dt.timedelta(days=2, hours=6)
        for statement in _statements(workshop, month, sign=signed.date() < today):
            FirmStatement.objects.filter(pk=statement.pk).update(
                created_at=stated, signed_at=signed if statement.signed_at else None
            )
        pay_on = next_month(month).replace(day=PAY_DAY)
        if pay_on.weekday() == 6:
            pay_on += dt.timedelta(days=1)
        if pay_on < today:
            batch, _created = payout_mark_paid(
                period=period,
                method="cash",
                actor=workshop.head,
                key=f"season-payout:{workshop.pk}:{month:%Y-%m}",
            )
            PayoutBatch.objects.filter(pk=batch.pk).update(paid_at=aware(pay_on, 10 * 60))
            paid.append(month)
        month = next_month(month)
    return closed, paid
