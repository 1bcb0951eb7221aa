"""Figures read from the ledger rows (jobs, assignments, reports, inspection results, pay lines, events).

Nothing here is a constant: every yuan and piece is summed from rows, so a higher piece rate gives higher
wages. Used by ``simulate`` now, and by the impact reports and dashboard later.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone

from pay import money, monthly, rollups
from pay.models import PayLine
from workshop import dates
from workshop.models import Employment, Worker

from .models import (
    HOLDING_STATES,
    JOB_STAGES,
    STAGE_RANK,
    Assignment,
    AssignmentKind,
    FlowDay,
    FlowEvent,
    InspectionResult,
    Job,
    JobState,
    WorkReport,
    reached_stage,
)


def _sum(qs, field: str) -> int:
    return qs.aggregate(n=Sum(field))["n"] or 0


def flow_figures(*, jobs, workers, days: int) -> dict:
    """The flow's figures for ``jobs`` (a Job queryset) over ``days`` calendar days.

    Returns a dict of plain JSON types: ``jobs_by_state`` {state: n}; ``pieces`` {issued, assigned,
    reported, passed, rejected} (ints); ``wages_yuan`` {fixed, part_time, low_income, total} (decimal
    strings); ``annualised_income_per_worker_yuan`` {fixed, part_time} (decimal strings: the mean wage of
    the class's active ``workers`` scaled to 365 days); ``firm_savings_yuan`` (decimal string, all firms)
    and ``firm_savings_by_firm_yuan`` {firm name: decimal string}; ``firm_savings_annualised_per_firm_yuan``
    (the mean over firms with passed pieces, scaled to 365 days: compare with the 180,000 yuan goal).
    """
    results = InspectionResult.objects.filter(inspection__job__in=jobs)
    pay = PayLine.objects.filter(assignment__job__in=jobs)
    by_state = dict(jobs.order_by().values_list("state").annotate(n=Count("id")))
    wages = {
        row["worker__employment"]: row["t"]
        for row in pay.order_by().values("worker__employment").annotate(t=Sum("amount"))
    }
    low = _sum(pay.filter(worker__low_income=True), "amount")
    annual = {}
    for emp in (Employment.FIXED, Employment.PART_TIME):
        n = workers.filter(employment=emp).count()
        total = Decimal(wages.get(emp) or 0)
        annual[emp] = str(money.annualise(total / n, days)) if n else "0.00"
    savings = {name: saved for name, saved in firm_savings(pay).values()}
    return {
        "jobs_by_state": by_state,
        "pieces": {
            "issued": _sum(jobs, "quantity"),
            "assigned": _sum(jobs, "pieces_assigned"),
            "reported": _sum(WorkReport.objects.filter(assignment__job__in=jobs), "pieces"),
            "passed": _sum(results, "pieces_passed"),
            "rejected": _sum(results, "pieces_rejected"),
        },
        "wages_yuan": {
            "fixed": str(money.to_yuan(wages.get(Employment.FIXED) or 0)),
            "part_time": str(money.to_yuan(wages.get(Employment.PART_TIME) or 0)),
            "low_income": str(money.to_yuan(low)),
            "total": str(money.to_yuan(sum((Decimal(v) for v in wages.values()), Decimal(0)))),
        },
        "annualised_income_per_worker_yuan": annual,
        "firm_savings_yuan": str(money.to_yuan(sum(savings.values(), Decimal(0)))),
        "firm_savings_by_firm_yuan": {k: str(v) for k, v in sorted(savings.items())},
        "firm_savings_annualised_per_firm_yuan": str(
            money.annualise(sum(savings.values(), Decimal(0)) / len(savings), days)
            if savings
            else Decimal("0.00")
        ),
    }


def _chain_ok(model, ids: Iterable[int], states: dict[int, str]) -> bool:
    """Every object's events form one chain from "" to its current state."""
    ct = ContentType.objects.get_for_model(model)
    chains: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for oid, frm, to in (
        FlowEvent.objects.filter(content_type=ct, object_id__in=list(ids))
        .order_by("at", "id")
        .values_list("object_id", "from_state", "to_state")
    ):
        chains[oid].append((frm, to))
    for oid, state in states.items():
        chain = chains.get(oid)
        if not chain or chain[0][0] != "" or chain[-1][1] != state:
            return False
        if any(prev[1] != nxt[0] for prev, nxt in zip(chain, chain[1:], strict=False)):
            return False
    return True


def check_invariants(*, jobs, expected_report_pieces: int | None = None) -> list[dict]:
    """Named checks over ``jobs`` and everything under them: ``[{"name": str, "ok": bool}, ...]``."""
    assignments = Assignment.objects.filter(job__in=jobs)
    job_rows = list(jobs.values_list("id", "quantity", "pieces_assigned", "state"))
    held = Counter(
        dict(
            assignments.filter(kind=AssignmentKind.FIRST, state__in=HOLDING_STATES)
            .order_by()
            .values_list("job_id")
            .annotate(n=Sum("pieces"))
        )
    )
    passed_by_job = dict(assignments.order_by().values_list("job_id").annotate(n=Sum("pieces_passed")))
    report_sums = dict(
        WorkReport.objects.filter(assignment__job__in=jobs)
        .order_by()
        .values_list("assignment_id")
        .annotate(n=Sum("pieces"))
    )
    a_rows = list(
        assignments.values_list(
            "id", "pieces", "pieces_reported", "pieces_passed", "pieces_rejected", "state"
        )
    )
    paid_by_assignment = dict(
        PayLine.objects.filter(assignment__job__in=jobs)
        .order_by()
        .values_list("assignment_id")
        .annotate(n=Sum("pieces_passed"))
    )
    results = InspectionResult.objects.filter(inspection__job__in=jobs)
    lines = PayLine.objects.filter(assignment__job__in=jobs)
    checks = {
        "assigned_le_quantity": all(a <= q and held.get(i, 0) == a for i, q, a, _ in job_rows),
        "reported_le_assigned": all(r <= p and report_sums.get(i, 0) == r for i, p, r, _, _, _ in a_rows),
        "passed_plus_rejected_le_reported": all(ps + rj <= r for _, _, r, ps, rj, _ in a_rows)
        and not results.exclude(pieces_submitted=F("pieces_passed") + F("pieces_rejected")).exists(),
        "passed_le_quantity": all(passed_by_job.get(i, 0) <= q for i, q, _, _ in job_rows),
        "no_piece_paid_twice": all(paid_by_assignment.get(i, 0) == ps for i, _, _, ps, _, _ in a_rows)
        and lines.count() == results.filter(pieces_passed__gt=0).count(),
        "pay_is_pieces_times_rate": all(
            money.wage_amount(n, rate) == amount
            for n, rate, amount in lines.values_list("pieces_passed", "rate", "amount")
        ),
        "every_state_change_has_event": _chain_ok(
            Job, [r[0] for r in job_rows], {r[0]: r[3] for r in job_rows}
        )
        and _chain_ok(Assignment, [r[0] for r in a_rows], {r[0]: r[5] for r in a_rows}),
    }
    if expected_report_pieces is not None:
        checks["duplicate_reports_counted_once"] = sum(report_sums.values()) == expected_report_pieces
    return [{"name": k, "ok": bool(v)} for k, v in checks.items()]


def active_workers(workshop_ids: Iterable[int]):
    return Worker.objects.filter(workshop_id__in=list(workshop_ids), active=True)


# --- the dashboard's figures (管理后台首页) -------------------------------------------------------------

# The goals to compare against (never figures: those come from the rows) are defined once, in money.
GOAL_INCOME_FIXED_YUAN = money.INCOME_GOAL_YUAN["fixed"]
GOAL_INCOME_PART_TIME_YUAN = money.INCOME_GOAL_YUAN["part_time"]
GOAL_SAVINGS_PER_FIRM_YUAN = money.FIRM_SAVING_GOAL_YUAN

# The flow's stages in order, for the funnel: a job that reached a stage has passed every earlier one.
FUNNEL_STATES = JOB_STAGES


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _progress(value: Decimal, goal: Decimal) -> float:
    return round(float(value / goal), 4) if goal else 0.0


def first_sent(jobs, lo: dt.datetime, hi: dt.datetime) -> list[tuple[int, bool]]:
    """The jobs of ``jobs`` whose first lot was handed over to the firm (交货, the goods left the workshop
    with their delivery note) in ``lo``..``hi`` (aware datetimes, ``hi`` excluded), as (job id, on time):
    on time = on or before the due date, Asia/Shanghai. One query."""
    job_ct = ContentType.objects.get_for_model(Job)
    rows = (
        FlowEvent.objects.filter(job__in=jobs, content_type=job_ct, to_state=JobState.HANDED_OVER)
        .order_by()
        .values("job_id", "job__due_on")
        .annotate(first=Min("at"))
        .filter(first__gte=lo, first__lt=hi)
    )
    return [(r["job_id"], timezone.localtime(r["first"]).date() <= r["job__due_on"]) for r in rows]


def firm_savings(pay) -> dict[int, tuple[str, Decimal]]:
    """What each firm saved on the passed pieces of ``pay`` (a PayLine queryset) against making them in
    its own line (``money.firm_saving``), at the rate the firm pays (the job's ``piece_rate``, not the
    worker's rate of the pay line): ``{firm id: (firm name, yuan Decimal, not rounded)}``. One query,
    streamed."""
    out: dict[int, tuple[str, Decimal]] = {}
    for row in pay.values(
        "pieces_passed",
        "assignment__job__piece_rate",
        "assignment__job__line__inhouse_cost_per_piece",
        "assignment__job__line__firm_id",
        "assignment__job__line__firm__name",
    ).iterator():
        firm_id = row["assignment__job__line__firm_id"]
        name, saved = out.get(firm_id, (row["assignment__job__line__firm__name"], Decimal(0)))
        out[firm_id] = (
            name,
            saved
            + money.firm_saving(
                row["pieces_passed"],
                row["assignment__job__line__inhouse_cost_per_piece"],
                row["assignment__job__piece_rate"],
            ),
        )
    return out


def savings_by_firm(pay, *, days: int) -> dict[int, tuple[str, Decimal, Decimal, float]]:
    """``firm_savings`` of ``pay`` booked over ``days`` days, for the dashboard: ``{firm id: (name, saved
    yuan to the fen, annualised yuan, progress against GOAL_SAVINGS_PER_FIRM_YUAN)}``."""
    out = {}
    for firm_id, (name, saved) in firm_savings(pay).items():
        annual = money.annualise(saved, days)
        out[firm_id] = (name, money.to_yuan(saved), annual, _progress(annual, GOAL_SAVINGS_PER_FIRM_YUAN))
    return out


def savings_of(pay: monthly.JobPay, *, days: int) -> dict[int, tuple[str, Decimal, Decimal, float]]:
    """``savings_by_firm`` from the month rollups' sums (``pay.monthly.job_pay``): ``{firm id: (name, saved
    yuan to the fen, annualised yuan, progress against GOAL_SAVINGS_PER_FIRM_YUAN)}``. No query."""
    out = {}
    for firm_id, (name, _wages, saving) in pay.by_firm.items():
        saved = rollups.yuan(saving)
        annual = money.annualise(saved, days)
        out[firm_id] = (name, saved, annual, _progress(annual, GOAL_SAVINGS_PER_FIRM_YUAN))
    return out


def dashboard_figures(
    *,
    jobs,
    workers,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    workshop_ids: Collection[int] | None,
    firm_id: int | None = None,
) -> dict:
    """The dashboard home's figures for ``jobs`` (a Job queryset, already scoped: the jobs of
    ``workshop_ids``, None for every workshop, and of ``firm_id``'s lines when given) and ``workers`` (their
    workshops' workers) over the Asia/Shanghai dates ``start``..``end`` inclusive. Pay (wages, savings) is
    read from the month rollups (``pay.monthly.job_pay``): a row a month, not a pay line; pieces,
    verdicts and hand-overs from the day rows (``dispatch.flowdays``): a row per line and day, not a
    report. ``workshop_ids``/``firm_id`` must name the same jobs as ``jobs`` (``dashboard.selectors
    .job_cells``).

    Returns plain types: ``workers`` {fixed, part_time, low_income} active counts; ``jobs_by_state`` and
    ``funnel`` [(state, jobs that reached it)] for jobs issued in the range; ``pieces_month`` {reported,
    passed} for the calendar month of ``today``; ``pass`` {passed, rejected, rate} and ``on_time``
    {sent, on_time, rate} (rate None without rows; on time = first sent for inspection on or before the
    due date); ``income`` per class {workers, total, per_worker, annualised, goal, progress} (Decimal yuan;
    the mean wage booked in the range per active worker, scaled to 365 days and compared with the goal);
    ``active_days``: the days the yearly figures scale from, the range's days from the first joining day
    of ``workers`` when that is later than ``start`` (a workshop that opened in September has not earned
    nothing since January: its year would read a third of what it is);
    ``low_income`` {workers, total, per_worker, annualised}; ``savings`` {by_firm: [(name, saving,
    annualised, progress)], per_firm_annualised, progress, goal}; ``daily_pieces`` [(iso date, reported)].
    A fixed number of queries whatever the number of rows.
    """
    days = (end - start).days + 1
    lo, hi = dates.day_bounds(start, end)
    counts = workers.filter(active=True).aggregate(
        fixed=Count("id", filter=Q(employment=Employment.FIXED)),
        part_time=Count("id", filter=Q(employment=Employment.PART_TIME)),
        low_income=Count("id", filter=Q(low_income=True)),
        first_joined=Min("joined_on"),
    )
    opened = counts.pop("first_joined")
    active_days = (end - opened).days + 1 if opened and start < opened <= end else days
    in_range = jobs.filter(issued_at__gte=lo, issued_at__lt=hi)
    # By state now and by the furthest stage reached (``Job.reached``; its state for a job never moved
    # since it was kept), in one read: a job back in production for rework still counts as inspected.
    by_state: Counter = Counter()
    by_stage: Counter = Counter()
    for state, reached, n in (
        in_range.order_by().values_list("state", reached_stage()).annotate(n=Count("id"))
    ):
        by_state[state] += n
        by_stage[reached] += n
    by_state = dict(by_state)
    funnel = [
        (s, sum(n for reached, n in by_stage.items() if STAGE_RANK.get(reached, 0) >= STAGE_RANK[s]))
        for s in FUNNEL_STATES
    ]
    # Pieces, verdicts and hand-overs from the day rows (``flowdays``): a row per line and day.
    flow_days = FlowDay.objects.all()
    if workshop_ids is not None:
        flow_days = flow_days.filter(workshop_id__in=list(workshop_ids))
    if firm_id is not None:
        flow_days = flow_days.filter(line__firm_id=firm_id)
    month_lo, month_hi = dates.month_start(today), dates.next_month(today)
    # One read of the day rows, summed by day over the range and this month: the daily chart, the range's
    # verdicts and hand-overs, and the month's pieces all come from it (at most a year and a month of days).
    month_reported = month_passed = passed = rejected = sent = on_time = 0
    daily: list[tuple[dt.date, int]] = []
    for day, rep, ok, bad, out, in_time in (
        flow_days.filter(Q(day__gte=start, day__lte=end) | Q(day__gte=month_lo, day__lt=month_hi))
        .order_by("day")
        .values_list("day")
        .annotate(Sum("reported"), Sum("passed"), Sum("rejected"), Sum("sent"), Sum("sent_on_time"))
    ):
        if start <= day <= end:
            passed, rejected, sent, on_time = passed + ok, rejected + bad, sent + out, on_time + in_time
            if rep:
                daily.append((day, rep))
        if month_lo <= day < month_hi:
            month_reported, month_passed = month_reported + rep, month_passed + ok
    pay = monthly.job_pay(
        start=start, end=end, workshop_ids=workshop_ids, firm_id=firm_id, workers=None if firm_id else workers
    )
    wages = {
        Employment.FIXED: rollups.yuan(pay.class_fen(employment=Employment.FIXED)),
        Employment.PART_TIME: rollups.yuan(pay.class_fen(employment=Employment.PART_TIME)),
        "low_income": rollups.yuan(pay.class_fen(low_income=True)),
    }
    goals = {Employment.FIXED: GOAL_INCOME_FIXED_YUAN, Employment.PART_TIME: GOAL_INCOME_PART_TIME_YUAN}
    income = {}
    for emp in (Employment.FIXED, Employment.PART_TIME):
        n = counts[emp]
        total = money.to_yuan(wages[emp] or 0)
        per_worker = money.to_yuan(total / n) if n else Decimal("0.00")
        annual = money.annualise(per_worker, active_days)
        income[emp] = {
            "workers": n,
            "total": total,
            "per_worker": per_worker,
            "annualised": annual,
            "goal": goals[emp],
            "progress": _progress(annual, goals[emp]),
        }
    low_n = counts["low_income"]
    low_total = money.to_yuan(wages["low_income"] or 0)
    low_per = money.to_yuan(low_total / low_n) if low_n else Decimal("0.00")
    savings = savings_of(pay, days=active_days)
    by_firm = sorted(savings.values(), key=lambda row: -row[1])
    per_firm = (
        money.annualise(sum((row[1] for row in by_firm), Decimal(0)) / len(by_firm), active_days)
        if by_firm
        else Decimal("0.00")
    )
    return {
        "days": days,
        "active_days": active_days,
        "workers": counts,
        "jobs_by_state": by_state,
        "jobs_in_range": sum(by_state.values()),
        "funnel": funnel,
        "pieces_month": {"reported": month_reported, "passed": month_passed},
        "pass": {"passed": passed, "rejected": rejected, "rate": _ratio(passed, passed + rejected)},
        "on_time": {"sent": sent, "on_time": on_time, "rate": _ratio(on_time, sent)},
        "wages_total": rollups.yuan(pay.wages_fen()),
        "income": income,
        "low_income": {
            "workers": low_n,
            "total": low_total,
            "per_worker": low_per,
            "annualised": money.annualise(low_per, active_days),
        },
        "savings": {
            "by_firm": by_firm,
            "per_firm_annualised": per_firm,
            "goal": GOAL_SAVINGS_PER_FIRM_YUAN,
            "progress": _progress(per_firm, GOAL_SAVINGS_PER_FIRM_YUAN),
        },
        "daily_pieces": [(d.isoformat(), n) for d, n in daily],
    }
