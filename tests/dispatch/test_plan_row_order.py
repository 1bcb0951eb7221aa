"""The same jobs and workers give the same plan whatever order their rows come in: a replan after an
unrelated update (which moves a row on PostgreSQL) must not move anyone's work (issue 14)."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch import planning, services
from dispatch.optimiser import JobNeed, WorkerProfile, plan_day
from tests.dispatch.test_optimiser import instances
from tests.factories import UserFactory, WorkerFactory
from workshop.models import Worker


def _shares(plan) -> list[tuple[int, int, int]]:
    return sorted((s.job_id, s.worker_id, s.pieces) for s in plan.suggestions)


def _twins(n: int) -> list[WorkerProfile]:
    """``n`` workers alike in everything but their id: every split among them is equally good."""
    return [
        WorkerProfile(
            id=i,
            workshop_id=1,
            skills=frozenset({"assembly"}),
            hours_per_day=2.0,
            speed=1.0,
            quality=0.95,
            low_income=False,
            income_gap=0.0,
            recent_share=0.0,
            open_seconds=0,
            arrival=0,
        )
        for i in range(1, n + 1)
    ]


def test_twenty_equal_workers_get_the_same_shares_listed_forwards_or_backwards():
    workers = _twins(20)
    jobs = [JobNeed(id=7, workshop_id=1, kind="assembly", pieces=900, due_days=3, order=7)]

    forwards = plan_day(jobs, workers)
    backwards = plan_day(jobs, list(reversed(workers)))

    assert sum(s.pieces for s in forwards.suggestions) == 900
    assert _shares(forwards) == _shares(backwards)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.randoms(use_true_random=False))
def test_a_plan_does_not_depend_on_the_order_of_jobs_or_workers(instance, rng):
    jobs, workers = instance
    shuffled_jobs, shuffled_workers = list(jobs), list(workers)
    rng.shuffle(shuffled_jobs)
    rng.shuffle(shuffled_workers)

    assert _shares(plan_day(jobs, workers)) == _shares(plan_day(shuffled_jobs, shuffled_workers))


def test_a_replan_after_every_worker_row_is_rewritten_in_shuffled_order_moves_no_work(cast, issue_job):
    for n in range(9):  # a dozen workers alike, so the order is all that could tell them apart
        WorkerFactory(workshop=cast.ws, user=UserFactory(username=f"twin{n}"), name=f"twin{n}")
    job = issue_job(quantity=2400)
    services.job_accept(actor=cast.head, job=job)
    today = dt.date.today()
    before = planning.plan_jobs([job], today=today)[job.pk]

    workers = list(Worker.objects.filter(workshop=cast.ws))
    random.Random(14).shuffle(workers)
    for w in workers:  # an unrelated update: on PostgreSQL each rewritten row moves to the table's end
        Worker.objects.filter(pk=w.pk).update(name=w.name)
    after = planning.plan_jobs([job], today=today)[job.pk]

    assert len(before) > 1
    assert [(s.worker_id, s.pieces) for s in before] == [(s.worker_id, s.pieces) for s in after]
