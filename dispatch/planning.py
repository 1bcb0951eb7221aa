"""Dispatch planning: how open jobs' pieces are split among workers.

``plan_jobs`` is the entry point (``plan_shares`` for one job): by ``settings.NUANXIN_PLANNER``, the
min-cost-flow optimiser (``dispatch.optimiser``, fed by ``worker_profiles`` learned from the ledger) or
``plan_split``, the plain rule: suitable workers (skill, active, spare capacity before the due date),
fewest open pieces first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_noop

from pay import money
from pay.models import WorkerMonth
from pay.selectors import earned_since
from workshop.models import Worker, WorkPlace

from . import flownet, optimiser
from .models import TO_OFFER, Assignment, AssignmentState, FlowEvent, Job, WorkReport
from .priors import MIN_SHARE, PRIOR_PIECES_PER_HOUR, hours_for


@dataclass(frozen=True)
class Share:
    """One planned assignment: ``pieces`` (int) of the job for worker ``worker_id``, with reasons in words."""

    worker_id: int
    pieces: int
    reasons: str


def capacity_pieces(worker: Worker, kind: str, *, today: dt.date, due_on: dt.date) -> int:
    """Pieces ``worker`` can make of ``kind`` from ``today`` to ``due_on`` inclusive, from weekly hours."""
    days = max((due_on - today).days + 1, 1)
    return int(worker.hours_per_week * days / 7 * PRIOR_PIECES_PER_HOUR.get(kind, 40))


def spare_pieces(worker: Worker, kind: str, *, today: dt.date, due_on: dt.date, open_hours) -> int:
    """Pieces of ``kind`` ``worker`` can still make by ``due_on``: ``capacity_pieces`` less the work they
    hold (``open_hours``: hours by worker id, from ``open_work``) at the prior speed. May be negative."""
    held = open_hours.get(worker.pk, 0.0) * PRIOR_PIECES_PER_HOUR.get(kind, 40)
    return int(capacity_pieces(worker, kind, today=today, due_on=due_on) - held)


def plan_split(
    *,
    kind: str,
    pieces: int,
    due_on: dt.date,
    today: dt.date,
    candidates: Sequence[Worker],
    open_pieces: Mapping[int, int],
    open_hours: Mapping[int, float] | None = None,
) -> list[Share]:
    """Split ``pieces`` (int > 0) of process ``kind`` due ``due_on`` among ``candidates``.

    ``open_pieces`` maps a worker id to the pieces they already hold but have not reported; ``open_hours``,
    when given, maps a worker id to the hours that work needs (pieces of other kinds take other times),
    and the spare capacity is counted in hours instead of pieces. Returns shares
    whose pieces sum to at most ``pieces``: fewer when the workers' spare capacity is short, and the rest
    is offered again later. Never gives a worker more than their spare capacity before the due date.
    """
    eligible = []
    for w in candidates:
        if not w.active or not w.has_skill(kind):
            continue
        if open_hours is not None:
            spare = spare_pieces(w, kind, today=today, due_on=due_on, open_hours=open_hours)
        else:
            spare = capacity_pieces(w, kind, today=today, due_on=due_on) - open_pieces.get(w.pk, 0)
        if spare > 0:
            eligible.append((open_pieces.get(w.pk, 0), w.pk, spare))
    if not eligible or pieces <= 0:
        return []
    eligible.sort()
    chunk = max(math.ceil(pieces / len(eligible)), MIN_SHARE)
    # A share is at least a day's work for its worker: fewer, fuller shares mean fewer trips for materials.
    day_pieces = {w.pk: int(w.hours_per_week / 6 * PRIOR_PIECES_PER_HOUR.get(kind, 40)) for w in candidates}
    given: dict[int, int] = {}
    remaining = pieces
    for _held, worker_id, spare in eligible:
        if remaining <= 0:
            break
        take = min(max(chunk, day_pieces[worker_id]), spare, remaining)
        given[worker_id] = take
        remaining -= take
    # A nearly-full worker takes less than a chunk: hand what they could not take to those with room,
    # in the same order, so pieces stay unoffered only when the workers' spare capacity is short.
    for _held, worker_id, spare in eligible:
        if remaining <= 0:
            break
        extra = min(spare - given.get(worker_id, 0), remaining)
        if extra > 0:
            given[worker_id] = given.get(worker_id, 0) + extra
            remaining -= extra
    shares: list[Share] = []
    for held, worker_id, _spare in eligible:
        if given.get(worker_id):
            reasons = (
                gettext_noop("技能匹配")
                + " · "
                + (gettext_noop("手头无活") if held == 0 else optimiser.HELD_REASON % {"n": held})
            )
            shares.append(Share(worker_id=worker_id, pieces=given[worker_id], reasons=reasons))
    return shares


# --- the optimiser's inputs, learned from the ledger ------------------------------------------------

SPEED_PRIOR_DAYS = 5  # a newcomer's speed is the prior until about a week of reports says otherwise
QUALITY_PRIOR = (19, 1)  # Beta(19, 1): 95 % pass rate until inspections say otherwise
LOOKBACK_DAYS = 28
ROTATION_DAYS = 7


@dataclass(frozen=True)
class LearnedSpeed:
    """A worker's speed learned from the ledger: ``speed`` multiplies the prior speeds
    (``priors.PRIOR_PIECES_PER_HOUR``; 1.0 until reports say otherwise, kept within 0.5–1.6); ``days``:
    days with a report in the last 28; ``kinds``: the process kinds reported in them."""

    speed: float
    days: int
    kinds: frozenset[str]


def learned_speeds(workers) -> dict[int, LearnedSpeed]:
    """Each of ``workers``' (Worker objects) learned speed, by worker id. One query.

    Standard hours reported per active day over the last 28 days (pieces × the prior's seconds per piece
    of their kind), against the hours the worker offers a day (a sixth of ``hours_per_week``), shrunk
    towards the prior (1.0) with the weight of 5 days.
    """
    workers = list(workers)
    sec = optimiser.SECONDS_PER_PIECE
    since = timezone.now() - dt.timedelta(days=LOOKBACK_DAYS)
    made: dict[int, float] = {}
    days: dict[int, set] = {}
    kinds: dict[int, set] = {}
    for wid, kind, day, n in (
        # Live reports only: an undone or corrected report and its reversal say nothing of her speed.
        WorkReport.objects.filter(
            assignment__worker_id__in=[w.pk for w in workers],
            at__gte=since,
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .annotate(day=TruncDate("at"))
        .values_list("assignment__worker_id", "assignment__job__process_kind", "day")
        .annotate(n=Sum("pieces"))
        .order_by("assignment__worker_id", "assignment__job__process_kind", "day")  # floats: one sum order
    ):
        made[wid] = made.get(wid, 0.0) + n * sec.get(kind, 90) / 3600
        days.setdefault(wid, set()).add(day)
        kinds.setdefault(wid, set()).add(kind)
    out = {}
    for w in workers:
        per_day = w.hours_per_week / 6
        active_days = len(days.get(w.pk, ()))
        ratio = (made.get(w.pk, 0.0) / active_days / per_day) if active_days and per_day else 1.0
        speed = (SPEED_PRIOR_DAYS + active_days * ratio) / (SPEED_PRIOR_DAYS + active_days)
        out[w.pk] = LearnedSpeed(
            speed=min(max(speed, 0.5), 1.6), days=active_days, kinds=frozenset(kinds.get(w.pk, ()))
        )
    return out


def work_counts(worker_ids: Collection[int]) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
    """Over each worker's whole history, from her month rollups (``pay.models.WorkerMonth``, a row a
    month): ({id: (pieces passed, rejected)} of her shares' inspections, {id: (shares done on or before
    their due date, shares done)}). One query."""
    quality, on_time = {}, {}
    for wid, p, r, ok, n in (
        WorkerMonth.objects.filter(worker_id__in=list(worker_ids))
        .order_by()
        .values_list("worker_id")
        .annotate(p=Sum("passed"), r=Sum("rejected"), ok=Sum("done_on_time"), n=Sum("done"))
    ):
        quality[wid] = (p or 0, r or 0)
        if n:
            on_time[wid] = (ok or 0, n)
    return quality, on_time


def worker_profiles(workshop_ids, *, today: dt.date) -> list:
    """The planner's view of the active workers of ``workshop_ids`` (a few grouped queries, no N+1).

    Speed: standard hours reported per active day over the last 28 days, against the hours the worker
    offers a day, shrunk towards the prior (1.0) with the weight of 5 days. Quality: passed / inspected
    with a Beta(19, 1) prior. Income gap: this year's booked pay against the pro-rata income goal
    (``money.INCOME_GOAL_YUAN``). Rotation: the worker's share of pieces offered in the last 7 days.
    """
    # In id order: the flow's arcs are added in this order, and among equally good plans the solver keeps
    # the one its arc order reaches first, so the same data must give the same order whatever the rows'.
    workers = list(Worker.objects.filter(workshop_id__in=list(workshop_ids), active=True).order_by("pk"))
    ids = [w.pk for w in workers]
    if not ids:
        return []
    _pieces, open_hours = open_work(ids)
    learned = learned_speeds(workers)
    quality, on_time = work_counts(ids)
    year_start = today.replace(month=1, day=1)
    earned = earned_since(ids, year_start)
    recent = dict(
        Assignment.objects.filter(
            worker_id__in=ids, offered_at__gte=timezone.now() - dt.timedelta(days=ROTATION_DAYS)
        )
        .values_list("worker_id")
        .annotate(n=Sum("pieces"))
    )
    recent_total = sum(recent.values()) or 0
    profiles = []
    for w in workers:
        per_day = w.hours_per_week / 6
        p, r = quality.get(w.pk, (0, 0))
        ok, n = on_time.get(w.pk, (0, 0))
        start = max(year_start, w.joined_on or year_start)
        goal = money.INCOME_GOAL_YUAN.get(w.employment, money.INCOME_GOAL_YUAN["part_time"])
        expected = float(goal) * max((today - start).days + 1, 1) / 365
        gap = max(0.0, 1.0 - float(earned.get(w.pk, 0) or 0) / expected) if expected else 0.0
        profiles.append(
            optimiser.WorkerProfile(
                id=w.pk,
                workshop_id=w.workshop_id,
                skills=frozenset(w.skills or ()),
                hours_per_day=per_day,
                speed=learned[w.pk].speed,
                quality=(p + QUALITY_PRIOR[0]) / (p + r + sum(QUALITY_PRIOR)),
                low_income=w.low_income,
                income_gap=gap,
                recent_share=(recent.get(w.pk, 0) or 0) / recent_total if recent_total else 0.0,
                open_seconds=round(open_hours.get(w.pk, 0.0) * 3600),
                on_time=ok / n if n else None,
                home=w.work_place == "home",
                arrival=w.pk,
            )
        )
    return profiles


def _by_job(plan) -> dict[int, list[Share]]:
    out: dict[int, list[Share]] = {}
    for s in sorted(plan.suggestions, key=lambda s: (s.job_id, -s.pieces, s.worker_id)):
        out.setdefault(s.job_id, []).append(
            Share(worker_id=s.worker_id, pieces=s.pieces, reasons=" · ".join(s.reasons))
        )
    return out


def _needs(jobs, *, today: dt.date, refused: Mapping[int, Collection[int]]) -> list[optimiser.JobNeed]:
    """What each of ``jobs`` still has to place, as both planners take it (in the jobs' order)."""
    return [
        optimiser.JobNeed(
            id=job.pk,
            workshop_id=job.workshop_id,
            kind=job.process_kind,
            pieces=job.pieces_unassigned,
            due_days=max((job.due_on - today).days + 1, 1),
            order=job.pk,
            excluded=frozenset(refused.get(job.pk, ())),
        )
        for job in jobs
    ]


def _optimiser_plan(
    jobs, *, today: dt.date, refused: Mapping[int, Collection[int]], profiles=None
) -> dict[int, list[Share]]:
    needs = _needs(jobs, today=today, refused=refused)
    if profiles is None:
        profiles = worker_profiles({job.workshop_id for job in jobs}, today=today)
    plan = optimiser.plan_day(needs, profiles)
    home = {p.id for p in profiles if p.home}
    return _by_job(
        _keep_small_remainders_at_the_workshop(
            plan, needs, home, replan=lambda again: optimiser.plan_day(again, profiles)
        )
    )


def _keep_small_remainders_at_the_workshop(plan, needs, home: Collection[int], *, replan):
    """A job with fewer than ``MIN_SHARE`` pieces left to place (a remainder after a decline, say) that the
    plan gives to a home worker costs a delivery trip for a handful of pieces (the reason for
    ``MIN_SHARE``; found in a trial: 1 piece offered to a home worker). Plan again with those jobs kept
    from home workers, and take that plan when it places all but at most the pieces it kept from those
    trips (the workshop's own workers may be full: a few pieces of another job then wait for the next
    plan, minutes away, rather than a courier carry one piece; the next trial found the stricter rule,
    as many pieces, never met on a busy day); else keep the first (a home worker may be the only one with
    the skill or the time). The second solve runs only in that case.

    ``plan``: an ``optimiser.Plan`` of ``needs`` (``optimiser.JobNeed``); ``home``: the ids of the workers
    who work at home; ``replan(needs)``: the same planner's ``optimiser.Plan`` of other needs (the
    optimiser's ``plan_day``, or the plain rule's ``_rule_plan``), called at most once."""
    small_jobs = {n.id for n in needs if n.pieces < MIN_SHARE}
    # A home worker the plan also gives a share of a bigger job gets a trip anyway: hers ride along.
    trip_anyway = {s.worker_id for s in plan.suggestions if s.job_id not in small_jobs}
    small = {
        s.job_id for s in plan.suggestions if s.job_id in small_jobs and s.worker_id in home - trip_anyway
    }
    if not small:
        return plan
    again = replan([replace(n, excluded=n.excluded | frozenset(home)) if n.id in small else n for n in needs])
    placed = sum(s.pieces for s in plan.suggestions)
    trips = sum(s.pieces for s in plan.suggestions if s.job_id in small and s.worker_id in home)
    kept = sum(s.pieces for s in again.suggestions if s.job_id in small)
    if kept < sum(s.pieces for s in plan.suggestions if s.job_id in small):
        return plan  # the small jobs themselves would lose pieces: keep the trips
    return again if sum(s.pieces for s in again.suggestions) >= placed - trips else plan


def open_work(workers) -> tuple[dict[int, int], dict[int, float]]:
    """What ``workers`` (Worker objects or ids) hold and have not reported yet (offered or accepted):
    ``(pieces by worker id, hours by worker id at the prior speeds)``. One query."""
    open_pieces: dict[int, int] = {}
    open_hours: dict[int, float] = {}
    for wid, kind, n in (
        Assignment.objects.filter(
            worker__in=workers, state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED)
        )
        .values_list("worker_id", "job__process_kind")
        .annotate(open=Sum("pieces") - Sum("pieces_reported"))
        .order_by("worker_id", "job__process_kind")  # the hours are a float sum: add them in one order
    ):
        open_pieces[wid] = open_pieces.get(wid, 0) + n
        open_hours[wid] = open_hours.get(wid, 0.0) + hours_for(n, kind)
    return open_pieces, open_hours


