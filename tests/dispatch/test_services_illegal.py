"""Illegal moves, the audit trail, and who may do what.

Every move a transitions map does not allow raises ``IllegalTransition`` and changes nothing; every state
change writes exactly one ``FlowEvent``; a wrong actor gets ``PermissionDenied`` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from dispatch import services
from dispatch.models import (
    ASSIGNMENT_TRANSITIONS,
    JOB_TRANSITIONS,
    Assignment,
    AssignmentState,
    FlowEvent,
    IllegalTransition,
    Inspection,
    Job,
    JobState,
    WorkReport,
    check_transition,
)
from dispatch.services import ResultInput, common
from tests.conftest import tomorrow
from tests.lots import completed, hand_over


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The cast sets seven passwords; the default PBKDF2 hasher makes that the slowest part of a test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _key() -> str:
    return uuid.uuid4().hex


def _pairs(transitions, states, *, allowed: bool) -> list[tuple[str, str]]:
    return [
        (current, target)
        for current in states
        for target in states
        if (target in transitions[current]) is allowed
    ]


JOB_ILLEGAL = _pairs(JOB_TRANSITIONS, JobState.values, allowed=False)
JOB_LEGAL = _pairs(JOB_TRANSITIONS, JobState.values, allowed=True)
ASSIGNMENT_ILLEGAL = _pairs(ASSIGNMENT_TRANSITIONS, AssignmentState.values, allowed=False)
ASSIGNMENT_LEGAL = _pairs(ASSIGNMENT_TRANSITIONS, AssignmentState.values, allowed=True)


# --- the transitions maps ----------------------------------------------------------------------------


def test_every_state_has_an_entry_in_its_transitions_map():
    assert set(JOB_TRANSITIONS) == set(JobState.values)
    assert set(ASSIGNMENT_TRANSITIONS) == set(AssignmentState.values)
    assert len(JOB_ILLEGAL) + len(JOB_LEGAL) == len(JobState.values) ** 2


@pytest.mark.parametrize(("current", "target"), JOB_ILLEGAL)
def test_a_job_move_outside_the_map_is_illegal(current, target):
    with pytest.raises(IllegalTransition) as exc:
        check_transition(JOB_TRANSITIONS, "外发单", current, target)

    assert (exc.value.current, exc.value.target) == (current, target)


@pytest.mark.parametrize(("current", "target"), JOB_LEGAL)
def test_a_job_move_in_the_map_is_allowed(current, target):
    check_transition(JOB_TRANSITIONS, "外发单", current, target)


@pytest.mark.parametrize(("current", "target"), ASSIGNMENT_ILLEGAL)
def test_an_assignment_move_outside_the_map_is_illegal(current, target):
    with pytest.raises(IllegalTransition) as exc:
        check_transition(ASSIGNMENT_TRANSITIONS, "派工", current, target)

    assert (exc.value.current, exc.value.target) == (current, target)


@pytest.mark.parametrize(("current", "target"), ASSIGNMENT_LEGAL)
def test_an_assignment_move_in_the_map_is_allowed(current, target):
    check_transition(ASSIGNMENT_TRANSITIONS, "派工", current, target)


def test_no_state_may_move_to_itself():
    assert not [pair for pair in JOB_LEGAL + ASSIGNMENT_LEGAL if pair[0] == pair[1]]


def test_a_move_lost_to_a_concurrent_writer_is_illegal_and_writes_no_event(cast, issue_job):
    job = issue_job()
    Job.objects.filter(pk=job.pk).update(state=JobState.DECLINED)  # another actor won meanwhile
    events = FlowEvent.objects.count()

    with pytest.raises(IllegalTransition) as exc:
        common.move(job, JobState.ACCEPTED, job=job, actor=cast.head)

    assert exc.value.current == JobState.DECLINED
    assert Job.objects.get(pk=job.pk).state == JobState.DECLINED
    assert FlowEvent.objects.count() == events


# --- illegal moves through the services --------------------------------------------------------------


@pytest.fixture
def frozen(db):
    """Assert that a block changes no state and writes no FlowEvent."""

    class Frozen:
        def __enter__(self):
            self.before = self._snapshot()
            return self

        def __exit__(self, *exc):
            assert self._snapshot() == self.before
            return False

        @staticmethod
        def _snapshot():
            return (
                FlowEvent.objects.count(),
                sorted(Job.objects.values_list("pk", "state", "pieces_assigned")),
                sorted(Assignment.objects.values_list("pk", "state", "pieces_reported")),
                Inspection.objects.count(),
                WorkReport.objects.count(),
            )

    return Frozen


def _accepted(cast, issue_job, **kw) -> Job:
    return services.job_accept(actor=cast.head, job=issue_job(**kw))


def _started(cast, issue_job) -> tuple[Job, Assignment]:
    job = _accepted(cast, issue_job, quantity=100)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    return job, services.assignment_accept(actor=cast.alice.user, assignment=offer)


def test_a_declined_job_cannot_be_accepted(cast, issue_job, frozen):
    job = issue_job()
    services.job_decline(actor=cast.head, job=job)

    with frozen(), pytest.raises(IllegalTransition):
        services.job_accept(actor=cast.head, job=job)  # a stale instance that still says "issued"


def test_a_job_cannot_be_accepted_twice(cast, issue_job, frozen):
    job = _accepted(cast, issue_job)

    with frozen(), pytest.raises(IllegalTransition):
        services.job_accept(actor=cast.head, job=job)


def test_an_accepted_job_cannot_be_declined(cast, issue_job, frozen):
    job = _accepted(cast, issue_job)

    with frozen(), pytest.raises(IllegalTransition):
        services.job_decline(actor=cast.head, job=job)


def test_a_job_in_progress_cannot_be_cancelled(cast, issue_job, frozen):
    job, _share = _started(cast, issue_job)

    with frozen(), pytest.raises(IllegalTransition):
        services.job_cancel(actor=cast.clerk, job=job)


def test_a_job_in_progress_cannot_be_inspected(cast, issue_job, frozen):
    job, share = _started(cast, issue_job)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=100, key=_key())

    with frozen(), pytest.raises(IllegalTransition):
        services.job_inspect(
            actor=cast.clerk, job=job, results=[ResultInput(assignment_id=share.pk, passed=100, rejected=0)]
        )


def test_an_accepted_job_cannot_be_completed(cast, issue_job, frozen):
    job = _accepted(cast, issue_job)

    with frozen(), pytest.raises(IllegalTransition):
        services.job_complete(job=job)


def test_a_job_in_progress_with_work_open_cannot_be_handed_over(cast, issue_job, frozen):
    job, _share = _started(cast, issue_job)

    with frozen(), pytest.raises(ValidationError):
        services.job_hand_over(job=job, actor=cast.head)


def test_a_settled_job_cannot_be_settled_again(cast, issue_job, frozen):
    job, share = _started(cast, issue_job)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=100, key=_key())
    completed(job)
    hand_over(job)
    inspection = services.job_inspect(
        actor=cast.clerk, job=job, results=[ResultInput(assignment_id=share.pk, passed=100, rejected=0)]
    )
    services.inspection_book(inspection=inspection)

    with frozen(), pytest.raises(IllegalTransition):
        services.job_settle(job=job)


@pytest.mark.parametrize("state", [JobState.ISSUED, JobState.DECLINED, JobState.CANCELLED])
def test_nothing_can_be_offered_on_a_job_the_workshop_does_not_hold(cast, issue_job, frozen, state):
    job = issue_job()
    if state == JobState.DECLINED:
        services.job_decline(actor=cast.head, job=job)
    elif state == JobState.CANCELLED:
        services.job_cancel(actor=cast.clerk, job=job)

    with frozen(), pytest.raises(IllegalTransition):
        services.assignment_offer(job=job, worker=cast.alice, pieces=10)


def test_worker_cannot_report_on_an_offer_not_yet_accepted(cast, issue_job, frozen):
    job = _accepted(cast, issue_job)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)

    with frozen(), pytest.raises(IllegalTransition):
        services.work_report(actor=cast.alice.user, assignment=offer, pieces=100, key=_key())


def test_worker_cannot_report_on_a_finished_assignment(cast, issue_job, frozen):
    _job, share = _started(cast, issue_job)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=100, key=_key())

    with frozen(), pytest.raises(IllegalTransition):
        services.work_report(actor=cast.alice.user, assignment=share, pieces=1, key=_key())


def test_an_expired_offer_cannot_be_accepted(cast, issue_job, frozen):
    job = _accepted(cast, issue_job)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_expire(assignment=offer, now=offer.expires_at + dt.timedelta(seconds=1))

    with frozen(), pytest.raises(IllegalTransition):
        services.assignment_accept(actor=cast.alice.user, assignment=offer)


def test_an_offer_past_its_deadline_cannot_be_accepted_even_before_it_is_expired(cast, issue_job, frozen):
    job = _accepted(cast, issue_job)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    Assignment.objects.filter(pk=offer.pk).update(expires_at=offer.expires_at - dt.timedelta(days=2))

    with frozen(), pytest.raises(ValidationError):
        services.assignment_accept(actor=cast.alice.user, assignment=offer)


def test_an_offer_of_a_cancelled_job_cannot_be_accepted(cast, issue_job, frozen):
    job = _accepted(cast, issue_job)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.job_cancel(actor=cast.clerk, job=job)

    with frozen(), pytest.raises(IllegalTransition):
        services.assignment_accept(actor=cast.alice.user, assignment=offer)


def test_a_declined_offer_cannot_be_accepted(cast, issue_job, frozen):
    job = _accepted(cast, issue_job)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_decline(actor=cast.alice.user, assignment=offer)

    with frozen(), pytest.raises(IllegalTransition):
        services.assignment_accept(actor=cast.alice.user, assignment=offer)


def test_an_offer_cannot_be_accepted_twice(cast, issue_job, frozen):
    _job, share = _started(cast, issue_job)

    with frozen(), pytest.raises(IllegalTransition):
        services.assignment_accept(actor=cast.alice.user, assignment=share)


def test_an_accepted_offer_cannot_be_declined_and_keeps_its_pieces(cast, issue_job, frozen):
    _job, share = _started(cast, issue_job)

    with frozen(), pytest.raises(IllegalTransition):
        services.assignment_decline(actor=cast.alice.user, assignment=share)


def test_an_accepted_offer_cannot_expire(cast, issue_job, frozen):
    _job, share = _started(cast, issue_job)

    with frozen(), pytest.raises(IllegalTransition):
        services.assignment_expire(assignment=share, now=share.expires_at + dt.timedelta(days=1))


def test_a_declined_offer_cannot_be_declined_again_nor_release_its_pieces_twice(cast, issue_job, frozen):
    job = _accepted(cast, issue_job, quantity=300)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_offer(job=job, worker=cast.bob, pieces=100)
    services.assignment_decline(actor=cast.alice.user, assignment=offer)

    with frozen(), pytest.raises(IllegalTransition):
        services.assignment_decline(actor=cast.alice.user, assignment=offer)

    job.refresh_from_db()
    assert job.pieces_assigned == 100


# --- the audit trail ---------------------------------------------------------------------------------


class Trail:
    """Each step's new FlowEvents as (model, object id, from, to, actor id), all tied to one job."""

    def __init__(self):
        self.seen = 0

    def step(self, job_id=None) -> list[tuple[str, int, str, str, int | None]]:
        rows = list(
            FlowEvent.objects.filter(id__gt=self.seen)
            .order_by("id")
            .values_list(
                "id", "content_type__model", "object_id", "from_state", "to_state", "actor_id", "job_id"
            )
        )
        if rows:
            self.seen = rows[-1][0]
        if job_id is not None:
            assert {r[-1] for r in rows} <= {job_id}
        return [r[1:6] for r in rows]


