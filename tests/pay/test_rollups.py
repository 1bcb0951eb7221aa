"""The month rollups (``pay.rollups``) are kept by the bookings themselves: after pieces, a correction of a
closed month, a bonus, a deduction, a reversal and retried requests, every row equals what a rebuild from
the ledger makes of it, field by field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from dispatch import reports, services
from dispatch.models import InspectionResult
from pay import rollups
from pay import services as pay
from pay.models import FirmMonth, LineKind, PayLine, WorkerMonth

from .conftest import booked, key, report, started

WORKER_FIELDS = (
    "worker_id",
    "month",
    "lines",
    "pieces",
    "wages_fen",
    "job_wages_fen",
    "first_booked",
    "last_booked",
    "passed",
    "rejected",
    "done",
    "done_on_time",
)
FIRM_FIELDS = (
    "firm_id",
    "workshop_id",
    "month",
    "lines",
    "pieces",
    "wages_fen",
    "saving_fen",
    "first_booked",
    "last_booked",
)


def kept() -> tuple[list, list]:
    """Every rollup row, every field, in key order."""
    return (
        list(WorkerMonth.objects.order_by("worker_id", "month").values_list(*WORKER_FIELDS)),
        list(FirmMonth.objects.order_by("firm_id", "workshop_id", "month").values_list(*FIRM_FIELDS)),
    )


def assert_rebuild_agrees() -> tuple[list, list]:
    before = kept()
    rollups.rollups_rebuild()
    assert kept() == before
    return before


def test_the_bookings_keep_the_rollups_exactly_as_a_rebuild_from_the_ledger(cast, issue_job):
    job, (alice, bob) = booked(cast, issue_job, verdicts={1: 20})
    today = timezone.localdate()
    # A retried booking of a paid result (as a retried task would) books nothing and adds nothing.
    result = InspectionResult.objects.select_related("assignment__worker").get(assignment=alice)
    _line, created = pay.pay_line_book(result=result, rate=job.worker_rate, booked_on=today)
    assert not created
    # The month closes; a correction of its result lands in the next month.
    services.period_close(actor=cast.head, workshop=cast.ws, month=today, early=True)
    services.result_correct(actor=cast.head, result=result, passed=120, rejected=10, reason="复检")
    # A bonus (and its retry), a deduction booked last month, its reversal (and that retry).
    bonus_key = key()
    for _ in range(2):
        pay.adjustment_add(
            worker=cast.alice, kind=LineKind.BONUS, amount="50", reason="全勤", actor=cast.head, key=bonus_key
        )
    last_month = today.replace(day=1) - dt.timedelta(days=3)
    deduction, _ = pay.adjustment_add(
        worker=cast.bob,
        kind=LineKind.DEDUCTION,
        amount="12.34",
        reason="损坏",
        actor=cast.head,
        key=key(),
        booked_on=last_month,
    )
    undo_key = key()
    for _ in range(2):
        pay.adjustment_reverse(line=deduction, actor=cast.head, reason="记错了", key=undo_key)
    # Carol's share is done, undone by her typo's undo, and done again.
    _job, (carol,) = started(cast, issue_job, shares=(("carol", 20),))
    last = report(carol, 20)
    services.report_undo(actor=cast.carol.user, report=last)
    report(carol, 20)

    workers, firms = assert_rebuild_agrees()

    # And the rows say what the ledger says: per worker, her lines' sum; per firm, its saving.
    assert PayLine.objects.count() == sum(r[2] for r in workers) == 7
    ledger = dict(PayLine.objects.values_list("worker_id").annotate(t=Sum("amount")).order_by())
    per_worker: dict[int, int] = {}
    for r in workers:
        if r[2]:
            per_worker[r[0]] = per_worker.get(r[0], 0) + r[4]
    assert {w: rollups.yuan(f) for w, f in per_worker.items()} == ledger
    assert [r[1] for r in workers if r[0] == cast.bob.pk] == [last_month.replace(day=1), today.replace(day=1)]
    (firm_row,) = firms
    saved = reports.firm_savings(PayLine.objects.filter(assignment__isnull=False))[cast.firm.pk][1]
    assert rollups.yuan(firm_row[6]) == saved
    assert firm_row[3] == 4 and firm_row[4] == 130 + 150 - 130 + 120  # pieces and their corrections
    assert rollups.yuan(firm_row[5]) == Decimal("9.45") + Decimal("0.35") - Decimal("0.35")
    # The planner's counts: Alice 120 passed and 10 rejected after the correction, Bob 150 and 20; every
    # share done on time, Carol's once.
    work = {r[0]: r[-4:] for r in workers if r[1] == today.replace(day=1)}
    assert work[cast.alice.pk] == (120, 10, 1, 1)
    assert work[cast.bob.pk] == (150, 20, 1, 1)
    assert work[cast.carol.pk] == (0, 0, 1, 1)


def test_a_rebuild_of_some_workshops_leaves_the_others_rows_alone(cast, issue_job):
    booked(cast, issue_job)
    before = kept()
    WorkerMonth.objects.update(wages_fen=0)
    assert rollups.rollups_rebuild(workshop_ids=[cast.ws.pk + 1000]) == 0
    assert kept() != before
    assert rollups.rollups_rebuild(workshop_ids=[cast.ws.pk]) == 3
    assert kept() == before


def test_after_the_demo_season_the_kept_rollups_equal_a_rebuild(db):
    from lab.seasonrows import load_season
    from workshop.demo import seed_demo

    ws = seed_demo().workshop
    load_season(ws, days=21)
    workers, firms = assert_rebuild_agrees()
    assert workers and firms
    # A line booked through the services after the load is added to the loaded rows.
    worker = ws.workers.filter(active=True).order_by("pk").first()
    pay.adjustment_add(worker=worker, kind=LineKind.BONUS, amount="8", reason="奖", actor=ws.head, key=key())
    assert_rebuild_agrees()


def test_a_range_that_cuts_a_month_reads_that_months_days_from_the_ledger(cast, issue_job):
    from pay import monthly

    booked(cast, issue_job, verdicts={1: 20})
    today = timezone.localdate()
    lines = PayLine.objects.filter(assignment__isnull=False)

    def read(start, end):
        pay = monthly.job_pay(start=start, end=end, workshop_ids=[cast.ws.pk], workers=cast.ws.workers.all())
        return {f: (row[1], row[2]) for f, row in pay.by_firm.items()}, pay.class_fen()

    def ledger(start, end):
        got = lines.filter(booked_on__gte=start, booked_on__lte=end)
        saved = reports.firm_savings(got)
        wages = got.aggregate(t=Sum("amount"))["t"] or 0
        by_firm = {f: (rollups.fen(wages), rollups.fen(s)) for f, (_n, s) in saved.items()}
        return by_firm, rollups.fen(wages)

    month = today.replace(day=1)
    for start, end in [
        (month, today),  # whole rows
        (today - dt.timedelta(days=400), today + dt.timedelta(days=40)),
        (today + dt.timedelta(days=1), today + dt.timedelta(days=2)),  # the row's month, not its day
        (today - dt.timedelta(days=2), today - dt.timedelta(days=1)),
        (today, today),
    ]:
        assert read(start, end) == ledger(start, end), (start, end)
    assert read(today, today)[1] == rollups.fen(Decimal("9.80"))  # 280 passed × 0.035


def test_several_rows_are_added_to_in_one_statement_with_a_repeated_key_added_once(cast):
    """``upsert.add_to_rows``: a row made, a row added to, two pairs of one key summed first (one statement
    may not update a row twice), the booking's dates kept as the earliest and latest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workshop.upsert import add_to_rows

    may, june = dt.date(2026, 5, 1), dt.date(2026, 6, 1)
    alice, bob = cast.alice.pk, cast.bob.pk
    WorkerMonth.objects.create(
        worker_id=alice, month=may, lines=1, wages_fen=100, first_booked=dt.date(2026, 5, 9)
    )

    with CaptureQueriesContext(connection) as ctx:
        add_to_rows(
            WorkerMonth,
            [
                ({"worker_id": alice, "month": may}, {"lines": 1, "wages_fen": 250}),
                ({"worker_id": bob, "month": june}, {"lines": 1, "wages_fen": 70}),
                ({"worker_id": alice, "month": may}, {"lines": 1, "wages_fen": 5, "pieces": 3}),
            ],
            earliest={"first_booked": dt.date(2026, 5, 3)},
            latest={"last_booked": dt.date(2026, 5, 3)},
        )
        add_to_rows(WorkerMonth, [({"worker_id": bob, "month": june}, {"lines": 0})])  # nothing to add

    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["INSERT"]
    rows = {
        w: (m, lines, pieces, fen, first, last)
        for w, m, lines, pieces, fen, first, last in WorkerMonth.objects.values_list(
            "worker_id", "month", "lines", "pieces", "wages_fen", "first_booked", "last_booked"
        )
    }
    assert rows == {
        alice: (may, 3, 3, 355, dt.date(2026, 5, 3), dt.date(2026, 5, 3)),
        bob: (june, 1, 0, 70, dt.date(2026, 5, 3), dt.date(2026, 5, 3)),
    }


