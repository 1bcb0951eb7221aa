"""The flow routed by a real Celery worker consuming from a real Redis: the user's story end to end."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from config.celery import wait_until_idle
from dispatch import services, tasks
from dispatch.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    Inspection,
    Job,
    JobState,
)
from notices import delivery
from notices.models import Notification
from notices.services import notify as notify_service
from pay.models import PayLine
from tests.lots import hand_over

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _offers(job):
    return list(
        Assignment.objects.filter(job=job, state=AssignmentState.OFFERED).select_related("worker__user")
    )


def _work_everything(job, tag):
    for a in Assignment.objects.filter(job=job, state=AssignmentState.ACCEPTED).select_related(
        "worker__user"
    ):
        services.work_report(actor=a.worker.user, assignment=a, pieces=a.pieces_to_do, key=f"{tag}-{a.pk}")


def test_a_job_goes_from_issue_to_booked_pay_through_the_worker(celery_worker, cast, issue_job):
    job = issue_job(quantity=300, rate="0.0350")
    wait_until_idle(timeout=30)
    assert Notification.objects.filter(recipient=cast.head, kind="job_issued").exists()
    assert Job.objects.get(pk=job.pk).state == JobState.ISSUED  # no auto-accept rule on this pairing

    services.job_accept(actor=cast.head, job=job)
    wait_until_idle(timeout=30)
    offers = _offers(job)
    assert offers and sum(a.pieces for a in offers) == 300  # the worker planned and offered the split
    for a in offers:
        services.assignment_accept(actor=a.worker.user, assignment=a)
    _work_everything(job, "r1")
    wait_until_idle(timeout=30)
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED  # completed by the worker: ready to hand over, and it stops
    job = hand_over(job)  # the delivery note written, sent and counted in by the firm
    assert job.state == JobState.INSPECTING

    done = list(job.assignments.filter(state=AssignmentState.DONE).order_by("pk"))
    first, rest = done[0], done[1:]
    results = [services.ResultInput(first.pk, first.pieces - 5, 5, 3, "毛刺")]
    results += [services.ResultInput(a.pk, a.pieces, 0, 0) for a in rest]
    services.job_inspect(actor=cast.clerk, job=job, results=results)
    wait_until_idle(timeout=30)
    job.refresh_from_db()
    assert job.state == JobState.IN_PROGRESS  # back to production for the rework
    rework = Assignment.objects.get(job=job, kind=AssignmentKind.REWORK)
    assert (rework.worker_id, rework.pieces, rework.state) == (first.worker_id, 3, AssignmentState.ACCEPTED)
    paid = sum(p.pieces_passed for p in PayLine.objects.filter(assignment__job=job))
    assert paid == 295

    _work_everything(job, "r2")
    wait_until_idle(timeout=30)
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED
    job = hand_over(job)  # the reworked pieces go as the job's second lot
    assert job.state == JobState.INSPECTING
    assert job.delivery_notes.count() == 2
    services.job_inspect(actor=cast.clerk, job=job, results=[services.ResultInput(rework.pk, 3, 0, 0)])
    wait_until_idle(timeout=30)
    job.refresh_from_db()
    assert job.state == JobState.SETTLED
    lines = PayLine.objects.filter(assignment__job=job)
    assert sum(p.pieces_passed for p in lines) == 298  # 2 pieces failed for good
    assert sum(p.amount for p in lines) == sum(
        (Decimal(p.pieces_passed) * Decimal("0.0350")).quantize(Decimal("0.01"), ROUND_HALF_UP) for p in lines
    )
    assert Notification.objects.filter(recipient=first.worker.user, kind="rework").exists()


@pytest.fixture
def published_names():
    """Names of the tasks published while the test runs (the worker runs in this process, so its own
    follow-up tasks are seen too)."""
    from celery.signals import before_task_publish

    names: list[str] = []

    def record(sender=None, **kwargs):
        names.append(sender)

    before_task_publish.connect(record, weak=False)
    yield names
    before_task_publish.disconnect(record)


def test_messages_made_by_the_worker_go_out_without_a_task_of_their_own(
    celery_worker, cast, issue_job, published_names
):
    job = issue_job(quantity=300)
    wait_until_idle(timeout=30)
    services.job_accept(actor=cast.head, job=job)  # a person's change: its message is queued
    wait_until_idle(timeout=30)
    offers = _offers(job)

    assert offers
    notes = Notification.objects.filter(kind__in=("job_issued", "job_accepted", "offer"))
    assert notes.count() == 2 + len(offers) and not notes.filter(sent_at__isnull=True).exists()
    # The head's notice and the offers were made by tasks and sent by them; the firm's notice of the
    # head's acceptance, made in the request's process, was sent there too (the console sender runs in
    # the process: no delivery task at all).
    assert published_names.count("notices.tasks.deliver_notification") == 0
    assert published_names.count("dispatch.tasks.plan_job_offers") == 1


def test_a_failing_channel_is_retried_alone_and_given_up_after_three_tries(cast, monkeypatch, caplog):
    from notices import senders as notify

    inbox_got, sms_down = [], [True]

    def inbox(note):
        inbox_got.append(note.pk)

    def sms(note):
        if sms_down[0]:
            raise ConnectionError("SMS gateway down")

    monkeypatch.setattr(notify, "senders", lambda: [inbox, sms])
    note = notify_service(
        recipient=cast.head, kind="job_issued", params={"f": "x", "t": "x", "n": 1}, dedupe_key="fail-test"
    )

    assert delivery.notification_deliver(notification=note.pk) is False
    note.refresh_from_db()
    assert note.sent_at is None and note.attempts == 1  # unclaimed: the sweep tries again...
    sms_down[0] = False
    assert delivery.notification_deliver(notification=note.pk) is True
    note.refresh_from_db()
    assert note.sent_at is not None and len(note.sent_via) == 2
    assert inbox_got == [note.pk]  # ...through the failed channel only

    sms_down[0] = True
    other = notify_service(
        recipient=cast.head, kind="job_issued", params={"f": "x", "t": "x", "n": 1}, dedupe_key="fail-test-2"
    )
    for _ in range(delivery.MAX_DELIVERY_ATTEMPTS):
        delivery.notification_deliver(notification=other.pk)
    other.refresh_from_db()
    assert other.sent_at is not None and other.attempts == delivery.MAX_DELIVERY_ATTEMPTS  # given up
    assert delivery.notification_deliver(notification=other.pk) is False
    assert inbox_got.count(other.pk) == 1
    assert f"gave up sending notification {other.pk}" in caplog.text


def test_the_same_task_delivered_twice_books_nothing_twice(celery_worker, cast, issue_job):
    job = issue_job(quantity=120)
    services.job_accept(actor=cast.head, job=job)
    wait_until_idle(timeout=30)
    for a in _offers(job):
        services.assignment_accept(actor=a.worker.user, assignment=a)
    tasks.plan_job_offers.delay(job.pk)  # a redelivered planning task offers nothing more
    tasks.plan_job_offers.delay(job.pk)
    _work_everything(job, "x")
    wait_until_idle(timeout=30)
    assert Assignment.objects.filter(job=job).count() == len(list(job.assignments.all()))
    assert Job.objects.get(pk=job.pk).pieces_assigned == 120
    job = hand_over(job)
    results = [services.ResultInput(a.pk, a.pieces, 0, 0) for a in job.assignments.filter(state="done")]
    services.job_inspect(actor=cast.clerk, job=job, results=results)
    wait_until_idle(timeout=30)
    inspection = Inspection.objects.get(job=job)
    before = list(PayLine.objects.filter(inspection=inspection).values_list("pk", "amount"))
    assert before
    tasks.book_inspection.delay(inspection.pk)
    tasks.book_inspection.delay(inspection.pk)
    tasks.finish_job_if_done.delay(job.pk)
    wait_until_idle(timeout=30)
    assert list(PayLine.objects.filter(inspection=inspection).values_list("pk", "amount")) == before
    assert Job.objects.get(pk=job.pk).state == JobState.SETTLED


def test_simulate_a_few_demo_days_holds_every_invariant(celery_worker):
    call_command("seed_demo", no_jobs=True, stdout=StringIO())
    out = StringIO()
    # Five days: a finished job's lot is handed over the day after its note and inspected the day after.
    call_command("simulate", days=5, seed=3, json=True, stdout=out, stderr=StringIO())
    lines = out.getvalue().strip().splitlines()
    result = json.loads(lines[-1])
    assert result["invariants"] and all(c["ok"] for c in result["invariants"]), result["invariants"]
    assert result["pieces"]["passed"] > 0
    assert result["pieces"]["passed"] + result["pieces"]["rejected"] <= result["pieces"]["reported"]
    for group in ("fixed", "part_time", "low_income"):
        assert Decimal(result["wages_yuan"][group]) > 0, group
    piece_pay = PayLine.objects.exclude(kind__in=("bonus", "deduction")).values_list("amount", flat=True)
    assert sum(piece_pay) == Decimal(result["wages_yuan"]["total"])
    assert "件数 pieces passed" in out.getvalue()  # the table is printed before the JSON line
    # The month's end: slips for those with pay, the firms' statements signed, figures from the ledger.
    money = result["pay"]
    assert money["slips"] == PayLine.objects.values("worker_id").distinct().count()
    assert money["statements_signed"] >= 1
    assert Decimal(money["adjustments_yuan"]) == sum(
        PayLine.objects.filter(kind__in=("bonus", "deduction")).values_list("amount", flat=True), Decimal("0")
    )
    assert money["month_closed"] == (not money["left_open"])
    if money["month_closed"]:
        assert Decimal(money["paid_yuan"]) == sum(
            PayLine.objects.values_list("amount", flat=True), Decimal("0")
        )
    assert {"fixed", "part_time", "low_income"} <= set(result["impact"]["county"]["groups"])
    # The simulated month's statements equal, line for line, each firm's booked pieces × its rate, plus
    # its material charges: recomputed here from the pay ledger and the statements' own material lines.
    from pay.models import FirmStatement

    statements = list(FirmStatement.objects.filter(signed_at__isnull=False))
    assert len(statements) == money["statements_signed"] >= 1
    for st in statements:
        booked = {}
        for job_id, title, rate, pieces in PayLine.objects.filter(
            assignment__job__line__firm=st.firm, assignment__job__workshop=st.workshop
        ).values_list(
            "assignment__job_id", "assignment__job__title", "assignment__job__piece_rate", "pieces_passed"
        ):
            booked.setdefault(job_id, [title, rate, 0])[2] += pieces
        lines = {j["job_id"]: j for j in st.figures["jobs"]}
        assert set(lines) == {j for j, (_t, _r, n) in booked.items() if n}, st
        for job_id, (_title, rate, pieces) in booked.items():
            if pieces:
                assert lines[job_id]["pieces_passed"] == pieces
                assert Decimal(lines[job_id]["amount"]) == (Decimal(pieces) * rate).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
        assert st.processing_yuan == sum((Decimal(j["amount"]) for j in lines.values()), Decimal("0"))
        charges = sum((Decimal(m["deduction_yuan"]) for m in st.figures["materials"]), Decimal("0"))
        assert st.material_deduction_yuan == charges
        assert st.payable_yuan == st.processing_yuan - charges
    kinds = result["materials"]
    assert kinds and all(f["balance_holds"] for f in kinds.values()), kinds
    # A home worker's kit comes by the next run, so a material of a job begun late may not be used yet.
    assert any(Decimal(f["consumed"]) > 0 for f in kinds.values()), kinds
    for f in kinds.values():
        received, consumed = Decimal(f["received"]), Decimal(f["consumed"])
        assert received > 0
        accounted = sum(
            Decimal(f[k])
            for k in ("consumed", "returned_to_firm", "scrapped", "lost", "in_store", "at_workers")
        )
        assert received == accounted  # nothing is left on a courier's vehicle at the end of a day
        assert (f["loss_rate"] is not None) == (consumed > 0) and f["workers_above_allowance"] >= 0
    lg = result["logistics"]
    assert (
        lg["runs"] > 0
        and lg["stops"] == lg["delivered"] + lg["collected"] + lg["handed_over"] + lg["nobody_home"]
    )
    # A lot goes on a run when it fits the vehicle, else the firm fetches it (a truck); some lot went.
    assert lg["handed_over"] + lg["fetched_by_firm"] > 0 and lg["pieces_collected"] > 0
    assert isinstance(lg["mean_days_done_to_handover"], float) and lg["mean_days_done_to_handover"] >= 0
    assert "配送 door runs" in out.getvalue()
    fairness = result["fairness"]
    assert set(fairness) == {"optimiser", "first_come"}
    for m in fairness.values():
        assert 0 <= m["gini"] < 1 and 0 <= m["low_income_wage_share"] <= 1 and m["on_time_pieces"] > 0
    # Over the quarter the optimiser is fairer, gives low-income workers more, and loses no on-time pieces.
    assert fairness["optimiser"]["gini"] < fairness["first_come"]["gini"]
    assert fairness["optimiser"]["low_income_wage_share"] > fairness["first_come"]["low_income_wage_share"]
    assert fairness["optimiser"]["on_time_pieces"] >= fairness["first_come"]["on_time_pieces"]


def test_the_benchmark_takes_its_jobs_through_the_worker_and_prints_one_json_line(celery_worker):
    call_command("seed_demo", no_jobs=True, stdout=StringIO())
    out = StringIO()

    call_command("bench", noop_tasks=20, flow_jobs=3, plan_repeats=1, stdout=out)

    result = json.loads(out.getvalue().strip().splitlines()[-1])
    for key in (
        "flow_jobs_per_s",
        "noop_tasks_per_s",
        "flow_ratio_to_noop",
        "county_plan_seconds",
        "plan_to_solver_ratio",
        "objective_to_greedy",
    ):
        assert result[key] > 0, key
    assert result["flow_jobs_settled"] == 3
    assert result["flow_tasks"]["book_inspection"] == 3  # counted by the worker itself
    assert result["flow_inline_jobs_per_s"] > 0
    assert Job.objects.filter(state=JobState.SETTLED).count() == 6  # 3 through the worker, 3 inline
