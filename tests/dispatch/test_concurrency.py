"""Concurrent writers on PostgreSQL: row locks and compare-and-swap updates, raced for real.

Each race starts its threads at a ``threading.Barrier`` so they hit the database together; every thread
closes its own connection when done. Publishing to the broker is stubbed: these tests commit, so the
services' ``delay_on_commit`` callbacks run, and they must not need Redis.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction

from dispatch import services
from dispatch.models import (
    Assignment,
    AssignmentState,
    FlowEvent,
    IllegalTransition,
    Job,
    JobState,
    WorkReport,
)
from dispatch.services import common


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The cast sets seven passwords; the default PBKDF2 hasher makes that the slowest part of a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def race(*calls, timeout: float = 30.0) -> list[tuple[str, object]]:
    """Run each call in its own thread, released together; return ("ok", value) or ("error", exc) each."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[tuple[str, object] | None] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=timeout)
            outcomes[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the outcome is the assertion
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racing thread hung"
    return outcomes  # type: ignore[return-value]


def _errors(outcomes) -> list[Exception]:
    return [value for kind, value in outcomes if kind == "error"]


def _accepted(cast, issue_job, quantity: int) -> Job:
    return services.job_accept(actor=cast.head, job=issue_job(quantity=quantity))


def test_two_offers_racing_for_the_last_pieces_cannot_both_win(
    postgres_only, transactional_db, cast, issue_job, published
):
    job = _accepted(cast, issue_job, quantity=100)
    services.assignment_offer(job=job, worker=cast.alice, pieces=50)

    outcomes = race(
        lambda: services.assignment_offer(job=job, worker=cast.bob, pieces=50),
        lambda: services.assignment_offer(job=job, worker=cast.carol, pieces=50),
    )

    errors = _errors(outcomes)
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], ValidationError)
    job.refresh_from_db()
    assert job.pieces_assigned == 100 <= job.quantity
    held = Assignment.objects.filter(job=job, state=AssignmentState.OFFERED)
    assert sum(held.values_list("pieces", flat=True)) == 100
    assert held.count() == 2
    assert FlowEvent.objects.filter(to_state=AssignmentState.OFFERED).count() == 2


def test_many_offers_racing_never_assign_more_than_the_quantity(
    postgres_only, transactional_db, cast, issue_job, published
):
    job = _accepted(cast, issue_job, quantity=100)
    workers = [cast.alice, cast.bob, cast.carol] * 2

    outcomes = race(*[lambda w=w: services.assignment_offer(job=job, worker=w, pieces=30) for w in workers])

    wins = [value for kind, value in outcomes if kind == "ok"]
    assert len(wins) == 3  # 3 × 30 fits in 100; a fourth would not
    assert all(isinstance(e, ValidationError) for e in _errors(outcomes))
    job.refresh_from_db()
    assert job.pieces_assigned == 90 == sum(a.pieces for a in Assignment.objects.filter(job=job))


def test_two_workshop_plans_racing_offer_each_piece_once(
    postgres_only, transactional_db, cast, issue_job, published
):
    jobs = [_accepted(cast, issue_job, quantity=q) for q in (300, 200, 100)]
    single = jobs[1]

    outcomes = race(
        lambda: services.workshop_plan_offers(workshop=cast.ws.pk),
        lambda: services.workshop_plan_offers(workshop=cast.ws.pk),
        lambda: services.job_plan_offers(job=single.pk),
    )

    assert not _errors(outcomes), outcomes
    for job in jobs:
        job.refresh_from_db()
        offered = sum(a.pieces for a in Assignment.objects.filter(job=job))
        assert job.pieces_assigned == offered == job.quantity, job
    made = sum(len(value) for _, value in outcomes)
    assert made == Assignment.objects.count()  # the losers found nothing left to offer


def test_two_reports_with_the_same_key_count_once(
    postgres_only, transactional_db, cast, issue_job, published
):
    job = _accepted(cast, issue_job, quantity=100)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=offer)
    key = uuid.uuid4().hex

    outcomes = race(
        lambda: services.work_report(actor=cast.alice.user, assignment=offer.pk, pieces=30, key=key),
        lambda: services.work_report(actor=cast.alice.user, assignment=offer.pk, pieces=30, key=key),
    )

    assert not _errors(outcomes), outcomes
    created = sorted(value[1] for _, value in outcomes)
    assert created == [False, True]
    assert {value[0].pk for _, value in outcomes} == {WorkReport.objects.get().pk}
    offer.refresh_from_db()
    assert offer.pieces_reported == 30


