"""Task bodies called directly (``task.run``): each re-fetches, re-checks, and is safe to run twice.

Inside the pytest-django ``db`` transaction nothing commits, so the services' ``delay_on_commit``
callbacks never fire and no broker is needed. Real delivery through Redis is ``test_celery_flow.py``'s.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dispatch import services, tasks
from dispatch.models import (
    Assignment,
    AssignmentState,
    FlowEvent,
    Job,
    JobState,
)
from dispatch.services import ResultInput
from notices import tasks as notices_tasks
from notices.models import Notification, NotificationKind
from pay.models import PayLine, PayPeriod
from tests.conftest import tomorrow
from tests.lots import completed, hand_over, left_done
from workshop.models import Workshop


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The cast sets seven passwords; the default PBKDF2 hasher makes that the slowest part of a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _accepted(cast, issue_job, **kw) -> Job:
    return services.job_accept(actor=cast.head, job=issue_job(**kw))


def _all_reported(cast, issue_job) -> Job:
    job = _accepted(cast, issue_job, quantity=200)
    for worker in (cast.alice, cast.bob):
        offer = services.assignment_offer(job=job, worker=worker, pieces=100)
        services.assignment_accept(actor=worker.user, assignment=offer)
        services.work_report(actor=worker.user, assignment=offer, pieces=100, key=uuid.uuid4().hex)
    return job


def _inspected(cast, issue_job, *, rework: int = 0):
    job = _all_reported(cast, issue_job)
    tasks.finish_job_if_done.run(job.pk)
    hand_over(job)
    a, b = Assignment.objects.filter(job=job).order_by("id")
    inspection = services.job_inspect(
        actor=cast.clerk,
        job=job,
        results=[
            ResultInput(assignment_id=a.pk, passed=90, rejected=10, rework=rework),
            ResultInput(assignment_id=b.pk, passed=100, rejected=0),
        ],
    )
    return job, inspection


# --- on_job_issued -----------------------------------------------------------------------------------


def test_on_job_issued_tells_the_head_and_leaves_the_job_to_them(cast, issue_job):
    job = issue_job()

    assert tasks.on_job_issued.run(job.pk) == "notified"

    job.refresh_from_db()
    assert job.state == JobState.ISSUED
    assert Notification.objects.filter(recipient=cast.head, kind=NotificationKind.JOB_ISSUED).count() == 1


def test_on_job_issued_applies_the_pairings_auto_accept_rule_once(cast, issue_job):
    cast.pairing.auto_accept = True
    cast.pairing.save()
    job = issue_job(quantity=300, due_on=tomorrow(7))

    assert tasks.on_job_issued.run(job.pk) == "auto-accepted"
    assert tasks.on_job_issued.run(job.pk) == "already-handled"

    job.refresh_from_db()
    assert job.state == JobState.ACCEPTED
    accepted = FlowEvent.objects.filter(job=job, to_state=JobState.ACCEPTED)
    assert [(e.from_state, e.actor_id) for e in accepted] == [(JobState.ISSUED, None)]
    assert Notification.objects.filter(recipient=cast.head, kind=NotificationKind.JOB_ISSUED).count() == 1


@pytest.mark.parametrize(
    ("rule", "job_kw"),
    [
        ({"auto_accept_max_pieces": 200}, {"quantity": 300}),  # too many pieces for the rule
        ({"auto_accept_min_lead_days": 10}, {"due_on": tomorrow(3)}),  # due too soon for the rule
        ({"active": False}, {}),  # the pairing lapsed after the job was issued
        ({"auto_accept": False}, {}),
    ],
)
def test_on_job_issued_leaves_jobs_outside_the_rule_to_the_head(cast, issue_job, rule, job_kw):
    job = issue_job(**job_kw)
    cast.pairing.auto_accept = True
    for field, value in rule.items():
        setattr(cast.pairing, field, value)
    cast.pairing.save()

    assert tasks.on_job_issued.run(job.pk) == "notified"

    job.refresh_from_db()
    assert job.state == JobState.ISSUED


def test_on_job_issued_for_a_job_that_is_gone_does_nothing(db):
    assert tasks.on_job_issued.run(987654) == "missing"


# --- plan_job_offers ---------------------------------------------------------------------------------


def test_plan_job_offers_offers_the_job_once(cast, issue_job):
    job = _accepted(cast, issue_job, quantity=1000)

    made = tasks.plan_job_offers.run(job.pk)
    assert made > 0
    assert tasks.plan_job_offers.run(job.pk) == 0

    job.refresh_from_db()
    assert job.pieces_assigned == 1000
    assert Assignment.objects.filter(job=job).count() == made


def test_a_burst_of_accepted_jobs_is_planned_by_the_first_task(cast, issue_job):
    jobs = [_accepted(cast, issue_job, quantity=200) for _ in range(3)]

    made = [tasks.plan_job_offers.run(job.pk) for job in jobs]

    assert made[0] == Assignment.objects.count() > 0 and made[1:] == [0, 0]
    for job in jobs:
        job.refresh_from_db()
        assert job.pieces_assigned == 200


def test_the_replan_sweep_queues_one_plan_per_workshop(cast, issue_job, monkeypatch):
    for _ in range(3):
        _accepted(cast, issue_job, quantity=200)
    queued = []
    monkeypatch.setattr(tasks.plan_workshop_offers, "delay", lambda *a: queued.append(a))

    assert tasks.replan_unassigned_jobs.run() == 1
    assert queued == [(cast.ws.pk,)]
    assert tasks.plan_workshop_offers.run(cast.ws.pk) == Assignment.objects.count() > 0


def test_plan_job_offers_ignores_a_job_not_yet_accepted(cast, issue_job):
    job = issue_job()

    assert tasks.plan_job_offers.run(job.pk) == 0
    assert not Assignment.objects.exists()


# --- expire_stale_offers -----------------------------------------------------------------------------


def test_expire_stale_offers_expires_overdue_offers_once(cast, issue_job):
    job = _accepted(cast, issue_job, quantity=300)
    overdue = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    answered = services.assignment_offer(job=job, worker=cast.bob, pieces=100)
    services.assignment_accept(actor=cast.bob.user, assignment=answered)
    later = (overdue.expires_at + dt.timedelta(minutes=5)).isoformat()

    assert tasks.expire_stale_offers.run(now=later) == 1
    assert tasks.expire_stale_offers.run(now=later) == 0

    overdue.refresh_from_db()
    answered.refresh_from_db()
    job.refresh_from_db()
    assert overdue.state == AssignmentState.EXPIRED
    assert answered.state == AssignmentState.ACCEPTED
    assert job.pieces_assigned == 100
    assert FlowEvent.objects.filter(object_id=overdue.pk, to_state=AssignmentState.EXPIRED).count() == 1


def test_expire_stale_offers_leaves_offers_still_within_their_deadline(cast, issue_job):
    job = _accepted(cast, issue_job)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)

    assert tasks.expire_stale_offers.run() == 0
    assert tasks.expire_stale_offers.run(now=(offer.expires_at - dt.timedelta(minutes=1)).isoformat()) == 0

    offer.refresh_from_db()
    assert offer.state == AssignmentState.OFFERED


# --- finish_job_if_done ------------------------------------------------------------------------------


def test_finish_job_if_done_makes_a_finished_job_ready_to_hand_over_once_and_tells_the_head(cast, issue_job):
    job = left_done(_all_reported(cast, issue_job))  # the sweep's case: its completion was lost

    assert tasks.finish_job_if_done.run(job.pk) == "completed"
    events = FlowEvent.objects.count()
    assert tasks.finish_job_if_done.run(job.pk) == "nothing"

    job.refresh_from_db()
    assert job.state == JobState.COMPLETED  # the firm counts the lot in before it is inspected
    assert FlowEvent.objects.count() == events
    told = Notification.objects.filter(kind=NotificationKind.READY_TO_HAND_OVER)
    assert [(n.recipient_id, n.params["n"]) for n in told] == [(cast.head.pk, job.quantity)]
    assert not Notification.objects.filter(kind=NotificationKind.READY_FOR_INSPECTION).exists()


def test_finish_job_if_done_waits_while_work_is_open(cast, issue_job):
    job = _accepted(cast, issue_job, quantity=200)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=200)
    services.assignment_accept(actor=cast.alice.user, assignment=offer)
    services.work_report(actor=cast.alice.user, assignment=offer, pieces=199, key=uuid.uuid4().hex)

    assert tasks.finish_job_if_done.run(job.pk) == "not-ready"

    job.refresh_from_db()
    assert job.state == JobState.IN_PROGRESS


def test_finish_job_if_done_leaves_a_completed_job_to_its_hand_over(cast, issue_job):
    job = completed(_all_reported(cast, issue_job))  # by the last report
    events = FlowEvent.objects.count()

    assert tasks.finish_job_if_done.run(job.pk) == "nothing"

    job.refresh_from_db()
    assert job.state == JobState.COMPLETED
    assert FlowEvent.objects.count() == events


# --- book_inspection ---------------------------------------------------------------------------------


def test_book_inspection_twice_books_once(cast, issue_job):
    job, inspection = _inspected(cast, issue_job)

    assert tasks.book_inspection.run(inspection.pk) == "booked"
    assert tasks.book_inspection.run(inspection.pk) == "already-booked"

    job.refresh_from_db()
    assert job.state == JobState.SETTLED
    assert PayLine.objects.count() == 2
    assert FlowEvent.objects.filter(job=job, to_state=JobState.SETTLED).count() == 1


def test_book_inspection_with_rework_sends_the_job_back_to_production(cast, issue_job):
    job, inspection = _inspected(cast, issue_job, rework=10)

    assert tasks.book_inspection.run(inspection.pk) == "booked"
    assert tasks.book_inspection.run(inspection.pk) == "already-booked"

    job.refresh_from_db()
    assert job.state == JobState.IN_PROGRESS
    assert Assignment.objects.filter(job=job, rework_of__isnull=False).count() == 1


def test_book_inspection_of_an_inspection_that_is_gone_does_nothing(db):
    assert tasks.book_inspection.run(987654) == "missing"


# --- notifications and pay periods -------------------------------------------------------------------


def test_deliver_notification_sends_once(cast, issue_job):
    job = issue_job()
    tasks.on_job_issued.run(job.pk)
    note = Notification.objects.get(kind=NotificationKind.JOB_ISSUED)

    assert notices_tasks.deliver_notification.run(note.pk) is True
    assert notices_tasks.deliver_notification.run(note.pk) is False

    note.refresh_from_db()
    assert note.sent_at is not None


def test_close_pay_periods_closes_every_workshop_once(cast, issue_job):
    job, inspection = _inspected(cast, issue_job)
    tasks.book_inspection.run(inspection.pk)
    month = timezone.localdate().isoformat()

    assert tasks.close_pay_periods.run(month) == Workshop.objects.count()
    period = PayPeriod.objects.get(workshop=cast.ws)
    assert tasks.close_pay_periods.run(month) == Workshop.objects.count()

    assert PayPeriod.objects.filter(workshop=cast.ws).count() == 1
    assert PayPeriod.objects.get(workshop=cast.ws).closed_at == period.closed_at
    assert period.total_yuan == sum(line.amount for line in PayLine.objects.filter(worker__workshop=cast.ws))
    assert PayPeriod.objects.count() == Workshop.objects.count()


def test_the_daily_close_leaves_no_empty_closed_month_before_a_workshop_was_set_up(cast):
    # Every workshop here was set up this month: last month has nothing of theirs to close.
    assert tasks.close_pay_periods.run() == 0
    assert not PayPeriod.objects.exists()


def test_close_pay_periods_leaves_a_month_open_while_a_lot_waits_for_the_firm(cast, issue_job):
    # A lot handed over this month and not yet inspected: the month cannot close without its pieces.
    waiting = _all_reported(cast, issue_job)
    tasks.finish_job_if_done.run(waiting.pk)
    hand_over(waiting)
    today = timezone.localdate()

    assert tasks.close_pay_periods.run(today.isoformat()) == Workshop.objects.count() - 1
    assert not PayPeriod.objects.filter(workshop=cast.ws, closed_at__isnull=False).exists()
    with pytest.raises(ValidationError) as refused:
        services.period_close(actor=cast.head, workshop=cast.ws, month=today, early=True)
    assert waiting.title in str(refused.value)
