"""The optimiser's min-cost-flow network, built in bulk (issue 15).

``build`` lays out exactly the network ``optimiser``'s docstring describes, arc for arc and in the same
order as the arc-at-a-time build it replaces (the solver keeps, among equally good plans, the one its arc
order reaches first, so the order is part of the plan): the workers' nodes and arcs one workshop at a
time as numpy arrays, then each job's arc to the sink followed by its arcs to the workers of its workshop
who have the skill, taken from per-(workshop, kind) candidate lists made once, with capacities and costs
computed for all candidate arcs at once from per-worker and per-job arrays. No Python call per arc.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .priors import SECONDS_PER_PIECE

NO_CAP = 1 << 40  # stands for "no cap" in the per-worker cap array (× seconds a piece stays < 2**63)


def spare_seconds(w, days: int) -> int:
    """Standard seconds ``w`` can still give in ``days`` days (own hours × speed, less work held)."""
    return max(int(w.hours_per_day * days * 3600 * w.speed) - w.open_seconds, 0)


class SpareCache:
    """``spare_seconds`` remembered by (worker id, days): the rounding and folding ask it again and again."""

    def __init__(self):
        self._seen: dict[tuple[int, int], int] = {}

    def __call__(self, w, days: int) -> int:
        key = (w.id, days)
        got = self._seen.get(key)
        if got is None:
            got = self._seen[key] = spare_seconds(w, days)
        return got


@dataclass
class Network:
    """Arrays for ``SimpleMinCostFlow``: arcs (``tails``/``heads`` int32, ``caps`` in standard seconds and
    ``costs`` int64), node supplies, and for the job→worker arcs their arc indices (``job_arcs``, int32),
    job index (into the sorted jobs) and worker index (into the sorted workers)."""

    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    supply_nodes: np.ndarray
    supplies: np.ndarray
    job_arcs: np.ndarray
    arc_job: np.ndarray
    arc_worker: np.ndarray
    spare: SpareCache


def build(jobs: Sequence, workers: Sequence, weights, scale: int, tiers: Sequence[float], bonuses) -> Network:
    """The network for ``jobs`` (sorted first come) and ``workers`` (sorted by id); ``bonuses``: each
    worker's fairness bonus, in the workers' order. Node numbers: jobs 0…n−1, the sink n, then each
    worker's due-day chain, workshop after workshop."""
    n_jobs, n_workers = len(jobs), len(workers)
    sink = n_jobs
    msd = weights.max_share_days
    # Spare seconds by worker and by "days" column (each distinct min(due days, share cap) of the jobs).
    day_values = sorted({min(j.due_days, msd) for j in jobs})
    col_of = {d: i for i, d in enumerate(day_values)}
    hours = np.fromiter((w.hours_per_day for w in workers), float, n_workers)
    speed = np.fromiter((w.speed for w in workers), float, n_workers)
    held = np.fromiter((w.open_seconds for w in workers), np.int64, n_workers)
    spare = np.empty((n_workers, len(day_values)), np.int64)
    for d, c in col_of.items():
        # Same float operations, in the same order, as ``spare_seconds``; astype truncates like int().
        spare[:, c] = np.maximum((hours * d * 3600 * speed).astype(np.int64) - held, 0)
    quality = np.fromiter((w.quality for w in workers), float, n_workers)
    cap_pieces = np.fromiter(
        (NO_CAP if w.cap_pieces is None else w.cap_pieces for w in workers), np.int64, n_workers
    )
    bonus = np.asarray(bonuses, dtype=float)

    by_workshop: dict[int, list[int]] = {}
    for wi, w in enumerate(workers):
        by_workshop.setdefault(w.workshop_id, []).append(wi)
    due_days_by_workshop: dict[int, set[int]] = {}
    for job in jobs:
        due_days_by_workshop.setdefault(job.workshop_id, set()).add(job.due_days)

    # Each worker gets one node per due day of their workshop's jobs, chained earliest to latest: the
    # chain arc out of day d carries all work due by d, so its capacity (spare time by d) keeps every job
    # on time, not just each job alone; the last node's three tiers reach the sink.
    first_node = np.zeros(n_workers, np.int64)
    day_pos: dict[int, dict[int, int]] = {}
    parts_t, parts_h, parts_c, parts_k = [], [], [], []
    next_node = n_jobs + 1
    for wsid, wis in by_workshop.items():
        days = sorted(due_days_by_workshop.get(wsid, ()))
        if not days:
            continue
        day_pos[wsid] = {d: k for k, d in enumerate(days)}
        idx = np.asarray(wis, dtype=np.int64)
        n_w, n_d = len(wis), len(days)
        nodes = next_node + np.arange(n_w * n_d, dtype=np.int64).reshape(n_w, n_d)
        next_node += n_w * n_d
        first_node[idx] = nodes[:, 0]
        width = n_d - 1 + 3
        t = np.empty((n_w, width), np.int64)
        h = np.empty((n_w, width), np.int64)
        c = np.empty((n_w, width), np.int64)
        k = np.zeros((n_w, width), np.int64)
        t[:, : n_d - 1] = nodes[:, :-1]
        h[:, : n_d - 1] = nodes[:, 1:]
        for j in range(n_d - 1):
            c[:, j] = spare[idx, col_of[min(days[j], msd)]]
        cap = spare[idx, col_of[min(days[-1], msd)]]
        t1 = (cap * tiers[0]).astype(np.int64)
        t2 = (cap * tiers[1]).astype(np.int64)
        b = bonus[idx]
        t[:, n_d - 1 :] = nodes[:, -1:]
        h[:, n_d - 1 :] = sink
        c[:, n_d - 1], c[:, n_d], c[:, n_d + 1] = t1, t2, cap - t1 - t2
        k[:, n_d - 1] = -np.rint(scale * b).astype(np.int64)
        k[:, n_d] = -np.rint(scale * b / 2).astype(np.int64)
        parts_t.append(t.ravel())
        parts_h.append(h.ravel())
        parts_c.append(c.ravel())
        parts_k.append(k.ravel())

    # Each job: its arc to the sink (the pieces left unassigned), then its candidates in id order.
    candidates: dict[tuple[int, str], np.ndarray] = {}
    for wsid, wis in by_workshop.items():
        for kind in SECONDS_PER_PIECE:
            candidates[(wsid, kind)] = np.asarray(
                [wi for wi in wis if kind in workers[wi].skills], dtype=np.int64
            )
    empty = np.empty(0, np.int64)
    head_of_sink = np.full(1, -1, np.int64)
    segs = []
    lengths = np.empty(n_jobs, np.int64)
    need = np.empty(n_jobs, np.int64)
    sec = np.empty(n_jobs, np.int64)
    col = np.empty(n_jobs, np.int64)
    pos = np.zeros(n_jobs, np.int64)
    mult = np.empty(n_jobs, float)
    for ji, job in enumerate(jobs):
        cand = candidates.get((job.workshop_id, job.kind), empty)
        if job.excluded and len(cand):
            cand = cand[[workers[wi].id not in job.excluded for wi in cand.tolist()]]
        segs.append(head_of_sink)
        segs.append(cand)
        lengths[ji] = 1 + len(cand)
        sec[ji] = SECONDS_PER_PIECE[job.kind]
        need[ji] = job.pieces * sec[ji]
        col[ji] = col_of[min(job.due_days, msd)]
        if len(cand):
            pos[ji] = day_pos[job.workshop_id][job.due_days]
        mult[ji] = 1 + weights.urgency / max(job.due_days, 1)  # as ``optimiser.arc_value``
    cand = np.concatenate(segs)
    arc_job = np.repeat(np.arange(n_jobs, dtype=np.int64), lengths)
    to_sink = cand < 0
    wi = np.where(to_sink, 0, cand)
    cap = np.minimum(need[arc_job], spare[wi, col[arc_job]])
    cap = np.minimum(cap, cap_pieces[wi] * sec[arc_job])
    cap = np.where(to_sink, need[arc_job], cap)
    keep = to_sink | (cap > 0)
    cost = np.where(to_sink, 0, -np.rint(scale * (quality[wi] * mult[arc_job])).astype(np.int64))
    head = np.where(to_sink, sink, first_node[wi] + pos[arc_job])
    n_struct = sum(len(p) for p in parts_t)
    kept_sink = to_sink[keep]
    tails = np.concatenate([*parts_t, arc_job[keep]]).astype(np.int32)
    heads = np.concatenate([*parts_h, head[keep]]).astype(np.int32)
    caps = np.concatenate([*parts_c, cap[keep]]).astype(np.int64)
    costs = np.concatenate([*parts_k, cost[keep]]).astype(np.int64)
    job_arcs = (n_struct + np.flatnonzero(~kept_sink)).astype(np.int32)
    return Network(
        tails=tails,
        heads=heads,
        caps=caps,
        costs=costs,
        supply_nodes=np.arange(n_jobs + 1, dtype=np.int32),
        supplies=np.append(need, -int(need.sum())).astype(np.int64),
        job_arcs=job_arcs,
        arc_job=arc_job[keep][~kept_sink],
        arc_worker=wi[keep][~kept_sink],
        spare=SpareCache(),
    )
