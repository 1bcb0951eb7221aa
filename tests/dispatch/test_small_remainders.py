"""Which plan a small remainder takes (``planning._keep_small_remainders_at_the_workshop``): a job with
fewer than ``MIN_SHARE`` pieces left is not carried to a home worker's door on its own when the
workshop's own workers can take it, even at the cost of a few pieces of a bigger job waiting for the next
plan (no more than the trips it saves carry); never by dropping the small job's own pieces."""

from __future__ import annotations

import pytest

from dispatch import optimiser as O
from dispatch import planning

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


def chosen(first: O.Plan, retry: O.Plan, monkeypatch) -> O.Plan:
    asked = []

    def plan_day(needs, profiles):
        asked.append({n.id: n.excluded for n in needs})
        return retry

    monkeypatch.setattr(planning.optimiser, "plan_day", plan_day)
    got = planning._keep_small_remainders_at_the_workshop(first, NEEDS, PROFILES)
    if asked:  # the retry keeps the small job, and only it, from the home workers
        assert asked == [{BIG: frozenset(), SMALL: frozenset({AT_HOME, ALSO_HOME})}]
    return got


def test_a_lone_piece_for_a_home_worker_goes_to_the_workshop_even_if_one_piece_of_a_big_job_waits(
    monkeypatch,
):
    first = plan((BIG, AT_WORKSHOP, 480), (SMALL, AT_HOME, 1))
    retry = plan((BIG, AT_WORKSHOP, 479), (SMALL, AT_WORKSHOP, 1))
    assert chosen(first, retry, monkeypatch) is retry


def test_but_not_when_more_pieces_would_wait_than_the_trips_carry(monkeypatch):
    first = plan((BIG, AT_WORKSHOP, 480), (SMALL, AT_HOME, 1))
    retry = plan((BIG, AT_WORKSHOP, 470), (SMALL, AT_WORKSHOP, 1))
    assert chosen(first, retry, monkeypatch) is first


def test_nor_when_the_small_job_itself_would_lose_its_pieces(monkeypatch):
    first = plan((BIG, AT_WORKSHOP, 480), (SMALL, AT_HOME, 1))
    retry = plan((BIG, AT_WORKSHOP, 481))
    assert chosen(first, retry, monkeypatch) is first


@pytest.mark.parametrize("small_share", [(SMALL, AT_HOME, 1), (SMALL, AT_WORKSHOP, 1)])
def test_no_retry_when_the_piece_rides_along_a_trip_made_anyway_or_is_at_the_workshop(
    monkeypatch, small_share
):
    first = plan((BIG, AT_WORKSHOP, 240), (BIG, AT_HOME, 240), small_share)
    assert chosen(first, plan(), monkeypatch) is first