def _rule_plan(jobs, *, today: dt.date, refused: Mapping[int, Collection[int]]) -> dict[int, list[Share]]:
    """``plan_split`` (the plain rule) job after job in id order (first come), each seeing the shares
    planned for the jobs before it as work its workers already hold; a small remainder is kept from a
    home worker's door as the optimiser's plan keeps it (``_keep_small_remainders_at_the_workshop``)."""
    workers = list(
        Worker.objects.filter(workshop_id__in={j.workshop_id for j in jobs}, active=True).order_by("pk")
    )
    held_pieces, held_hours = open_work(workers)
    by_id = {job.pk: job for job in jobs}
    # Each workshop's workers, listed once: a job looks at its own workshop's, not the county's.
    of_workshop: dict[int, list[Worker]] = {}
    for w in workers:
        of_workshop.setdefault(w.workshop_id, []).append(w)

    def split(needs: list[optimiser.JobNeed]) -> optimiser.Plan:
        open_pieces, open_hours = dict(held_pieces), dict(held_hours)
        suggestions = []
        for need in sorted(needs, key=lambda n: n.id):
            job = by_id[need.id]
            shares = plan_split(
                kind=job.process_kind,
                pieces=need.pieces,
                due_on=job.due_on,
                today=today,
                candidates=[w for w in of_workshop.get(job.workshop_id, ()) if w.pk not in need.excluded],
                open_pieces=open_pieces,
                open_hours=open_hours,
            )
            for share in shares:
                open_pieces[share.worker_id] = open_pieces.get(share.worker_id, 0) + share.pieces
                open_hours[share.worker_id] = open_hours.get(share.worker_id, 0.0) + hours_for(
                    share.pieces, job.process_kind
                )
                suggestions.append(
                    optimiser.Suggestion(job.pk, share.worker_id, share.pieces, (share.reasons,))
                )
        return optimiser.Plan(suggestions, 0.0, policy="first_come")

    needs = _needs(jobs, today=today, refused=refused)
    home = {w.pk for w in workers if w.work_place == WorkPlace.HOME}
    plan = _keep_small_remainders_at_the_workshop(split(needs), needs, home, replan=split)
    out: dict[int, list[Share]] = {}
    for s in plan.suggestions:  # in the rule's own order: fewest pieces held first
        out.setdefault(s.job_id, []).append(Share(s.worker_id, s.pieces, " · ".join(s.reasons)))
    return out


