"""Pay lines summed by month, kept in step with the ledger (``WorkerMonth``, ``FirmMonth``), so a figure over
a year reads a row a month instead of every pay line.

Keeping them: the transaction that creates a pay line adds it to its rows (``line_booked``): one statement
per row touched, an ``INSERT … ON CONFLICT DO UPDATE`` that adds to the row or makes it
(``workshop.upsert``). Only a line really created is added (an idempotent retry that returns the first line
adds nothing). The pay services call it (``pay.services``); bulk loaders that write lines by
``bulk_create`` call ``rollups_rebuild`` after.

Rebuilding: ``rollups_rebuild`` recomputes the rows from the ledger with GROUP BY in the database, for some
workshops or all; a data migration filled them from the existing lines the same way.

The month of a line is the calendar month of its ``booked_on`` (Asia/Shanghai date), which is what the
dashboard's date ranges, the worker's earnings by month and "earned this year" filter on; not the pay
month it counts in (``PayLine.month``). Money is integer fen, so sums are exact on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps as django_apps
from django.db import models, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from workshop.upsert import add_to_row, add_to_rows

from . import money
from .impact import amount_fen, saving_fen
from .models import FirmMonth, WorkerMonth

FIRM_RATE = "assignment__job__piece_rate"


def fen(yuan: Decimal) -> int:
    """Yuan to the fen as integer fen: ``fen(Decimal("12.34")) == 1234``."""
    return int((Decimal(yuan) * 100).to_integral_value())


def yuan(value: int | None) -> Decimal:
    """Integer fen as Decimal yuan to the fen; None is 0."""
    return (Decimal(int(value or 0)) / 100).quantize(money.FEN)


def _bump(model, key: dict, day: dt.date | None, adds: dict) -> None:
    """Add ``adds`` to ``model``'s row of ``key``, stretching its booked days to ``day`` (None: a change
    that is no booking); create the row when there is none. One statement (``workshop.upsert``), in the
    caller's transaction: a concurrent booking of the same row waits for its lock and adds to it."""
    dates = {} if day is None else {"earliest": {"first_booked": day}, "latest": {"last_booked": day}}
    add_to_row(model, key, adds, **dates)


def work_counted(
    *, worker_id: int, at: dt.datetime, passed: int = 0, rejected: int = 0, done: int = 0, on_time: int = 0
) -> None:
    """Add a share's inspected pieces (``passed``/``rejected``, signed) or its being done or undone
    (``done``/``on_time``: +1 or −1, ``on_time`` when ``done_at`` fell on or before its due date) to the
    worker's month of ``at`` (an aware datetime: the inspection's, or the share's ``done_at``). One UPDATE
    (an INSERT for a new month). In the caller's transaction; callers call it once per change."""
    month = timezone.localtime(at).date().replace(day=1)
    adds = {"passed": passed, "rejected": rejected, "done": done, "done_on_time": on_time}
    _bump(WorkerMonth, {"worker_id": worker_id, "month": month}, None, {k: v for k, v in adds.items() if v})


def share_done(assignment, *, sign: int = 1) -> None:
    """``work_counted`` for ``assignment`` (a ``dispatch.Assignment`` with its ``done_at`` and ``due_on``)
    moving to done (``sign`` 1) or back from done (−1, with the ``done_at`` it had)."""
    done_at = assignment.done_at
    on_time = done_at is not None and timezone.localtime(done_at).date() <= assignment.due_on
    at = done_at or assignment.offered_at  # a share done before done_at was kept counts when offered
    work_counted(worker_id=assignment.worker_id, at=at, done=sign, on_time=sign if on_time else 0)


def line_booked(line, *, job=None) -> None:
    """Add ``line`` (a ``PayLine`` just created) to its worker's month and, when it is a job's line, to the
    job's firm-and-workshop month. ``job``: the line's job with its production line loaded, when the caller
    has it (else read through ``line.assignment``). One or two UPDATEs (an INSERT for a new month). Call it
    in the transaction that created the line, only when the line was created."""
    lines_booked([line], job=job)


def lines_booked(lines: list, *, job=None) -> None:
    """``line_booked`` of several lines just created, booked on one day: of one job (``job``, with its
    production line loaded) or of none (``job`` None: adjustments). One statement for every worker's month
    together (``add_to_rows``) and one for the job's firm-and-workshop month, whatever the number of lines.
    Nothing for an empty list."""
    if not lines:
        return
    day = lines[0].booked_on
    month = day.replace(day=1)
    dates = {"earliest": {"first_booked": day}, "latest": {"last_booked": day}}
    worker_rows = []
    firm_adds = {"lines": 0, "pieces": 0, "wages_fen": 0, "saving_fen": 0}
    for line in lines:
        amount = fen(line.amount)
        on_job = line.assignment_id is not None
        worker_adds = {
            "lines": 1,
            "pieces": line.pieces_passed,
            "wages_fen": amount,
            "job_wages_fen": amount if on_job else 0,
        }
        worker_rows.append(({"worker_id": line.worker_id, "month": month}, worker_adds))
        if on_job:
            job = job or line.assignment.job
            saving = money.firm_saving(line.pieces_passed, job.line.inhouse_cost_per_piece, job.piece_rate)
            firm_adds["lines"] += 1
            firm_adds["pieces"] += line.pieces_passed
            firm_adds["wages_fen"] += amount
            firm_adds["saving_fen"] += fen(saving)
    add_to_rows(WorkerMonth, worker_rows, **dates)
    if firm_adds["lines"]:
        firm_key = {"firm_id": job.line.firm_id, "workshop_id": job.workshop_id, "month": month}
        add_to_row(FirmMonth, firm_key, firm_adds, **dates)