def test_ranges_over_several_months_of_a_season_read_what_the_ledger_sums(db):
    """``job_pay`` sums the months between a range's first and last in the database, and reads a cut
    first or last month from the ledger: over a season of ten weeks, every range's wages and savings by
    firm, and its wages by class of worker, are the ledger's to the fen."""
    from lab.seasonrows import load_season
    from pay import monthly
    from workshop.demo import seed_demo

    ws = seed_demo().workshop
    load_season(ws, days=70)
    lines = PayLine.objects.filter(assignment__isnull=False)
    first, last = (
        lines.order_by(f).values_list("booked_on", flat=True).first() for f in ("booked_on", "-booked_on")
    )
    assert (last - first).days > 40

    def ledger(start, end):
        got = lines.filter(booked_on__gte=start, booked_on__lte=end)
        by_firm = {f: rollups.fen(s) for f, (_n, s) in reports.firm_savings(got).items()}
        by_class = {}
        for emp, low, t in got.values_list("worker__employment", "worker__low_income").annotate(
            t=Sum("amount")
        ):
            by_class[(emp, low)] = by_class.get((emp, low), 0) + rollups.fen(t)
        return by_firm, {k: v for k, v in by_class.items() if v}

    def read(start, end):
        pay = monthly.job_pay(start=start, end=end, workshop_ids=[ws.pk], workers=ws.workers.all())
        return {f: row[2] for f, row in pay.by_firm.items()}, {k: v for k, v in pay.by_class.items() if v}

    middle = first + (last - first) / 2
    for start, end in [
        (first, last),
        (first + dt.timedelta(days=9), last - dt.timedelta(days=9)),
        (first.replace(day=1), last),
        (middle.replace(day=1), middle),
        (middle, middle + dt.timedelta(days=35)),
    ]:
        assert read(start, end) == ledger(start, end), (start, end)