def test_two_reports_of_the_last_pieces_finish_the_assignment_once(
    postgres_only, transactional_db, cast, issue_job, published
):
    job = _accepted(cast, issue_job, quantity=100)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=offer)
    services.work_report(actor=cast.alice.user, assignment=offer, pieces=60, key=uuid.uuid4().hex)
    published.clear()

    outcomes = race(
        lambda: services.work_report(
            actor=cast.alice.user, assignment=offer.pk, pieces=40, key=uuid.uuid4().hex
        ),
        lambda: services.work_report(actor=cast.head, assignment=offer.pk, pieces=40, key=uuid.uuid4().hex),
    )

    assert len(_errors(outcomes)) == 1, outcomes
    offer.refresh_from_db()
    assert (offer.state, offer.pieces_reported) == (AssignmentState.DONE, 100)
    assert WorkReport.objects.count() == 2
    assert FlowEvent.objects.filter(object_id=offer.pk, to_state=AssignmentState.DONE).count() == 1
    # The winner's report completed the job once: one completion event, one message to the head.
    assert FlowEvent.objects.filter(job=job, to_state=JobState.COMPLETED).count() == 1
    assert Job.objects.get(pk=job.pk).state == JobState.COMPLETED


def test_two_accepts_of_the_same_offer_have_one_winner(
    postgres_only, transactional_db, cast, issue_job, published
):
    job = _accepted(cast, issue_job, quantity=100)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)

    outcomes = race(
        lambda: services.assignment_accept(actor=cast.alice.user, assignment=offer.pk),
        lambda: services.assignment_accept(actor=cast.alice.user, assignment=offer.pk),
    )

    errors = _errors(outcomes)
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], IllegalTransition)
    offer.refresh_from_db()
    job.refresh_from_db()
    assert offer.state == AssignmentState.ACCEPTED
    assert job.state == JobState.IN_PROGRESS
    assert FlowEvent.objects.filter(to_state=AssignmentState.ACCEPTED, object_id=offer.pk).count() == 1
    assert FlowEvent.objects.filter(job=job, to_state=JobState.IN_PROGRESS).count() == 1


def test_two_declines_of_the_same_offer_release_its_pieces_once(
    postgres_only, transactional_db, cast, issue_job, published
):
    job = _accepted(cast, issue_job, quantity=100)
    services.assignment_offer(job=job, worker=cast.bob, pieces=40)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=60)

    outcomes = race(
        lambda: services.assignment_decline(actor=cast.alice.user, assignment=offer.pk),
        lambda: services.assignment_decline(actor=cast.alice.user, assignment=offer.pk),
    )

    errors = _errors(outcomes)
    assert len(errors) == 1 and isinstance(errors[0], IllegalTransition), outcomes
    job.refresh_from_db()
    assert job.pieces_assigned == 40


def test_reporting_while_another_writer_holds_the_job_does_not_deadlock(
    postgres_only, transactional_db, cast, issue_job, published
):
    """Services lock the job row first, then its assignments; a report must too, or the two deadlock."""
    job = _accepted(cast, issue_job, quantity=100)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=offer)

    job_locked = threading.Event()

    def job_then_assignment():
        with transaction.atomic():
            Job.objects.select_for_update().get(pk=job.pk)
            job_locked.set()
            time.sleep(1.0)  # let the report start and queue behind us
            Assignment.objects.select_for_update().get(pk=offer.pk)
        return "done"

    def report():
        assert job_locked.wait(timeout=10)
        return services.work_report(
            actor=cast.alice.user, assignment=offer.pk, pieces=10, key=uuid.uuid4().hex
        )

    outcomes = race(job_then_assignment, report)

    assert not [e for e in _errors(outcomes) if isinstance(e, OperationalError)], outcomes
    assert not _errors(outcomes), outcomes
    offer.refresh_from_db()
    assert offer.pieces_reported == 10


def test_a_job_lock_does_not_hold_up_other_jobs_of_the_same_firm_and_workshop(
    postgres_only, transactional_db, cast, issue_job, published
):
    """Locking a job must lock that row only, not the line, firm and workshop rows its query joins."""
    busy, other = issue_job(), issue_job()
    busy_locked = threading.Event()

    def hold_busy_job():
        with transaction.atomic():
            common.lock_job(busy.pk)
            busy_locked.set()
            time.sleep(1.5)
        return "done"

    def accept_other_job():
        assert busy_locked.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            return services.job_accept(actor=cast.head, job=other.pk)

    outcomes = race(hold_busy_job, accept_other_job)

    assert not _errors(outcomes), outcomes
    other.refresh_from_db()
    assert other.state == JobState.ACCEPTED