def work_counted_many(counts: dict[int, tuple[int, int]], *, at: dt.datetime) -> None:
    """``work_counted`` of several workers' inspected pieces at once: ``counts`` {worker id: (passed,
    rejected)}, all in the month of ``at``. One statement (``add_to_rows``)."""
    month = timezone.localtime(at).date().replace(day=1)
    add_to_rows(
        WorkerMonth,
        [({"worker_id": w, "month": month}, {"passed": p, "rejected": r}) for w, (p, r) in counts.items()],
    )


# --- rebuilding from the ledger -------------------------------------------------------------------------


def _month(path: str = "booked_on"):
    return TruncMonth(path, output_field=models.DateField())


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def rebuild_with(registry, workshop_ids: Iterable[int] | None = None) -> int:
    """``rollups_rebuild`` on the models of ``registry`` (``django.apps.apps``, or a migration's historical
    ``apps``). Returns the rows written."""
    pay_line = registry.get_model("pay", "PayLine")
    worker_month = registry.get_model("pay", "WorkerMonth")
    firm_month = registry.get_model("pay", "FirmMonth")
    result = registry.get_model("dispatch", "InspectionResult")
    assignment = registry.get_model("dispatch", "Assignment")
    lines = pay_line.objects.all()
    results = result.objects.all()
    shares = assignment.objects.filter(state="done")
    workers, firms = worker_month.objects.all(), firm_month.objects.all()
    job_lines = lines.filter(assignment__isnull=False)
    if workshop_ids is not None:
        ids = list(workshop_ids)
        lines = lines.filter(worker__workshop_id__in=ids)
        results = results.filter(assignment__worker__workshop_id__in=ids)
        shares = shares.filter(worker__workshop_id__in=ids)
        job_lines = job_lines.filter(assignment__job__workshop_id__in=ids)
        workers = workers.filter(worker__workshop_id__in=ids)
        firms = firms.filter(workshop_id__in=ids)
    workers.delete()
    firms.delete()
    common = {
        "lines": Count("id"),
        "pieces": Coalesce(Sum("pieces_passed"), 0),
        "wages_fen": Coalesce(Sum(amount_fen()), 0),
        "first_booked": Min("booked_on"),
        "last_booked": Max("booked_on"),
    }
    rows: dict[tuple[int, dt.date], dict] = {}
    for r in (
        lines.annotate(m=_month())
        .order_by()
        .values("worker_id", "m")
        .annotate(**common, job_wages_fen=Coalesce(Sum(amount_fen(), filter=Q(assignment__isnull=False)), 0))
    ):
        rows[(r.pop("worker_id"), _as_date(r.pop("m")))] = r
    tz = timezone.get_current_timezone()
    for r in (
        results.annotate(
            m=TruncMonth("inspection__at", output_field=models.DateField(), tzinfo=tz),
            w=F("assignment__worker_id"),
        )
        .order_by()
        .values("w", "m")
        .annotate(passed=Sum("pieces_passed"), rejected=Sum("pieces_rejected"))
    ):
        rows.setdefault((r.pop("w"), _as_date(r.pop("m"))), {}).update(r)
    for r in (
        shares.annotate(
            m=Coalesce(
                TruncMonth("done_at", output_field=models.DateField(), tzinfo=tz),
                TruncMonth("offered_at", output_field=models.DateField(), tzinfo=tz),
            )
        )
        .order_by()
        .values("worker_id", "m")
        .annotate(done=Count("id"), done_on_time=Count("id", filter=Q(done_at__date__lte=F("due_on"))))
    ):
        rows.setdefault((r.pop("worker_id"), _as_date(r.pop("m"))), {}).update(r)
    made = worker_month.objects.bulk_create(
        (worker_month(worker_id=w, month=m, **r) for (w, m), r in rows.items()), batch_size=2000
    )
    firm_rows = (
        job_lines.annotate(
            m=_month(), firm=F("assignment__job__line__firm_id"), shop=F("assignment__job__workshop_id")
        )
        .order_by()
        .values("firm", "shop", "m")
        .annotate(**common, saving_fen=Coalesce(Sum(saving_fen(rate=FIRM_RATE)), 0))
    )
    made_firms = firm_month.objects.bulk_create(
        (
            firm_month(firm_id=r.pop("firm"), workshop_id=r.pop("shop"), month=_as_date(r.pop("m")), **r)
            for r in firm_rows.iterator()
        ),
        batch_size=2000,
    )
    return len(made) + len(made_firms)


@transaction.atomic
def rollups_rebuild(workshop_ids: Iterable[int] | None = None) -> int:
    """Recompute the month rollups (``WorkerMonth``, ``FirmMonth``) from the ledger: the pay lines, the
    inspection results and the shares now done, of the workers of ``workshop_ids`` and the jobs of those
    workshops, or of every one when None. Deletes their rows and writes them again from one GROUP BY query
    each (worker and month, three times; firm, workshop and month), in one transaction. For bulk loaders
    after they write pay lines, results or shares with ``bulk_create``, and for repair. Returns the number
    of rows written."""
    return rebuild_with(django_apps, workshop_ids)
