"""The first-come baseline the planner must beat: the same plan as the plain greedy walk (every job over
every worker in arrival order), at the cost of a walk over each job's own workshop only (issue 15)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch import optimiser
from dispatch.optimiser import DEFAULT_WEIGHTS, SECONDS_PER_PIECE, JobNeed, WorkerProfile, plan_first_come
from tests.dispatch.test_optimiser import instances


def greedy_over_everyone(jobs, workers, weights=DEFAULT_WEIGHTS):
    """The baseline as first written: every worker considered for every job."""
    used, pieces = {}, {}
    for ji in sorted(range(len(jobs)), key=lambda i: (jobs[i].order, jobs[i].id)):
        job, left = jobs[ji], jobs[ji].pieces
        sec = SECONDS_PER_PIECE[job.kind]
        for w in sorted(workers, key=lambda w: (w.arrival, w.id)):
            if left <= 0:
                break
            if not (job.workshop_id == w.workshop_id and job.kind in w.skills and w.id not in job.excluded):
                continue
            room = optimiser.spare_seconds(w, min(job.due_days, weights.max_share_days)) - used.get(w.id, 0)
            n = min(left, max(room, 0) // sec)
            if w.cap_pieces is not None:
                n = min(n, w.cap_pieces)
            if n <= 0:
                continue
            pieces[(ji, w.id)] = n
            used[w.id] = used.get(w.id, 0) + n * sec
            left -= n
    optimiser._fold_small_shares(pieces, used, jobs, {w.id: w for w in workers}, weights)
    return sorted((jobs[ji].id, wid, n) for (ji, wid), n in pieces.items() if n > 0)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.randoms(use_true_random=False))
def test_the_baseline_is_the_greedy_walk_over_everyone(instance, rnd):
    jobs, workers = instance
    arrivals = list(range(len(workers)))
    rnd.shuffle(arrivals)  # arrival order is not id order
    workers = [WorkerProfile(**{**w.__dict__, "arrival": a}) for w, a in zip(workers, arrivals, strict=True)]

    plan = plan_first_come(jobs, workers)

    assert sorted((s.job_id, s.worker_id, s.pieces) for s in plan.suggestions) == greedy_over_everyone(
        jobs, workers
    )


def test_a_job_is_only_walked_past_its_own_workshops_workers(monkeypatch):
    workers = [
        WorkerProfile(id=i, workshop_id=i % 50, skills=frozenset({"assembly"}), hours_per_day=0.01, arrival=i)
        for i in range(1000)
    ]
    jobs = [
        JobNeed(id=j, workshop_id=j % 50, kind="assembly", pieces=10_000, due_days=2, order=j)
        for j in range(100)
    ]
    looked = []
    eligible = optimiser._eligible
    monkeypatch.setattr(optimiser, "_eligible", lambda job, w: looked.append(1) or eligible(job, w))

    plan_first_come(jobs, workers)

    assert len(looked) <= len(jobs) * 20  # 20 workers a workshop, not the county's 1,000


def test_workers_without_room_are_walked_past_once_not_once_a_job(monkeypatch):
    # One workshop of 2,000 workers: the first 1,900 have no time at all, the last 100 plenty; 500 jobs.
    workers = [
        WorkerProfile(
            id=i,
            workshop_id=1,
            skills=frozenset({"assembly"}),
            hours_per_day=0.0 if i < 1900 else 8.0,
            arrival=i,
        )
        for i in range(2000)
    ]
    jobs = [JobNeed(id=j, workshop_id=1, kind="assembly", pieces=20, due_days=2, order=j) for j in range(500)]
    looked = []
    eligible = optimiser._eligible
    monkeypatch.setattr(optimiser, "_eligible", lambda job, w: looked.append(1) or eligible(job, w))

    plan = plan_first_come(jobs, workers)

    assert sum(s.pieces for s in plan.suggestions) == 500 * 20
    # Linear: each full worker is stepped over once, each job looks at the few it fills;
    # a walk of the workshop per job would look 500 × 1,900 times.
    assert len(looked) <= 3 * (len(jobs) + len(workers))
