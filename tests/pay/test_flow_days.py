"""The flow's day rows (``dispatch.flowdays``) are kept by the services that write reports, inspection
results and hand-overs: after a typo undone, a report corrected, a rework round handed over a second time
and an inspection corrected, every row equals what a rebuild from the ledger makes of it, and the
dashboard's figures read from them equal the ledger's own sums."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import flowdays, reports, services
from dispatch.models import AssignmentKind, FlowDay, InspectionResult, Job, WorkReport
from dispatch.services import ResultInput
from tests.lots import hand_over

from .conftest import booked, report, started

FIELDS = ("workshop_id", "line_id", "day", *flowdays.FIELDS)


def kept() -> list[tuple]:
    return list(FlowDay.objects.order_by("workshop_id", "line_id", "day").values_list(*FIELDS))


def test_the_services_keep_the_day_rows_exactly_as_a_rebuild_from_the_ledger(cast, issue_job):
    today = timezone.localdate()
    # A job made, handed over and inspected with rejects; one of them goes back to rework.
    job, (alice, bob) = started(cast, issue_job)
    typo = report(alice, 31)
    services.report_undo(actor=cast.alice.user, report=typo)  # her typo, undone
    report(alice, 130)
    wrong = report(bob, 100)
    services.report_correct(actor=cast.head, report=wrong, pieces=90, reason="点错了")
    report(bob, 80)
    job = hand_over(job)
    inspection = services.job_inspect(
        actor=cast.clerk,
        job=job,
        results=[
            ResultInput(assignment_id=alice.pk, passed=120, rejected=10, rework=4, reason="毛刺"),
            ResultInput(assignment_id=bob.pk, passed=170, rejected=0),
        ],
    )
    services.inspection_book(inspection=inspection)
    # The rework is made and its lot leaves a second time: the job's first hand-over still counts once.
    rework = job.assignments.get(kind=AssignmentKind.REWORK)
    report(rework, 4)
    job = hand_over(job)
    again = services.job_inspect(
        actor=cast.clerk, job=job, results=[ResultInput(assignment_id=rework.pk, passed=4, rejected=0)]
    )
    services.inspection_book(inspection=again)
    # The firm corrects Bob's verdict.
    result = InspectionResult.objects.get(assignment=bob, reverses__isnull=True)
    services.result_correct(actor=cast.clerk, result=result, passed=160, rejected=10, reason="复检")
    # A second job, booked the same day.
    booked(cast, issue_job, shares=(("carol", 20),), verdicts={0: 2})

    rows = kept()
    assert flowdays.flowdays_rebuild() == len(rows)
    assert kept() == rows
    (row,) = rows  # one workshop, one line, one day
    reported = WorkReport.objects.aggregate(n=Sum("pieces"))["n"]
    assert row[3] == reported == 130 + 170 + 4 + 20
    assert row[4:6] == (120 + 4 + 160 + 18, 10 + 10 + 2)
    assert row[6:] == (2, 2)  # two jobs sent, each counted at its first lot, both before their due date

    # The dashboard reads them: the same figures the ledger gives.
    figures = reports.dashboard_figures(
        jobs=Job.objects.all(),
        workers=cast.ws.workers.all(),
        start=today.replace(month=1, day=1),
        end=today,
        today=today,
        workshop_ids=[cast.ws.pk],
    )
    assert figures["pieces_month"] == {"reported": reported, "passed": 302}
    assert figures["pass"] == {"passed": 302, "rejected": 22, "rate": round(302 / 324, 4)}
    assert figures["on_time"] == {"sent": 2, "on_time": 2, "rate": 1.0}
    assert figures["daily_pieces"] == [(today.isoformat(), reported)]


def test_late_and_other_workshops_and_days_land_in_their_own_rows(cast, issue_job):
    job, _shares = booked(cast, issue_job)
    # Sent after its due date: the job was due the day before it left, by a rebuild.
    Job.objects.filter(pk=job.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    flowdays.flowdays_rebuild()
    assert kept()[0][-2:] == (1, 0)
    # A report near midnight lands on its Asia/Shanghai day, not the UTC one.
    late = dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC)  # 00:30 on 1 March in Shanghai
    flowdays.add(workshop_id=cast.ws.pk, line_id=job.line_id, at=late, reported=5)
    assert FlowDay.objects.get(day=dt.date(2026, 3, 1)).reported == 5
    # Another workshop's figures add up in its own row.
    other = cast.mallory.workshop_id
    flowdays.add(workshop_id=other, line_id=job.line_id, at=timezone.now(), reported=7)
    flowdays.add(workshop_id=other, line_id=job.line_id, at=timezone.now(), reported=-2, passed=3)
    row = FlowDay.objects.get(workshop_id=other)
    assert (row.reported, row.passed) == (5, 3)
    # A rebuild of one workshop leaves the other's rows alone; the hand-made row of 1 March is not in the
    # ledger, so the rebuild of its workshop takes it away.
    assert flowdays.flowdays_rebuild([cast.ws.pk]) == 1
    assert not FlowDay.objects.filter(day=dt.date(2026, 3, 1)).exists()
    assert FlowDay.objects.filter(workshop_id=other).count() == 1
    # And the dashboard of a workshop or a firm reads only its own rows.
    today = timezone.localdate()
    mine = reports.dashboard_figures(
        jobs=Job.objects.filter(workshop=cast.ws),
        workers=cast.ws.workers.all(),
        start=today,
        end=today,
        today=today,
        workshop_ids=[cast.ws.pk],
    )
    assert mine["daily_pieces"] == [(today.isoformat(), 300)]
    county = reports.dashboard_figures(
        jobs=Job.objects.all(),
        workers=cast.ws.workers.all(),
        start=today,
        end=today,
        today=today,
        workshop_ids=None,
    )
    assert county["daily_pieces"] == [(today.isoformat(), 305)]
    elsewhere = reports.dashboard_figures(
        jobs=Job.objects.none(),
        workers=cast.ws.workers.none(),
        start=today,
        end=today,
        today=today,
        workshop_ids=None,
        firm_id=cast.eve.firm_staff.firm_id,
    )
    assert elsewhere["daily_pieces"] == [] and elsewhere["pass"]["passed"] == 0


def test_a_day_row_is_one_statement_and_refuses_an_unknown_figure(cast, issue_job):
    job, _shares = started(cast, issue_job)
    with CaptureQueriesContext(connection) as seen:
        flowdays.job_add(job, at=timezone.now(), reported=3)
        flowdays.job_add(job, at=timezone.now(), reported=4)
        flowdays.job_add(job, at=timezone.now())  # nothing to add: no statement
    assert len(seen) == 2
    assert FlowDay.objects.get().reported == 7
    with pytest.raises(ValueError):
        flowdays.job_add(job, at=timezone.now(), pieces=1)
