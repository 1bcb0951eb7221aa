"""The county that ``make bench-county`` measures is written by the database in bulk: it must still be a
history the flow could have made, or the benchmark measures pages over data no workshop would have."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from dispatch import reports
from dispatch.models import Assignment, FlowDay, FlowEvent, InspectionResult, Job, WorkReport
from lab import countybench
from lab.countydata import CountySize, build_county
from pay.models import PayLine, PayPeriod
from workshop.models import Worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_only")]

SMALL = CountySize(
    workshops=3, workers_per_workshop=40, firms=4, days=400, assignments=2_000, shares_per_job=20
)


@pytest.fixture
def county():
    return build_county(SMALL, tag="t", log=lambda *_: None)


def test_the_bulk_history_keeps_every_rule_of_the_flow(county):
    history = Job.objects.filter(state="settled")
    assert history.count() == SMALL.assignments // SMALL.shares_per_job == county.rows["jobs"]
    failed = [c["name"] for c in reports.check_invariants(jobs=Job.objects.all()) if not c["ok"]]
    assert failed == []
    shares = Assignment.objects.filter(job__in=history)
    assert shares.count() == county.rows["assignments"] == county.rows["pay_lines"]
    # Every share is reported in full once, and each passed piece paid once at the job's rate.
    assert (
        WorkReport.objects.filter(assignment__in=shares).aggregate(n=Sum("pieces"))["n"]
        == shares.aggregate(n=Sum("pieces"))["n"]
    )
    assert (
        PayLine.objects.aggregate(n=Sum("pieces_passed"))["n"]
        == shares.aggregate(n=Sum("pieces_passed"))["n"]
    )
    # Past months are closed with the total of their lines; this month's lines are in no period.
    for period in PayPeriod.objects.filter(closed_at__isnull=False):
        assert period.total_yuan == (period.lines.aggregate(t=Sum("amount"))["t"] or Decimal("0"))
    assert not PayLine.objects.filter(
        period__isnull=True, month__lt=PayPeriod.objects.order_by("-month")[0].month
    )
    # Each job has its eight state changes, each share its three, in order.
    assert FlowEvent.objects.count() == county.rows["flow_events"] + 3 * (
        Job.objects.count() - history.count()
    ) + 2 * len(county.open_assignment_ids)
    # The dashboard's day rows (dispatch.flowdays) add up to the ledger they were rebuilt from: every
    # piece reported and judged, every settled job sent once.
    days = FlowDay.objects.aggregate(r=Sum("reported"), p=Sum("passed"), j=Sum("rejected"), s=Sum("sent"))
    assert days["r"] == WorkReport.objects.aggregate(n=Sum("pieces"))["n"]
    judged = InspectionResult.objects.aggregate(p=Sum("pieces_passed"), j=Sum("pieces_rejected"))
    assert (days["p"], days["j"]) == (judged["p"], judged["j"])
    assert days["s"] == history.count()


def test_today_each_worker_holds_one_share_and_new_rows_get_fresh_ids(county):
    workers = Worker.objects.filter(user_id__in=county.worker_user_ids)
    assert len(county.open_assignment_ids) == workers.count() == SMALL.workshops * SMALL.workers_per_workshop
    held = Assignment.objects.filter(state="accepted", pk__in=county.open_assignment_ids.values())
    assert sorted(held.values_list("worker__user_id", flat=True)) == sorted(county.open_assignment_ids)
    # The identity sequences were moved past the explicit ids: the flow's own inserts don't collide.
    job = Job.objects.filter(state="in_progress").first()
    newest = Job.objects.create(
        workshop=job.workshop, line=job.line, title="新单", process_kind=job.process_kind, quantity=10,
        piece_rate=Decimal("0.2"), due_on=job.due_on, issued_by=job.issued_by,
    )  # fmt: skip
    assert newest.pk > max(Job.objects.exclude(pk=newest.pk).values_list("pk", flat=True))


def test_a_session_written_by_the_bench_signs_the_worker_in(county):
    user_id, share = next(iter(county.open_assignment_ids.items()))
    key = countybench.sessions_for([user_id])[user_id]
    client = Client()
    client.cookies["sessionid"] = key
    page = client.get("/m/")
    assert page.status_code == 200
    assert f"/m/a/{share}/" in page.content.decode()