def test_every_state_change_of_the_flow_writes_exactly_one_event(cast, issue_job):
    trail = Trail()
    head, clerk, alice, bob = cast.head.pk, cast.clerk.pk, cast.alice.user.pk, cast.bob.user.pk

    job = issue_job(quantity=300)
    assert trail.step(job.pk) == [("job", job.pk, "", "issued", clerk)]
    services.job_accept(actor=cast.head, job=job)
    assert trail.step(job.pk) == [("job", job.pk, "issued", "accepted", head)]
    a = services.assignment_offer(job=job, worker=cast.alice, pieces=130, actor=cast.head)
    b = services.assignment_offer(job=job, worker=cast.bob, pieces=170, actor=cast.head)
    assert trail.step(job.pk) == [
        ("assignment", a.pk, "", "offered", head),
        ("assignment", b.pk, "", "offered", head),
    ]
    services.assignment_accept(actor=cast.alice.user, assignment=a)
    assert trail.step(job.pk) == [
        ("assignment", a.pk, "offered", "accepted", alice),
        ("job", job.pk, "accepted", "in_progress", alice),
    ]
    services.assignment_accept(actor=cast.bob.user, assignment=b)
    assert trail.step(job.pk) == [("assignment", b.pk, "offered", "accepted", bob)]
    services.work_report(actor=cast.alice.user, assignment=a, pieces=100, key=_key())
    assert trail.step(job.pk) == []
    services.work_report(actor=cast.alice.user, assignment=a, pieces=30, key=_key())
    services.work_report(actor=cast.head, assignment=b, pieces=170, key=_key())
    assert trail.step(job.pk) == [
        ("assignment", a.pk, "accepted", "done", alice),
        ("assignment", b.pk, "accepted", "done", head),
        ("job", job.pk, "in_progress", "completed", None),  # by the system, with the last report
    ]
    hand_over(job)
    assert trail.step(job.pk) == [
        ("job", job.pk, "completed", "handed_over", head),
        ("job", job.pk, "handed_over", "inspecting", clerk),
    ]
    inspection = services.job_inspect(
        actor=cast.clerk,
        job=job,
        results=[
            ResultInput(assignment_id=a.pk, passed=125, rejected=5, rework=5),
            ResultInput(assignment_id=b.pk, passed=170, rejected=0),
        ],
    )
    assert trail.step(job.pk) == [("job", job.pk, "inspecting", "inspected", clerk)]
    services.inspection_book(inspection=inspection)
    rework = Assignment.objects.get(rework_of__isnull=False)
    assert trail.step(job.pk) == [
        ("assignment", rework.pk, "", "accepted", None),
        ("job", job.pk, "inspected", "in_progress", None),
    ]
    services.inspection_book(inspection=inspection)
    assert trail.step(job.pk) == []
    services.work_report(actor=cast.alice.user, assignment=rework, pieces=5, key=_key())
    completed(job)
    hand_over(job)
    second = services.job_inspect(
        actor=cast.clerk, job=job, results=[ResultInput(assignment_id=rework.pk, passed=5, rejected=0)]
    )
    services.inspection_book(inspection=second)
    assert trail.step(job.pk) == [
        ("assignment", rework.pk, "accepted", "done", alice),
        ("job", job.pk, "in_progress", "completed", None),
        ("job", job.pk, "completed", "handed_over", head),
        ("job", job.pk, "handed_over", "inspecting", clerk),
        ("job", job.pk, "inspecting", "inspected", clerk),
        ("job", job.pk, "inspected", "settled", None),
    ]


