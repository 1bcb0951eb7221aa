"""Fairness of dispatch over a quarter: the optimiser against first-come on the same stream of work.

A controlled comparison needs the same jobs, workers, speeds and defect rates for both policies, so it
runs in memory on the demo workshop's real workers and lines (the real flow is what ``simulate`` drives):
each day firms issue the day's jobs (``workload.day_job_specs``), the policy plans all open pieces,
and each worker makes their hours' worth (Sundays off), earliest due first; pieces that pass (each
worker's own defect rate) earn the job's piece rate. Reported per policy: the Gini coefficient of income
among active workers, low-income workers' share of wages, and pieces made by their due date.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

from dispatch import optimiser
from dispatch.priors import PRIOR_PIECES_PER_HOUR
from pay import money
from workshop.models import ProductionLine, Worker, Workshop

from .workload import day_job_specs


def compare_policies(workshop: Workshop, *, days: int = 90, seed: int = 1) -> dict[str, dict]:
    """``{"optimiser": {...}, "first_come": {...}}``, each with ``gini`` (float, 4 places),
    ``low_income_wage_share`` (float 0–1, 4 places), ``on_time_pieces`` and ``late_pieces`` (ints) and
    ``wages_yuan`` (decimal string)."""
    workers = list(Worker.objects.filter(workshop=workshop, active=True).order_by("pk"))
    lines = list(
        ProductionLine.objects.filter(pairings__workshop=workshop, pairings__active=True, active=True)
        .select_related("firm")
        .distinct()
        .order_by("pk")
    )
    wrng = random.Random(seed * 7919)
    speed = {w.pk: wrng.uniform(0.8, 1.2) for w in workers}
    defect = {w.pk: wrng.uniform(0.01, 0.06) for w in workers}
    return {
        policy: _run(policy, workers, lines, speed, defect, days=days, seed=seed)
        for policy in ("optimiser", "first_come")
    }


def _run(policy, workers, lines, speed, defect, *, days: int, seed: int) -> dict:
    rng = random.Random(seed)  # the same job stream for both policies
    jobs: dict[int, dict] = {}
    held: dict[int, list[list]] = defaultdict(list)  # worker → [[job id, pieces left, due day]]
    earned: dict[int, Decimal] = defaultdict(Decimal)
    offered_log: list[tuple[int, int, int]] = []  # (day, worker, pieces)
    on_time = late = 0
    next_id = 1
    for day in range(days):
        for spec in day_job_specs(lines, workers, speed, rng, issue_prob=0.6, rate_scale=Decimal(1)):
            jobs[next_id] = {
                "kind": spec.line.process_kind,
                "rate": spec.rate,
                "due": day + spec.lead_days,
                "left": spec.quantity,
                "order": next_id,
            }
            next_id += 1
        needs = [
            optimiser.JobNeed(
                id=jid,
                workshop_id=1,
                kind=j["kind"],
                pieces=j["left"],
                due_days=max(j["due"] - day + 1, 1),
                order=j["order"],
            )
            for jid, j in jobs.items()
            if j["left"] > 0
        ]
        recent_total = sum(n for d, _, n in offered_log if d > day - 7) or 0
        recent: dict[int, int] = defaultdict(int)
        for d, wid, n in offered_log:
            if d > day - 7:
                recent[wid] += n
        profiles = []
        for w in workers:
            goal = float(money.INCOME_GOAL_YUAN[w.employment]) * (day + 1) / 365
            profiles.append(
                optimiser.WorkerProfile(
                    id=w.pk,
                    workshop_id=1,
                    skills=frozenset(w.skills),
                    hours_per_day=w.hours_per_week / 6,
                    speed=speed[w.pk],
                    quality=1 - defect[w.pk],
                    low_income=w.low_income,
                    income_gap=max(0.0, 1 - float(earned[w.pk]) / goal) if goal else 0.0,
                    recent_share=recent[w.pk] / recent_total if recent_total else 0.0,
                    open_seconds=sum(
                        left * optimiser.SECONDS_PER_PIECE[jobs[jid]["kind"]] for jid, left, _ in held[w.pk]
                    ),
                    arrival=w.pk,
                )
            )
        planner = optimiser.plan_day if policy == "optimiser" else optimiser.plan_first_come
        for s in planner(needs, profiles).suggestions:
            jobs[s.job_id]["left"] -= s.pieces
            held[s.worker_id].append([s.job_id, s.pieces, jobs[s.job_id]["due"]])
            offered_log.append((day, s.worker_id, s.pieces))
        if day % 7 == 6:
            continue  # Sunday
        for w in workers:
            hours = w.hours_per_week / 6
            for item in sorted(held[w.pk], key=lambda x: x[2]):
                if hours <= 0:
                    break
                job = jobs[item[0]]
                per_hour = PRIOR_PIECES_PER_HOUR[job["kind"]] * speed[w.pk]
                made = min(item[1], int(hours * per_hour))
                if made <= 0:
                    break
                hours -= made / per_hour
                item[1] -= made
                if day <= item[2]:
                    on_time += made
                else:
                    late += made
                passed = round(made * (1 - defect[w.pk]))
                earned[w.pk] += money.wage_amount(passed, job["rate"])
            held[w.pk] = [x for x in held[w.pk] if x[1] > 0]
    total = sum(earned.values(), Decimal(0))
    low = sum((earned[w.pk] for w in workers if w.low_income), Decimal(0))
    return {
        "gini": round(optimiser.gini([float(earned[w.pk]) for w in workers]), 4),
        "low_income_wage_share": round(float(low / total), 4) if total else 0.0,
        "on_time_pieces": on_time,
        "late_pieces": late,
        "wages_yuan": str(money.to_yuan(total)),
    }