def plan_jobs(jobs, *, today: dt.date, refused: Mapping[int, Collection[int]] | None = None, profiles=None):
    """The planned split of each job's unassigned pieces, as ``{job id: [Share, ...]}`` (largest share
    first; a job with nothing placed is left out). Jobs of one or more workshops are planned together, so
    they share the workers' time. ``refused`` maps a job id to the worker ids not to ask again (they
    declined it or let its offer expire).

    The policy is ``settings.NUANXIN_PLANNER``: the min-cost-flow optimiser (default; one reading of the
    workers' profiles for all the jobs) or ``"first_come"``, the plain rule. Used by ``job_plan_offers``,
    ``workshop_plan_offers`` and the head's editable dispatch page (``plan_shares``), so all show the
    same plan: the jobs are planned in id order whatever order they come in, so one set of jobs and
    workers gives one plan (the page lists ``job`` first, the task reads them in id order). ``profiles``:
    ``worker_profiles`` of the jobs' workshops when the caller has read them already (the optimiser's)."""
    refused = refused or {}
    jobs = sorted((job for job in jobs if job.pieces_unassigned > 0), key=lambda j: j.pk)
    if not jobs:
        return {}
    if settings.NUANXIN_PLANNER == "first_come":
        return _rule_plan(jobs, today=today, refused=refused)
    return _optimiser_plan(jobs, today=today, refused=refused, profiles=profiles)


