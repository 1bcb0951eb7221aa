"""The pay month page, the months list, the signature sheet and the adjustments page cost the same number
of queries with 3 and with 20 workers: every worker's figures come from one read of the lines, never a
query per row."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dispatch import services as flow
from dispatch.services import ResultInput
from pay import services as pay
from pay.models import LineKind, PayMethod
from tests.dashboard.pay_world import community_admin, month_url
from tests.factories import UserFactory, WorkerFactory
from tests.lots import hand_over
from tests.pay.conftest import key

# Pinned: session + user, the role lookup (two for a head, five for a community admin), the workshops
# (the chosen one and the chooser's list), the period, the month's lines, their workers, the adjustments;
# a closed month adds its payouts and batches, an open one the two reads of what keeps it from closing; and
# the inbox's unread count in the header.
MONTH_QUERIES = {("head", "open"): 11, ("head", "closed"): 11, ("admin", "closed"): 14}
LIST_QUERIES = 8
SHEET_QUERIES = 8
ADJUSTMENTS_QUERIES = 9  # the material loss rules beside the adjustments included


def make_month(cast, issue_job, n_workers: int) -> None:
    """One job shared by ``n_workers`` workers of the cast's workshop, every piece passed and booked,
    and a bonus for each."""
    workers = [
        WorkerFactory(workshop=cast.ws, user=UserFactory(username=f"w{i}"), name=f"坊工{i:02d}")
        for i in range(n_workers)
    ]
    job = flow.job_accept(actor=cast.head, job=issue_job(quantity=10 * n_workers))
    shares = []
    for w in workers:
        a = flow.assignment_offer(job=job, worker=w, pieces=10)
        a = flow.assignment_accept(actor=w.user, assignment=a)
        flow.work_report(actor=w.user, assignment=a, pieces=10, key=key())
        shares.append(a)
    job = hand_over(job)
    inspection = flow.job_inspect(
        actor=cast.clerk,
        job=job,
        results=[ResultInput(assignment_id=a.pk, passed=10, rejected=0) for a in shares],
    )
    flow.inspection_book(inspection=inspection)
    for w in workers:
        pay.adjustment_add(
            worker=w, kind=LineKind.BONUS, amount="5", reason="准时奖:按期", actor=cast.head, key=key()
        )


def close_and_pay_half(cast) -> None:
    period = flow.period_close(actor=cast.head, workshop=cast.ws, month=timezone.localdate(), early=True)
    ids = list(cast.ws.workers.filter(name__startswith="坊工").order_by("pk").values_list("pk", flat=True))
    pay.payout_mark_paid(
        period=period, method=PayMethod.CASH, actor=cast.head, key=key(), worker_ids=ids[: len(ids) // 2]
    )


@pytest.mark.parametrize("n", [3, 20])
@pytest.mark.parametrize(("who", "state"), list(MONTH_QUERIES))
def test_month_page_costs_the_same_with_3_and_20_workers(
    client, cast, issue_job, django_assert_num_queries, n, who, state
):
    make_month(cast, issue_job, n)
    if state == "closed":
        close_and_pay_half(cast)
    client.force_login(cast.head if who == "head" else community_admin())
    with django_assert_num_queries(MONTH_QUERIES[(who, state)]):
        response = client.get(month_url(cast.ws))
    assert response.status_code == 200
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 20])
def test_months_list_sheet_and_adjustments_cost_the_same_with_3_and_20_workers(
    client, cast, issue_job, django_assert_num_queries, n
):
    make_month(cast, issue_job, n)
    close_and_pay_half(cast)
    client.force_login(cast.head)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(f"/dashboard/pay/periods/?ws={cast.ws.pk}").status_code == 200
    with django_assert_num_queries(SHEET_QUERIES):
        sheet = client.get(month_url(cast.ws, tail="sheet/"))
    assert len(sheet.context["rows"]) == n - n // 2
    with django_assert_num_queries(ADJUSTMENTS_QUERIES):
        page = client.get(f"/dashboard/pay/adjustments/?ws={cast.ws.pk}")
    assert len(page.context["lines"]) == n
