"""How the dispatch planner grows with the county (issue 15): ``planner_growth``, used by ``make bench``
and ``make bench-county``.

The whole ``optimiser.plan_day`` (network build, solve, whole pieces, folding, reasons, the first-come
check) against the bare min-cost-flow solve inside it, both in CPU seconds (``time.process_time``: the
machine's other load does not count), on the 1× county day (3,000 workers × 400 jobs over 50
workshops) and on a day ten times that (30,000 × 4,000 over 500). The planner should grow like its
solver: ``plan_cpu_growth_10x`` ≤ 1.2 × ``solver_cpu_growth_10x``, and plan ÷ solver ≤ 2 at both sizes.
"""

from __future__ import annotations

import random
import time

from dispatch import optimiser

KINDS = ["assembly", "fabric", "packaging"]
SIZES = {"1x": (3000, 400, 50), "10x": (30000, 4000, 500)}
GROWTH_LIMIT = 1.2  # plan growth ≤ this × solver growth
PLAN_TO_SOLVER_LIMIT = 2.0


def county_instance(seed: int = 7, workers: int = 3000, jobs: int = 400, workshops: int = 50):
    """A seeded county day for the planner: ``(jobs, workers)`` as ``optimiser.JobNeed`` and
    ``optimiser.WorkerProfile`` lists; worker i and job j belong to workshop ``i % workshops`` and
    ``j % workshops``; 200–4,000 pieces a job, due in 1–7 days; 2–7 hours a day a worker."""
    rng = random.Random(seed)
    ws = [
        optimiser.WorkerProfile(
            id=i,
            workshop_id=i % workshops,
            skills=frozenset(rng.sample(KINDS, rng.randint(1, 3))),
            hours_per_day=rng.choice([2.0, 2.5, 3.0, 6.0, 6.5, 7.0]),
            speed=rng.uniform(0.8, 1.2),
            quality=rng.uniform(0.9, 0.99),
            low_income=rng.random() < 0.11,
            income_gap=rng.random(),
            recent_share=rng.random() * 0.05,
            open_seconds=rng.randint(0, 6 * 3600),
            arrival=i,
        )
        for i in range(workers)
    ]
    js = [
        optimiser.JobNeed(
            id=j,
            workshop_id=j % workshops,
            kind=rng.choice(KINDS),
            pieces=rng.randint(200, 4000),
            due_days=rng.randint(1, 7),
            order=j,
        )
        for j in range(jobs)
    ]
    return js, ws


def _timed(jobs, workers, repeats: int) -> tuple[float, float]:
    """(plan CPU seconds, bare solver CPU seconds): each the least of ``repeats`` runs."""
    plans, solves = [], []
    for _ in range(repeats):
        started = time.process_time()
        plan = optimiser.plan_day(jobs, workers)
        plans.append(time.process_time() - started)
        solves.append(plan.solver_cpu_seconds)
    return min(plans), min(solves)


def planner_growth(repeats_1x: int = 5, repeats_10x: int = 2, seed: int = 7) -> dict:
    """Measure ``plan_day`` and its bare solve at 1× and 10× the county day, in CPU seconds.

    Returns ``plan_cpu_1x_s``, ``solver_cpu_1x_s``, ``plan_cpu_10x_s``, ``solver_cpu_10x_s`` (CPU
    seconds, rounded to the ms), ``plan_cpu_growth_10x`` and ``solver_cpu_growth_10x`` (10× ÷ 1×),
    ``plan_to_solver_ratio_1x`` and ``plan_to_solver_ratio_10x``, and ``planner_growth_ok`` (all three
    targets met: growth ≤ 1.2 × the solver's, plan ÷ solver ≤ 2 at both sizes). At each size the plan's
    and the solver's CPU seconds are each the least of ``repeats_1x`` (``repeats_10x``) runs. Takes
    about 15 s of CPU at the defaults; the 10× instance holds some 200,000 job→worker arcs.
    """
    out: dict = {}
    for name, repeats in (("1x", repeats_1x), ("10x", repeats_10x)):
        n_workers, n_jobs, n_workshops = SIZES[name]
        jobs, workers = county_instance(seed=seed, workers=n_workers, jobs=n_jobs, workshops=n_workshops)
        out[name] = _timed(jobs, workers, max(repeats, 1))
    (p1, s1), (p10, s10) = out["1x"], out["10x"]
    result = {
        "plan_cpu_1x_s": round(p1, 3),
        "solver_cpu_1x_s": round(s1, 3),
        "plan_cpu_10x_s": round(p10, 3),
        "solver_cpu_10x_s": round(s10, 3),
        "plan_cpu_growth_10x": round(p10 / p1, 2),
        "solver_cpu_growth_10x": round(s10 / s1, 2),
        "plan_to_solver_ratio_1x": round(p1 / s1, 2),
        "plan_to_solver_ratio_10x": round(p10 / s10, 2),
    }
    result["planner_growth_ok"] = (
        p10 / p1 <= GROWTH_LIMIT * (s10 / s1)
        and p1 / s1 <= PLAN_TO_SOLVER_LIMIT
        and p10 / s10 <= PLAN_TO_SOLVER_LIMIT
    )
    return result