# The note on an offer closed because its worker was stopped (``dispatch.services.offers_withdraw_stopped``):
# not her answer, so not a refusal.
STOPPED_NOTE = gettext_noop("坊工已停用")


def refusals(job_ids) -> dict[int, set[int]]:
    """``{job id: worker ids}`` of the workers who declined an offer of the job or let it expire, or whose
    share of it the head took back (``pieces_taken_back``): they are not asked for that job again. An
    offer closed because she was stopped (``STOPPED_NOTE``) is not her answer: brought back, she may be
    asked again (a review). One query."""
    out: dict[int, set[int]] = {}
    closed_on_stop = FlowEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Assignment),
        object_id=OuterRef("pk"),
        to_state=AssignmentState.EXPIRED,
        note=STOPPED_NOTE,
    )
    for job_id, worker_id in (
        Assignment.objects.filter(job_id__in=list(job_ids))
        .alias(closed_on_stop=Exists(closed_on_stop))
        .filter(
            Q(state__in=(AssignmentState.DECLINED, AssignmentState.EXPIRED), closed_on_stop=False)
            | Q(pieces_taken_back__gt=0)
        )
        .values_list("job_id", "worker_id")
    ):
        out.setdefault(job_id, set()).add(worker_id)
    return out


def plan_shares(job, *, today: dt.date, profiles=None) -> list[Share]:
    """``job``'s shares as the system would offer them: planned together with the other open jobs of its
    workshop that still have pieces to offer (``plan_jobs``, as ``workshop_plan_offers`` does), each job
    keeping its own refusals. The head's dispatch page shows these and can edit them before offers go
    out; [] when nothing can be placed."""
    jobs = [job, *Job.objects.filter(TO_OFFER, workshop_id=job.workshop_id).exclude(pk=job.pk)]
    return plan_jobs(jobs, today=today, refused=refusals(j.pk for j in jobs), profiles=profiles).get(
        job.pk, []
    )