def test_declines_expiries_and_cancellations_each_write_exactly_one_event(cast, issue_job):
    trail = Trail()
    job = _accepted(cast, issue_job, quantity=300)
    a = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    b = services.assignment_offer(job=job, worker=cast.bob, pieces=100)
    c = services.assignment_offer(job=job, worker=cast.carol, pieces=100)
    trail.step()

    services.assignment_decline(actor=cast.alice.user, assignment=a, reason="没空")
    assert trail.step(job.pk) == [("assignment", a.pk, "offered", "declined", cast.alice.user.pk)]
    services.assignment_expire(assignment=b, now=b.expires_at)
    assert trail.step(job.pk) == [("assignment", b.pk, "offered", "expired", None)]
    services.job_cancel(actor=cast.clerk, job=job)
    assert trail.step(job.pk) == [
        ("job", job.pk, "accepted", "cancelled", cast.clerk.pk),
        ("assignment", c.pk, "offered", "expired", cast.clerk.pk),
    ]
    declined = issue_job()
    trail.step()
    services.job_decline(actor=cast.head, job=declined)
    assert trail.step(declined.pk) == [("job", declined.pk, "issued", "declined", cast.head.pk)]


# --- who may do what ---------------------------------------------------------------------------------


def _actor(cast, who):
    return {
        "eve": cast.eve,
        "other_head": cast.mallory.workshop.head,
        "alice": cast.alice.user,
        "bob": cast.bob.user,
        "mallory": cast.mallory.user,
        "head": cast.head,
        "clerk": cast.clerk,
        "anonymous": AnonymousUser(),
    }[who]


