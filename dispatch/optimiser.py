"""The dispatch optimiser (人岗相适配): split open jobs among workers as an exact min-cost flow.

Pure functions on plain data, so the same code plans one job in a request, a county's day in a
benchmark, and both policies of the fairness comparison. ``planning`` builds the inputs from the database;
both read the speeds in ``priors``.

The network, in units of *standard seconds* of work (a piece of kind k takes ``SECONDS_PER_PIECE[k]``
at the prior speed, so pieces of different kinds share one worker's time exactly):

    job j ──(pieces_j × s_k, cost 0)──────────────────────────────▶ sink      (left unassigned)
    job j ──(what w can make before j is due, cost −value_jw)──▶ worker w    (skill, same workshop, caps)
    (worker w is a chain of nodes, one per due day, so work due by each day fits the time before it)
    worker w ──tier 1 (35 % of w's spare time, cost −fair_w)──────▶ sink
    worker w ──tier 2 (35 %, cost −fair_w / 2)────────────────────▶ sink
    worker w ──tier 3 (the rest, cost 0)──────────────────────────▶ sink

``value_jw`` is the worker's expected pass rate (quality, learned from inspections), raised for jobs
due sooner (so short capacity goes to the urgent work first); the flow maximises expected good pieces
made on time (each arc carries only what the worker can finish before
the job's due date at their learned speed). ``fair_w`` is a bonus for low-income workers, for those
furthest below their income goal, and for those who got little work lately (rotation); the tiers make it
diminishing, so the bonus spreads work instead of piling it on one person. Costs are integers (×1000).

The flow is solved exactly with OR-Tools' ``SimpleMinCostFlow``; turning seconds back into whole pieces
floors each arc and hands the remainders to the best arcs with room; then shares of a handful of pieces
(under ``Weights.min_share``) are folded, whole, into the job's bigger shares with room. A plan is never
scored below the first-come baseline (folded alike) on the same instance: if rounding and folding ever
cost more than that, the baseline is kept.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_noop
from ortools.graph.python import min_cost_flow

from . import flownet
from .priors import MIN_SHARE, SECONDS_PER_PIECE

SCALE = 1000
TIERS = (0.35, 0.35, 0.30)


@dataclass(frozen=True)
class Weights:
    """How much fairness weighs against expected good pieces (value per standard second ≈ 1.0)."""

    low_income: float = 0.35
    income_gap: float = 0.30
    rotation: float = 0.20
    urgency: float = 0.5  # value of a standard second × (1 + urgency / days to due): due sooner first
    # New work per worker in one plan: at most this many days of their time, so queues stay short and
    # work that arrives tomorrow still finds hands; the rest is planned again as workers free up.
    max_share_days: int = 2
    # A share smaller than this (pieces) is folded into the job's other shares where they have room:
    # materials for a handful of pieces cost a trip each (the rule's ``MIN_SHARE``).
    min_share: int = MIN_SHARE


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class JobNeed:
    """An open job: ``pieces`` still to place (int), of ``kind``, due in ``due_days`` days (1 = today).
    ``excluded``: ids of workers not to ask (they declined this job or let its offer expire)."""

    id: int
    workshop_id: int
    kind: str
    pieces: int
    due_days: int
    order: int = 0  # arrival order, for the first-come baseline
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True)
class WorkerProfile:
    """A worker as the planner sees them. Hours are per day; speed and quality are learned ratios.

    ``speed``: pieces an hour relative to the prior (1.0 = prior); ``quality``: expected pass rate (0–1);
    ``open_seconds``: standard seconds of work already held; ``income_gap``: 0–1, how far below the income
    goal they are; ``recent_share``: 0–1, their share of the workshop's work lately (rotation);
    ``cap_pieces``: optional cap on pieces in one plan; ``on_time``: on-time rate for the reasons.
    """

    id: int
    workshop_id: int
    skills: frozenset[str]
    hours_per_day: float
    speed: float = 1.0
    quality: float = 0.95
    low_income: bool = False
    income_gap: float = 0.0
    recent_share: float = 0.0
    open_seconds: int = 0
    cap_pieces: int | None = None
    on_time: float | None = None
    home: bool = False
    arrival: int = 0  # for the first-come baseline


@dataclass(frozen=True)
class Suggestion:
    job_id: int
    worker_id: int
    pieces: int
    reasons: tuple[str, ...]


@dataclass
class Plan:
    suggestions: list[Suggestion]
    objective: float
    solver_seconds: float = 0.0  # wall-clock seconds of the bare min-cost-flow solve
    policy: str = "optimiser"
    notes: list[str] = field(default_factory=list)
    solver_cpu_seconds: float = 0.0  # CPU seconds (time.process_time) of the same solve

    def pieces_by_job(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for s in self.suggestions:
            out[s.job_id] = out.get(s.job_id, 0) + s.pieces
        return out

    def pieces_by_worker(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for s in self.suggestions:
            out[s.worker_id] = out.get(s.worker_id, 0) + s.pieces
        return out


def fairness_bonus(w: WorkerProfile, weights: Weights = DEFAULT_WEIGHTS) -> float:
    return (
        weights.low_income * (1.0 if w.low_income else 0.0)
        + weights.income_gap * min(max(w.income_gap, 0.0), 1.0)
        + weights.rotation * (1.0 - min(max(w.recent_share * 10, 0.0), 1.0))
    )


def arc_value(job: JobNeed, w: WorkerProfile, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """Value of one standard second of ``job`` made by ``w``: their pass rate, more for jobs due sooner."""
    return w.quality * (1 + weights.urgency / max(job.due_days, 1))


spare_seconds = flownet.spare_seconds  # standard seconds ``w`` can still give in ``days`` days


def _eligible(job: JobNeed, w: WorkerProfile) -> bool:
    return job.workshop_id == w.workshop_id and job.kind in w.skills and w.id not in job.excluded


def objective(
    suggestions: Sequence[Suggestion],
    jobs: Sequence[JobNeed],
    workers: Sequence[WorkerProfile],
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    spare=None,
) -> float:
    """The plan's score in the flow's terms: Σ quality × standard seconds + tiered fairness bonus.
    ``spare``: ``spare_seconds`` or a cached equivalent (``flownet.SpareCache``)."""
    spare = spare or spare_seconds
    job_by_id = {j.id: j for j in jobs}
    worker_by_id = {w.id: w for w in workers}
    horizon = max((j.due_days for j in jobs), default=1)
    urgency = weights.urgency
    load: dict[int, int] = {}
    score = 0.0
    for s in suggestions:
        job = job_by_id[s.job_id]
        sec = s.pieces * SECONDS_PER_PIECE[job.kind]
        # arc_value(job, w, weights) × sec, written out (the same float operations in the same order)
        score += worker_by_id[s.worker_id].quality * (1 + urgency / max(job.due_days, 1)) * sec
        load[s.worker_id] = load.get(s.worker_id, 0) + sec
    days = min(horizon, weights.max_share_days)
    for wid, sec in load.items():
        w = worker_by_id[wid]
        bonus = fairness_bonus(w, weights)
        cap = spare(w, days)
        t1, t2 = int(cap * TIERS[0]), int(cap * TIERS[1])
        score += bonus * min(sec, t1) + bonus / 2 * min(max(sec - t1, 0), t2)
    return score


# The reasons with a number in them, stored filled in ("准时率 96%", "手头120件"); ``stored_words`` reads
# them back into the reader's language.
ON_TIME_REASON = gettext_noop("准时率 %(p)d%%")
HELD_REASON = gettext_noop("手头%(n)d件")
NUMBERED_REASONS = (ON_TIME_REASON, HELD_REASON)


def _reasons(w: WorkerProfile, job: JobNeed) -> tuple[str, ...]:
    out = [gettext_noop("技能匹配")]
    # Low-income priority weighs in the plan but is never written here: reasons are stored on the
    # assignment and shown to heads and workers, and the status is for community admins only.
    if w.income_gap >= 0.3:
        out.append(gettext_noop("本月收入偏低"))
    if w.recent_share < 0.01:
        out.append(gettext_noop("近期派工少"))
    if w.on_time is not None:
        out.append(ON_TIME_REASON % {"p": round(w.on_time * 100)})
    if w.quality >= 0.97:
        out.append(gettext_noop("合格率高"))
    if w.home:
        out.append(gettext_noop("居家加工"))
    return tuple(out)


def plan_day(
    jobs: Sequence[JobNeed], workers: Sequence[WorkerProfile], *, weights: Weights = DEFAULT_WEIGHTS
) -> Plan:
    """Split ``jobs`` among ``workers`` optimally (see the module docstring). Never exceeds a job's
    pieces, a worker's spare time before each due date or their cap, and respects skills and workshops.
    The plan depends only on the jobs and workers, never on their order in the sequences given.

    The network is built in bulk (``flownet``: numpy arrays, one pass per workshop for the workers' nodes
    and one over the jobs' candidate lists), so the plan costs little more than the solve inside it
    (issue 15); ``Plan.solver_seconds`` and ``Plan.solver_cpu_seconds`` time the bare solve.
    """
    # One canonical order, whatever order the rows came in: among equally good plans the solver keeps the
    # one its arc order reaches first, so the same jobs and workers must always be added in the same order
    # (jobs first come, workers by id) or a replan after an unrelated update moves work (issue 14).
    jobs = sorted((j for j in jobs if j.pieces > 0), key=lambda j: (j.order, j.id))
    workers = sorted(workers, key=lambda w: w.id)
    if not jobs or not workers:
        return Plan([], 0.0)
    net = flownet.build(jobs, workers, weights, SCALE, TIERS, [fairness_bonus(w, weights) for w in workers])
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.caps, net.costs)
    flow.set_nodes_supplies(net.supply_nodes, net.supplies)
    started, started_cpu = time.perf_counter(), time.process_time()
    status = flow.solve()
    solver_seconds = time.perf_counter() - started
    solver_cpu = time.process_time() - started_cpu
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: status {status}")
    spare = net.spare
    # Only the job→worker arcs that carry flow matter from here on, in arc order (as they were added).
    flows = flow.flows(net.job_arcs)
    carrying = np.flatnonzero(flows > 0)
    arc_ids = net.job_arcs[carrying].tolist()
    arc_jobs = net.arc_job[carrying].tolist()
    arc_workers = net.arc_worker[carrying].tolist()
    arc_flows = flows[carrying].tolist()
    arc_costs = net.costs[net.job_arcs[carrying]].tolist()
    pieces: dict[tuple[int, int], int] = {}
    used: dict[int, int] = {}
    placed = [0] * len(jobs)
    for ji, wi, f in zip(arc_jobs, arc_workers, arc_flows, strict=True):
        job = jobs[ji]
        n = f // SECONDS_PER_PIECE[job.kind]
        if n > 0:
            wid = workers[wi].id
            pieces[(ji, wid)] = n
            placed[ji] += n
            used[wid] = used.get(wid, 0) + n * SECONDS_PER_PIECE[job.kind]
    # Remainders from flooring: to the best arcs (lowest cost; arc order among equals) with room.
    order = sorted(range(len(arc_ids)), key=lambda i: arc_costs[i])
    for i in order:
        ji, w = arc_jobs[i], workers[arc_workers[i]]
        job = jobs[ji]
        left = job.pieces - placed[ji]
        if left <= 0:
            continue
        sec = SECONDS_PER_PIECE[job.kind]
        wid = w.id
        room = spare(w, min(job.due_days, weights.max_share_days)) - used.get(wid, 0)
        if w.cap_pieces is not None:
            room = min(room, (w.cap_pieces - pieces.get((ji, wid), 0)) * sec)
        extra = min(left, max(room, 0) // sec)
        if extra > 0:
            pieces[(ji, wid)] = pieces.get((ji, wid), 0) + extra
            placed[ji] += extra
            used[wid] = used.get(wid, 0) + extra * sec
    worker_by_id = {w.id: w for w in workers}
    _fold_small_shares(pieces, used, jobs, worker_by_id, weights, spare=spare)
    reasons: dict[int, tuple[str, ...]] = {}  # they depend on the worker only: one tuple each
    suggestions = []
    for (ji, wid), n in pieces.items():
        if n > 0:
            if wid not in reasons:
                reasons[wid] = _reasons(worker_by_id[wid], jobs[ji])
            suggestions.append(Suggestion(jobs[ji].id, wid, n, reasons[wid]))
    plan = Plan(
        suggestions,
        objective(suggestions, jobs, workers, weights, spare=spare),
        solver_seconds,
        solver_cpu_seconds=solver_cpu,
    )
    baseline = plan_first_come(jobs, workers, weights=weights, spare=spare)
    if baseline.objective > plan.objective:
        baseline.notes.append("whole pieces and folded handfuls scored below the first-come plan: kept that")
        baseline.solver_seconds = solver_seconds
        baseline.solver_cpu_seconds = solver_cpu
        return baseline
    return plan


def _fold_small_shares(
    pieces: dict[tuple[int, int], int],
    used: dict[int, int],
    jobs: Sequence[JobNeed],
    worker_by_id: dict[int, WorkerProfile],
    weights: Weights,
    *,
    spare=None,
) -> None:
    """Fold each share under ``weights.min_share`` pieces, whole, into the same job's shares at least as
    big (biggest first) whose workers have room before the due date and under their cap. A share that
    does not fit whole stays as it is; folding repeats until nothing moves, since one fold frees room for
    another. Edits ``pieces`` ((job index, worker id) → pieces) and ``used`` (standard seconds per
    worker) in place; a folded share is left at 0 pieces. ``spare``: ``spare_seconds`` or a cached
    equivalent (``flownet.SpareCache``)."""
    spare = spare or flownet.SpareCache()
    # A job's folds read only its own shares and its workers' time used, and more time used only means
    # less room. So a job none of whose workers has given up work since its last walk began would fold
    # nothing again (its own folds free its small shares' workers, so a job that folded is walked again):
    # the next pass skips it. ``tick`` counts the moves, ``changed_at`` is the last move that freed a
    # worker's time, ``walked_at`` the tick a job's last walk began.
    tick = 0
    changed_at: dict[int, int] = {}
    walked_at: dict[int, int] = {}
    moved = True
    while moved:
        moved = False
        by_job: dict[int, list[int]] = {}
        small_jobs: set[int] = set()
        for (ji, wid), n in pieces.items():
            if n > 0:
                by_job.setdefault(ji, []).append(wid)
                if n < weights.min_share:
                    small_jobs.add(ji)
        for ji, wids in by_job.items():
            if ji not in small_jobs:  # no share to fold (and folding only ever empties small shares)
                continue
            if ji in walked_at and all(changed_at.get(w, -1) <= walked_at[ji] for w in wids):
                continue
            walked_at[ji] = tick
            job = jobs[ji]
            sec = SECONDS_PER_PIECE[job.kind]
            days = min(job.due_days, weights.max_share_days)
            biggest_first = None  # sorted again only after a fold changed the shares
            for small in sorted(wids, key=lambda w: pieces[(ji, w)]):
                n = pieces[(ji, small)]
                if n == 0 or n >= weights.min_share:
                    continue
                if biggest_first is None:
                    biggest_first = sorted(wids, key=lambda w: -pieces[(ji, w)])
                rooms = []
                total = 0
                for big in biggest_first:
                    if pieces[(ji, big)] < n:
                        break  # biggest first: the rest are smaller still
                    if big == small:
                        continue
                    w = worker_by_id[big]
                    room = (spare(w, days) - used.get(big, 0)) // sec
                    if w.cap_pieces is not None:
                        room = min(room, w.cap_pieces - pieces[(ji, big)])
                    if room > 0:
                        rooms.append((big, room))
                        total += room
                        if total >= n:
                            break  # enough room: the fold below never reaches further shares
                if total < n:
                    continue
                biggest_first = None
                for big, room in rooms:
                    move = min(room, pieces[(ji, small)])
                    pieces[(ji, big)] += move
                    pieces[(ji, small)] -= move
                    used[big] = used.get(big, 0) + move * sec
                    used[small] -= move * sec
                    tick += 1
                    changed_at[small] = tick
                    if pieces[(ji, small)] == 0:
                        break
                moved = True


def plan_first_come(
    jobs: Sequence[JobNeed],
    workers: Sequence[WorkerProfile],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    spare: flownet.SpareCache | None = None,
) -> Plan:
    """The greedy baseline: jobs in arrival order, each filled by workers in arrival order up to the
    time they have before the due date (within the same share cap as the optimiser), ignoring quality
    and fairness; shares under ``weights.min_share`` are folded as in ``plan_day``. ``spare``: a
    ``flownet.SpareCache`` to share with the caller (``plan_day`` passes its own)."""
    spare = spare or flownet.SpareCache()
    used: dict[int, int] = {}
    pieces: dict[tuple[int, int], int] = {}
    # Each workshop's workers with each skill, sorted by arrival once (a job only ever goes to its own
    # workshop's workers), and per (workshop, kind, days) a "next worker with room" pointer: a worker whose
    # time before those days is too short for one more piece never has room there again (time used only
    # grows), so the walk steps over them for good. Each job walks past the workers it gives work to, the
    # ones it excludes and those it finds full for the first time: linear in jobs + workers + shares, not
    # jobs × workers-per-workshop (issue 15).
    by_skill: dict[tuple[int, str], list[WorkerProfile]] = defaultdict(list)
    for w in sorted(workers, key=lambda w: (w.arrival, w.id)):
        for kind in w.skills:
            by_skill[(w.workshop_id, kind)].append(w)
    skip_to: dict[tuple[int, str, int], list[int]] = {}

    def alive(nxt: list[int], i: int) -> int:
        root = i
        while nxt[root] != root:
            root = nxt[root]
        while nxt[i] != root:  # path compression
            nxt[i], i = root, nxt[i]
        return root

    for ji in sorted(range(len(jobs)), key=lambda i: (jobs[i].order, jobs[i].id)):
        job = jobs[ji]
        sec = SECONDS_PER_PIECE[job.kind]
        days = min(job.due_days, weights.max_share_days)
        left = job.pieces
        line = by_skill.get((job.workshop_id, job.kind), ())
        if not line:
            continue
        nxt = skip_to.get((job.workshop_id, job.kind, days))
        if nxt is None:
            nxt = skip_to[(job.workshop_id, job.kind, days)] = list(range(len(line) + 1))
        i = alive(nxt, 0)
        while i < len(line) and left > 0:
            w = line[i]
            if not _eligible(job, w):  # excluded from this job
                i = alive(nxt, i + 1)
                continue
            can = max(spare(w, days) - used.get(w.id, 0), 0) // sec
            n = min(left, can)
            if w.cap_pieces is not None:
                n = min(n, w.cap_pieces)
            if n <= 0:  # no room for a piece (or a cap of none): never again at these days
                nxt[i] = i + 1
                i = alive(nxt, i + 1)
                continue
            pieces[(ji, w.id)] = n
            used[w.id] = used.get(w.id, 0) + n * sec
            left -= n
            if can - n <= 0:
                nxt[i] = i + 1
            i = alive(nxt, i + 1)
    _fold_small_shares(pieces, used, jobs, {w.id: w for w in workers}, weights, spare=spare)
    first_come = (gettext_noop("先到先得"),)  # a msgid, read in the reader's language (a trial saw Chinese)
    suggestions = [Suggestion(jobs[ji].id, wid, n, first_come) for (ji, wid), n in pieces.items() if n > 0]
    return Plan(suggestions, objective(suggestions, jobs, workers, weights, spare=spare), policy="first_come")


def plan_violations(plan: Plan, jobs: Sequence[JobNeed], workers: Sequence[WorkerProfile]) -> list[str]:
    """Every way ``plan`` breaks the rules (empty when it keeps them): a job over its pieces, a worker
    without the skill, of another workshop or excluded from the job, over their cap, or over their spare
    time before a due day."""
    job_by_id = {j.id: j for j in jobs}
    worker_by_id = {w.id: w for w in workers}
    out = []
    for jid, n in plan.pieces_by_job().items():
        if n > job_by_id[jid].pieces:
            out.append(f"job {jid}: {n} > {job_by_id[jid].pieces}")
    per_worker: dict[int, list[tuple[int, int]]] = {}
    for s in plan.suggestions:
        job, w = job_by_id[s.job_id], worker_by_id[s.worker_id]
        if s.pieces <= 0:
            out.append(f"non-positive share {s}")
        if not _eligible(job, w):
            out.append(f"worker {w.id} cannot take job {job.id}")
        per_worker.setdefault(w.id, []).append((job.due_days, s.pieces * SECONDS_PER_PIECE[job.kind]))
    for wid, loads in per_worker.items():
        w = worker_by_id[wid]
        if w.cap_pieces is not None and plan.pieces_by_worker()[wid] > w.cap_pieces * max(1, len(loads)):
            out.append(f"worker {wid} over cap")
        for day in {d for d, _ in loads}:
            due_by = sum(sec for d, sec in loads if d <= day)
            if due_by > spare_seconds(w, day):
                out.append(f"worker {wid}: {due_by}s due by day {day} > {spare_seconds(w, day)}s spare")
    return out


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (0 = equal, → 1 = one person has everything)."""
    xs = sorted(max(v, 0.0) for v in values)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    cum = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * cum) / (n * total) - (n + 1) / n


__all__ = [
    "JobNeed",
    "Plan",
    "Suggestion",
    "Weights",
    "WorkerProfile",
    "gini",
    "objective",
    "plan_day",
    "plan_first_come",
]