def planner_profiles(workshop_ids, *, today: dt.date) -> list | None:
    """``worker_profiles`` of ``workshop_ids`` when the policy (``settings.NUANXIN_PLANNER``) is the
    optimiser, which reads them; None under the plain rule. For a caller that shows the plan beside each
    worker's time (``spare_as_planned``): one reading for both."""
    if settings.NUANXIN_PLANNER == "first_come":
        return None
    return worker_profiles(workshop_ids, today=today)


def spare_as_planned(job, profiles, *, today: dt.date) -> dict[int, int]:
    """Pieces of ``job``'s kind each worker of ``profiles`` can still make before it is due, as the
    optimiser counts them (``flownet.spare_seconds``: her own hours a day at her learned speed, less the
    work she holds), by worker id; the head's dispatch page shows these beside the plan, so the plan's own
    shares are never flagged as over capacity (a trial: the page counted at the prior speed over a 7-day
    week while the plan counted at the learned one)."""
    days = max((job.due_on - today).days + 1, 1)
    sec = optimiser.SECONDS_PER_PIECE.get(job.process_kind, 90)
    return {p.id: flownet.spare_seconds(p, days) // sec for p in profiles}


def full_for_now(job, profiles, *, today: dt.date) -> set[int]:
    """Ids of the workers of ``profiles`` to whom the optimiser gives none of ``job`` now because the work
    they hold already fills their next ``max_share_days`` days (``optimiser.Weights``; 2): no one is handed
    more than that at once. They get work again as they report; the dispatch page says so beside them
    (a trial: every worker showed hundreds of pieces of time before the due date, and no one was offered
    any, without a word why)."""
    days = optimiser.DEFAULT_WEIGHTS.max_share_days
    if (job.due_on - today).days + 1 < days:
        return set()  # due sooner: her time before the due date is the page's own column, not this rule
    sec = optimiser.SECONDS_PER_PIECE.get(job.process_kind, 90)
    return {p.id for p in profiles if flownet.spare_seconds(p, days) < sec}