@pytest.mark.parametrize("who", ["eve", "head", "alice", "anonymous"])
def test_only_staff_of_the_lines_firm_can_issue_on_it(cast, who):
    with pytest.raises(PermissionDenied):
        services.job_issue(
            actor=_actor(cast, who),
            workshop=cast.ws,
            line=cast.line,
            title="开关面板装配",
            quantity=100,
            piece_rate=Decimal("0.0350"),
            due_on=tomorrow(),
        )

    assert not Job.objects.exists()
    assert not FlowEvent.objects.exists()


@pytest.mark.parametrize("service", ["job_accept", "job_decline"])
@pytest.mark.parametrize("who", ["other_head", "alice", "clerk", "eve", "anonymous"])
def test_only_the_workshops_head_can_accept_or_decline(cast, issue_job, frozen, service, who):
    job = issue_job()

    with frozen(), pytest.raises(PermissionDenied):
        getattr(services, service)(actor=_actor(cast, who), job=job)


@pytest.mark.parametrize("who", ["eve", "head", "anonymous"])
def test_only_staff_of_the_jobs_firm_can_cancel(cast, issue_job, frozen, who):
    job = _accepted(cast, issue_job)
    services.assignment_offer(job=job, worker=cast.alice, pieces=100)

    with frozen(), pytest.raises(PermissionDenied):
        services.job_cancel(actor=_actor(cast, who), job=job)


