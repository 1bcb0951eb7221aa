"""Pinned query counts: each list page and the board cost the same number of queries with 10 rows as
with 100 (demands, wishes, workers holding work, ledger rows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dispatch.models import (
    Assignment,
    AssignmentState,
    Inspection,
    InspectionResult,
    Job,
    JobState,
    WorkReport,
)
from pay.models import PayLine
from tests.factories import WorkerFactory
from tests.matching.conftest import DemandFactory, WishFactory, low_income_wish


def fill(cast, n: int) -> None:
    """``n`` open demands, ``n`` wishes (every third low-income), ``n`` workers holding work, and a
    ledger of ``n`` assignments with reports, inspection results and pay lines spread over three months."""
    for i in range(n):
        DemandFactory(workshop=cast.ws, firm=cast.firm, process_kind=("assembly", "packaging")[i % 2])
        (low_income_wish if i % 3 == 0 else WishFactory)(workshop=cast.ws)
    workers = [WorkerFactory(workshop=cast.ws) for _ in range(n)]
    job = Job.objects.create(
        workshop=cast.ws,
        line=cast.line,
        title="批量",
        process_kind="assembly",
        quantity=100 * n,
        piece_rate=Decimal("0.0350"),
        due_on=timezone.localdate() + dt.timedelta(days=7),
        state=JobState.INSPECTED,
        issued_by=cast.clerk,
    )
    inspection = Inspection.objects.create(job=job, inspector=cast.clerk)
    now = timezone.now()
    for i, worker in enumerate(workers):
        when = now - dt.timedelta(days=31 * (i % 3))
        held = Assignment.objects.create(job=job, worker=worker, pieces=50, due_on=job.due_on)
        done = Assignment.objects.create(
            job=job,
            worker=worker,
            pieces=100,
            pieces_reported=100,
            pieces_handed_over=100,
            pieces_passed=90,
            pieces_rejected=10,
            due_on=job.due_on,
            state=AssignmentState.DONE,
        )
        Assignment.objects.filter(pk__in=[held.pk, done.pk]).update(offered_at=when)
        report = WorkReport.objects.create(
            assignment=done, pieces=100, key=f"k{job.pk}-{i}", reported_by=worker.user
        )
        WorkReport.objects.filter(pk=report.pk).update(at=when)
        result = InspectionResult.objects.create(
            inspection=inspection, assignment=done, pieces_submitted=100, pieces_passed=90, pieces_rejected=10
        )
        PayLine.objects.create(
            worker=worker,
            assignment=done,
            inspection=inspection,
            result=result,
            pieces_passed=90,
            rate=job.piece_rate,
            amount=Decimal("3.15"),
            booked_on=when.date(),
        )


def pages(cast):
    demand = cast.ws.demands.order_by("pk").first()
    wish = cast.ws.work_wishes.order_by("pk").first()
    return {
        "demands": "/lists/demands/",
        "demand": f"/lists/demands/{demand.pk}/",
        "supply": "/lists/supply/",
        "wish": f"/lists/supply/{wish.pk}/",
        "import": "/lists/import/",
    }


# Queries per page: session + user, the role (≤ 4), then the page's own reads (the demand list's include
# its demands per industry section, for the filter). The same for 10 and 100.
ADMIN_QUERIES = {"demands": 10, "demand": 11, "supply": 11, "wish": 10, "import": 8}
HEAD_QUERIES = {"demands": 7, "demand": 8, "supply": 8, "wish": 6}
CLERK_QUERIES = {"demands": 8, "demand": 6}
BOARD_QUERIES = 7  # the workshop, demands, and five reads of the ledger (payouts among them)


@pytest.mark.parametrize("n", [10, 100])
@pytest.mark.parametrize(
    "who, expected", [("admin", ADMIN_QUERIES), ("head", HEAD_QUERIES), ("clerk", CLERK_QUERIES)]
)
def test_list_pages_cost_the_same_queries_whatever_the_rows(
    client, cast, admin, django_assert_num_queries, n, who, expected
):
    fill(cast, n)
    client.force_login({"admin": admin, "head": cast.head, "clerk": cast.clerk}[who])
    urls = pages(cast)
    for name, count in expected.items():
        with django_assert_num_queries(count):
            response = client.get(urls[name])
        assert response.status_code == 200, name


@pytest.mark.parametrize("n", [10, 100])
def test_board_costs_the_same_queries_whatever_the_rows(client, cast, django_assert_num_queries, n):
    fill(cast, n)
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(f"/open/{cast.ws.pk}/")
    assert response.status_code == 200
    months = response.context["months"]
    assert sum(m.pieces for m in months) == 150 * n
    assert sum(m.wages for m in months) == Decimal("3.15") * n
    assert len(response.context["demands"]) == n
