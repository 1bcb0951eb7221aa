"""Edges of the flow found in review: jobs planned together, a job finished by its last share, messages
retried per channel, handfuls folded into bigger shares, and (on PostgreSQL) plans racing cancels,
declines and reports."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from dispatch import optimiser, planning, services, tasks
from dispatch.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    Job,
    JobState,
)
from dispatch.services import ResultInput
from notices import delivery
from notices import tasks as notices_tasks
from notices.models import Notification, NotificationKind
from notices.services import notify as notify_service
from tests.dispatch.test_concurrency import _errors, race
from tests.lots import hand_over


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _key() -> str:
    return uuid.uuid4().hex


def _accepted(cast, issue_job, **kw) -> Job:
    return services.job_accept(actor=cast.head, job=issue_job(**kw))


def _queued(callbacks) -> list[tuple[str, tuple]]:
    return [(c.task.name, c.args) for c in callbacks if hasattr(c, "task")]


def _run_queued(callbacks) -> None:
    """Run the flow tasks the callbacks would have queued (not message deliveries), as the worker would."""
    for name, args in _queued(callbacks):
        if name.endswith("deliver_notification"):
            continue
        getattr(tasks, name.rsplit(".", 1)[1]).run(*args)


def _take_and_finish(a, callbacks_fixture):
    services.assignment_accept(actor=a.worker.user, assignment=a)
    with callbacks_fixture() as callbacks:
        services.work_report(actor=a.worker.user, assignment=a, pieces=a.pieces, key=_key())
    _run_queued(callbacks)


# --- a share declined after the others are done --------------------------------------------------------


@pytest.mark.parametrize("how", ["decline", "expire"])
def test_a_share_refused_after_the_others_are_done_is_still_ready_to_hand_over(
    cast, issue_job, django_capture_on_commit_callbacks, how
):
    job = _accepted(cast, issue_job, quantity=200)
    done = services.assignment_offer(job=job, worker=cast.alice, pieces=120)
    late = services.assignment_offer(job=job, worker=cast.bob, pieces=80)
    _take_and_finish(done, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == JobState.IN_PROGRESS  # Bob's share is still open

    with django_capture_on_commit_callbacks() as callbacks:
        if how == "decline":
            services.assignment_decline(actor=cast.bob.user, assignment=late)
        else:
            services.assignment_expire(assignment=late.pk, now=timezone.now() + dt.timedelta(days=2))
    _run_queued(callbacks)  # the re-plan

    again = list(Assignment.objects.filter(job=job, state=AssignmentState.OFFERED))
    assert again and sum(a.pieces for a in again) == 80
    assert cast.bob.pk not in {a.worker_id for a in again}
    for a in again:
        _take_and_finish(a, django_capture_on_commit_callbacks)

    job.refresh_from_db()
    assert job.state == JobState.COMPLETED  # ready to hand over: the firm counts it in before inspecting


def test_a_job_with_rework_is_ready_to_hand_over_again_when_the_rework_is_done(
    cast, issue_job, django_capture_on_commit_callbacks
):
    job = _accepted(cast, issue_job, quantity=200)
    a = services.assignment_offer(job=job, worker=cast.alice, pieces=120)
    b = services.assignment_offer(job=job, worker=cast.bob, pieces=80)
    _take_and_finish(a, django_capture_on_commit_callbacks)
    _take_and_finish(b, django_capture_on_commit_callbacks)
    hand_over(job)
    a.refresh_from_db()
    b.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks:
        services.job_inspect(
            actor=cast.clerk,
            job=job,
            results=[ResultInput(a.pk, 110, 10, 6, "毛刺"), ResultInput(b.pk, 75, 5, 5, "划痕")],
        )
    _run_queued(callbacks)
    job.refresh_from_db()
    assert job.state == JobState.IN_PROGRESS
    reworks = list(Assignment.objects.filter(job=job, kind=AssignmentKind.REWORK).select_related("worker"))
    assert len(reworks) == 2

    with django_capture_on_commit_callbacks() as first:
        services.work_report(
            actor=reworks[0].worker.user, assignment=reworks[0], pieces=reworks[0].pieces, key=_key()
        )
    assert _queued(first) == []  # the other rework is still open
    with django_capture_on_commit_callbacks() as last:
        services.work_report(
            actor=reworks[1].worker.user, assignment=reworks[1], pieces=reworks[1].pieces, key=_key()
        )
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED  # the last rework's report completed it, with no task
    assert ("dispatch.tasks.finish_job_if_done", (job.pk,)) not in _queued(last)
    _run_queued(last)
    second = hand_over(job)  # the reworked pieces go as the job's second lot
    assert second.state == JobState.INSPECTING
    assert [n.pieces_sent for n in job.delivery_notes.order_by("lot")] == [200, 11]
    # Each time the head was told what to gather then: the whole job, then the 11 reworked pieces (a
    # trial found "已全部报工(211 件)" for a job of 200).
    told = Notification.objects.filter(kind=NotificationKind.READY_TO_HAND_OVER, recipient=cast.head)
    assert sorted(n.params["n"] for n in told) == [11, 200]


# --- joint planning --------------------------------------------------------------------------------------


@pytest.mark.parametrize("planner", ["optimiser", "first_come"])
def test_jobs_due_on_different_days_planned_together_keep_each_workers_time(
    cast, issue_job, settings, planner
):
    settings.NUANXIN_PLANNER = planner
    for worker in (cast.alice, cast.bob, cast.carol):
        worker.hours_per_week = 12
        worker.save()
    today = timezone.localdate()
    # Work already held, due later: it still takes the worker's time before the earlier due dates.
    held = _accepted(cast, issue_job, quantity=60, due_on=today + dt.timedelta(days=6))
    services.assignment_offer(job=held, worker=cast.alice, pieces=60)
    jobs = [
        _accepted(cast, issue_job, quantity=q, due_on=today + dt.timedelta(days=d))
        for q, d in ((400, 5), (150, 0), (200, 1), (300, 3))
    ]

    offers = services.workshop_plan_offers(workshop=cast.ws)
    assert offers

    open_ = list(Assignment.objects.filter(state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED)))
    for w in (cast.alice, cast.bob, cast.carol):
        mine = [a for a in open_ if a.worker_id == w.pk]
        for a in mine:
            due_by = sum(b.pieces - b.pieces_reported for b in mine if b.due_on <= a.due_on)
            # Each policy's own measure of her time before that due date: the rule counts a 7-day week;
            # the optimiser her 6 working days, and at most two days of work held after a plan.
            days = (a.due_on - today).days + 1
            if planner == "first_come":
                room = planning.capacity_pieces(w, "assembly", today=today, due_on=a.due_on)
            else:
                room = w.hours_per_week / 6 * min(days, 2) * planning.PRIOR_PIECES_PER_HOUR["assembly"]
            assert due_by <= room, (w.name, a.due_on, due_by, room)
    for job in jobs:
        job.refresh_from_db()
        assert job.pieces_assigned == sum(a.pieces for a in job.assignments.all()) <= job.quantity


def test_cancelling_a_job_after_it_was_planned_with_others_leaves_the_others_alone(cast, issue_job):
    keep = _accepted(cast, issue_job, quantity=200)
    drop = _accepted(cast, issue_job, quantity=200)
    services.workshop_plan_offers(workshop=cast.ws)

    services.job_cancel(actor=cast.clerk, job=drop)

    assert services.workshop_plan_offers(workshop=cast.ws) == []
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.pieces_assigned == 0
    assert not drop.assignments.filter(state=AssignmentState.OFFERED).exists()
    assert keep.pieces_assigned == 200


@pytest.mark.parametrize("planner", ["optimiser", "first_come"])
def test_joint_planning_never_asks_a_worker_again_for_the_job_she_refused(cast, issue_job, settings, planner):
    settings.NUANXIN_PLANNER = planner
    declined = _accepted(cast, issue_job, quantity=300)
    expired = _accepted(cast, issue_job, quantity=300)
    services.assignment_decline(
        actor=cast.alice.user,
        assignment=services.assignment_offer(job=declined, worker=cast.alice, pieces=300),
    )
    services.assignment_expire(
        assignment=services.assignment_offer(job=expired, worker=cast.bob, pieces=300).pk,
        now=timezone.now() + dt.timedelta(days=2),
    )
    fresh = _accepted(cast, issue_job, quantity=100)

    offers = services.workshop_plan_offers(workshop=cast.ws)

    asked = {(a.job_id, a.worker_id) for a in offers}
    assert (declined.pk, cast.alice.pk) not in asked and (expired.pk, cast.bob.pk) not in asked
    assert any(job_id == fresh.pk for job_id, _ in asked)


def test_the_heads_partial_dispatch_and_the_system_plan_after_it_share_the_job(
    client, cast, issue_job, django_capture_on_commit_callbacks
):
    waiting = _accepted(cast, issue_job, quantity=100)  # another open job of the workshop, not yet planned
    job = issue_job(quantity=300)
    client.force_login(cast.head)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"/dashboard/jobs/{job.pk}/dispatch/", {f"w{cast.alice.pk}": "100"})
    assert response.status_code == 302
    assert ("dispatch.tasks.plan_job_offers", (job.pk,)) in _queued(callbacks)

    _run_queued(callbacks)  # the system plans what the head left, with the workshop's other open job

    for j in (job, waiting):
        j.refresh_from_db()
        assert j.pieces_assigned == sum(a.pieces for a in j.assignments.all()) == j.quantity
    # 坊长派工, or 坊长调整件数 · the plan's words when alice was the planner's pick too
    head_share = job.assignments.get(reasons__startswith="坊长")
    assert (head_share.worker_id, head_share.pieces) == (cast.alice.pk, 100)


# --- messages ---------------------------------------------------------------------------------------------


def test_a_channel_that_always_fails_does_not_resend_the_message_on_the_others_forever(cast, monkeypatch):
    """A number that can never be reached: the sweep retries that channel alone, a few times, and the
    working channel gets the message once."""
    from notices import senders as notify

    reached: list[int] = []
    tried: list[int] = []

    def inbox(note):
        reached.append(note.pk)

    def sms(note):
        tried.append(note.pk)
        raise ValueError("no such number")  # fails the same way every time

    monkeypatch.setattr(notify, "senders", lambda: [inbox, sms])
    note = notify_service(
        recipient=cast.alice.user,
        kind="offer",
        params={"t": "新派工", "n": 1, "r": "0.1"},
        dedupe_key="forever",
    )
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    resent: list[int] = []
    monkeypatch.setattr(notices_tasks.deliver_notification, "delay", lambda pk: resent.append(pk))

    for _sweep in range(6):  # an hour of sweeps
        resent.clear()
        tasks.sweep_stalled_flow.run()
        for pk in resent:
            notices_tasks.deliver_notification.run(pk)

    assert reached == [note.pk], f"the same message reached the inbox channel {len(reached)} times"
    assert len(tried) == delivery.MAX_DELIVERY_ATTEMPTS
    note.refresh_from_db()
    assert note.sent_at is not None  # given up: it stays in the inbox


# --- folding small shares (optimiser) ------------------------------------------------------------------


def test_a_small_job_is_not_split_into_handfuls_when_one_worker_can_take_it_all(cast, issue_job):
    """Folding lowers the plan's score a little; the first-come baseline it is weighed against is folded
    alike, so the plan is not swapped for one with handfuls."""
    # Alice and Bob have half an hour a day (30 assembly pieces), Carol two hours (120 pieces).
    for worker, hours in ((cast.alice, 3), (cast.bob, 3), (cast.carol, 12)):
        worker.hours_per_week = hours
        worker.save()
    _accepted(cast, issue_job, quantity=120, due_on=timezone.localdate())

    offers = services.workshop_plan_offers(workshop=cast.ws)

    assert sum(a.pieces for a in offers) == 120
    # Carol alone has room for all 120: no share should be a handful of pieces.
    assert [a.pieces for a in offers if a.pieces < optimiser.MIN_SHARE] == [], [
        (a.worker.name, a.pieces, a.reasons) for a in offers
    ]


def test_folding_leaves_no_foldable_handful_behind():
    """A handful moves whole or not at all, and folding repeats until nothing moves: room freed by one
    job's fold is used for another's handful."""
    W, J = optimiser.WorkerProfile, optimiser.JobNeed
    kw = {"workshop_id": 1, "skills": frozenset({"assembly"})}
    workers = [
        W(id=1, hours_per_day=4.0, quality=0.95, income_gap=0.5, arrival=1, **kw),
        W(id=2, hours_per_day=2.0, quality=0.99, low_income=True, income_gap=0.9, arrival=2, **kw),
        W(id=3, hours_per_day=2.0, quality=0.95, low_income=True, arrival=3, **kw),
    ]
    jobs = [
        J(id=10, workshop_id=1, kind="assembly", pieces=120, due_days=1, order=0),
        J(id=11, workshop_id=1, kind="assembly", pieces=60, due_days=1, order=1),
    ]

    plan = optimiser.plan_day(jobs, workers)

    assert optimiser.plan_violations(plan, jobs, workers) == []  # the rules hold
    sec = optimiser.SECONDS_PER_PIECE["assembly"]
    used = plan.pieces_by_worker()
    by_w = {w.id: w for w in workers}
    foldable = [
        (s.job_id, s.worker_id, s.pieces)
        for s in plan.suggestions
        if s.pieces < optimiser.MIN_SHARE
        and any(
            t.job_id == s.job_id
            and t.worker_id != s.worker_id
            and t.pieces >= s.pieces
            and optimiser.spare_seconds(by_w[t.worker_id], 1) - used[t.worker_id] * sec >= s.pieces * sec
            for t in plan.suggestions
        )
    ]
    assert foldable == [], [(s.job_id, s.worker_id, s.pieces) for s in plan.suggestions]


# --- PostgreSQL races -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rounds", range(3))
def test_cancel_racing_a_workshop_plan_leaves_no_live_offer_on_the_cancelled_job(
    postgres_only, transactional_db, cast, issue_job, published, rounds
):
    keep = _accepted(cast, issue_job, quantity=200)
    drop = _accepted(cast, issue_job, quantity=200)

    outcomes = race(
        lambda: services.workshop_plan_offers(workshop=cast.ws.pk),
        lambda: services.job_cancel(actor=cast.clerk, job=drop.pk),
    )

    assert not _errors(outcomes), outcomes
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.state == JobState.CANCELLED and drop.pieces_assigned == 0
    assert not drop.assignments.filter(state=AssignmentState.OFFERED).exists()
    assert keep.pieces_assigned == sum(a.pieces for a in keep.assignments.all()) == 200


def test_a_workshop_plan_racing_a_decline_and_a_last_report_does_not_deadlock(
    postgres_only, transactional_db, cast, issue_job, published
):
    a = _accepted(cast, issue_job, quantity=100)
    b = _accepted(cast, issue_job, quantity=100)
    c = _accepted(cast, issue_job, quantity=100)
    offer_a = services.assignment_offer(job=a, worker=cast.alice, pieces=100)
    offer_b = services.assignment_offer(job=b, worker=cast.bob, pieces=100)
    services.assignment_accept(actor=cast.bob.user, assignment=offer_b)
    services.work_report(actor=cast.bob.user, assignment=offer_b, pieces=99, key=_key())
    published.clear()

    outcomes = race(
        lambda: services.workshop_plan_offers(workshop=cast.ws.pk),
        lambda: services.assignment_decline(actor=cast.alice.user, assignment=offer_a.pk),
        lambda: services.work_report(actor=cast.bob.user, assignment=offer_b.pk, pieces=1, key=_key()),
        lambda: services.workshop_plan_offers(workshop=cast.ws.pk),
    )

    assert not _errors(outcomes), outcomes
    for job in (a, b, c):
        job.refresh_from_db()
        held = job.assignments.filter(
            state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED, AssignmentState.DONE)
        )
        assert job.pieces_assigned == sum(x.pieces for x in held) <= job.quantity
    b.refresh_from_db()
    assert b.state == JobState.COMPLETED  # bob's last piece completed his job in its own transaction
    assert not a.assignments.filter(worker=cast.alice, state=AssignmentState.OFFERED).exists()