@pytest.mark.parametrize("who", ["eve", "head", "alice"])
def test_only_staff_of_the_jobs_firm_can_inspect(cast, issue_job, frozen, who):
    job, share = _started(cast, issue_job)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=100, key=_key())
    completed(job)
    hand_over(job)

    with frozen(), pytest.raises(PermissionDenied):
        services.job_inspect(
            actor=_actor(cast, who),
            job=job,
            results=[ResultInput(assignment_id=share.pk, passed=100, rejected=0)],
        )


@pytest.mark.parametrize("service", ["assignment_accept", "assignment_decline"])
@pytest.mark.parametrize("who", ["mallory", "bob", "head", "anonymous"])
def test_a_worker_cannot_answer_anothers_offer(cast, issue_job, frozen, service, who):
    job = _accepted(cast, issue_job)
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=100)

    with frozen(), pytest.raises(PermissionDenied):
        getattr(services, service)(actor=_actor(cast, who), assignment=offer)


@pytest.mark.parametrize("who", ["mallory", "bob", "other_head", "clerk", "anonymous"])
def test_worker_cannot_report_on_anothers_assignment(cast, issue_job, frozen, who):
    _job, share = _started(cast, issue_job)

    with frozen(), pytest.raises(PermissionDenied):
        services.work_report(actor=_actor(cast, who), assignment=share, pieces=10, key=_key())
