"""Which plan a small remainder takes (``planning._keep_small_remainders_at_the_workshop``): a job with
fewer than ``MIN_SHARE`` pieces left is not carried to a home worker's door on its own when the
workshop's own workers can take it, even at the cost of a few pieces of a bigger job waiting for the next
plan (no more than the trips it saves carry); never by dropping the small job's own pieces. The optimiser's
plan and the plain first-come rule (``NUANXIN_PLANNER = "first_come"``) take the same rule."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dispatch import optimiser as O
from dispatch import planning, services
from workshop.models import WorkPlace

AT_WORKSHOP, AT_HOME, ALSO_HOME = 10, 11, 12
BIG, SMALL = 1, 2

NEEDS = [
    O.JobNeed(id=BIG, workshop_id=1, kind="assembly", pieces=500, due_days=2),
    O.JobNeed(id=SMALL, workshop_id=1, kind="assembly", pieces=1, due_days=1),
]
PROFILES = [
    O.WorkerProfile(id=AT_WORKSHOP, workshop_id=1, skills=frozenset({"assembly"}), hours_per_day=4),
    O.WorkerProfile(id=AT_HOME, workshop_id=1, skills=frozenset({"assembly"}), hours_per_day=4, home=True),
    O.WorkerProfile(id=ALSO_HOME, workshop_id=1, skills=frozenset({"assembly"}), hours_per_day=4, home=True),
]


def plan(*shares) -> O.Plan:
    return O.Plan([O.Suggestion(job, worker, n, ()) for job, worker, n in shares], 0.0)


def chosen(first: O.Plan, retry: O.Plan) -> O.Plan:
    asked = []

    def replan(needs):
        asked.append({n.id: n.excluded for n in needs})
        return retry

    home = {p.id for p in PROFILES if p.home}
    got = planning._keep_small_remainders_at_the_workshop(first, NEEDS, home, replan=replan)
    if asked:  # the retry keeps the small job, and only it, from the home workers
        assert asked == [{BIG: frozenset(), SMALL: frozenset({AT_HOME, ALSO_HOME})}]
    return got


def test_a_lone_piece_for_a_home_worker_goes_to_the_workshop_even_if_one_piece_of_a_big_job_waits():
    first = plan((BIG, AT_WORKSHOP, 480), (SMALL, AT_HOME, 1))
    retry = plan((BIG, AT_WORKSHOP, 479), (SMALL, AT_WORKSHOP, 1))
    assert chosen(first, retry) is retry


def test_but_not_when_more_pieces_would_wait_than_the_trips_carry():
    first = plan((BIG, AT_WORKSHOP, 480), (SMALL, AT_HOME, 1))
    retry = plan((BIG, AT_WORKSHOP, 470), (SMALL, AT_WORKSHOP, 1))
    assert chosen(first, retry) is first


def test_nor_when_the_small_job_itself_would_lose_its_pieces():
    first = plan((BIG, AT_WORKSHOP, 480), (SMALL, AT_HOME, 1))
    retry = plan((BIG, AT_WORKSHOP, 481))
    assert chosen(first, retry) is first


@pytest.mark.parametrize("small_share", [(SMALL, AT_HOME, 1), (SMALL, AT_WORKSHOP, 1)])
def test_no_retry_when_the_piece_rides_along_a_trip_made_anyway_or_is_at_the_workshop(small_share):
    first = plan((BIG, AT_WORKSHOP, 240), (BIG, AT_HOME, 240), small_share)
    assert chosen(first, plan()) is first


# --- the plain rule (settings.NUANXIN_PLANNER = "first_come") takes the same rule -----------------------


def _one_piece_left(cast, issue_job):
    """A job of 300 with 299 offered to alice: 1 piece left to place."""
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=300))
    services.assignment_offer(job=job, worker=cast.alice, pieces=299)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_under_first_come_a_lone_piece_goes_to_the_workshop_not_to_a_home_workers_door(
    cast, issue_job, settings
):
    """The plain rule gives the piece to whoever holds the fewest pieces, first by id: bob, at home, a
    delivery trip for one piece. Carol at the workshop, as free, gets it."""
    settings.NUANXIN_PLANNER = "first_come"
    cast.bob.work_place = WorkPlace.HOME
    cast.bob.save()
    job = _one_piece_left(cast, issue_job)

    shares = planning.plan_shares(job, today=timezone.localdate())

    assert [(s.worker_id, s.pieces) for s in shares] == [(cast.carol.pk, 1)]


@pytest.mark.django_db
def test_under_first_come_a_lone_piece_still_goes_home_when_no_one_at_the_workshop_can_take_it(
    cast, issue_job, settings
):
    settings.NUANXIN_PLANNER = "first_come"
    for w in (cast.bob, cast.carol):
        w.work_place = WorkPlace.HOME
        w.save()
    job = _one_piece_left(cast, issue_job)
    services.assignment_decline(actor=cast.alice.user, assignment=job.assignments.get(), reason="没空")
    services.assignment_offer(job=job, worker=cast.bob, pieces=299)
    job.refresh_from_db()

    shares = planning.plan_shares(job, today=timezone.localdate())

    # Alice, the only one at the workshop, declined: the piece goes to carol at home, not nowhere.
    assert [(s.worker_id, s.pieces) for s in shares] == [(cast.carol.pk, 1)]
