"""Figures read from the ledger rows (jobs, assignments, reports, inspection results, pay lines, events).

Nothing here is a constant: every yuan and piece is summed from rows, so a higher piece rate gives higher
wages. Used by ``simulate`` now, and by the impact reports and dashboard later.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Sum

from workshop.models import Employment, Worker

from . import money
from .models import (
    HOLDING_STATES,
    Assignment,
    AssignmentKind,
    FlowEvent,
    InspectionResult,
    Job,
    PayLine,
    WorkReport,
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
    savings: dict[str, Decimal] = defaultdict(Decimal)
    rows = pay.values(
        "pieces_passed",
        "rate",
        "assignment__job__line__inhouse_cost_per_piece",
        "assignment__job__line__firm__name",
    )
    for row in rows.iterator():
        savings[row["assignment__job__line__firm__name"]] += money.firm_saving(
            row["pieces_passed"], row["assignment__job__line__inhouse_cost_per_piece"], row["rate"]
        )
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
