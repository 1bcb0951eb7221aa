"""The simulated month's money, after the days are driven (``simulate --json``'s ``pay`` and ``impact``).

The head does what a month's end asks of her, through the real services: a quality bonus (质量奖) for each
worker whose every inspected piece of the run passed (at least ``BONUS_MIN_PIECES``), keyed so a rerun never
grants twice; the firms' statements prepared and signed by their clerks; the month closed when no inspection
of it is still open, and then paid in cash. Figures: ``slips`` (workers with a wage slip this month),
``paid_yuan``, ``adjustments_yuan`` (bonuses less deductions), ``statements_signed``, ``jobs_below_min_wage``
(open jobs whose rate pays under the part-time minimum hourly wage at the workshop's median speed),
``month_closed`` and ``left_open`` (titles of jobs still waiting for the firm). Money as decimal strings of
yuan to the fen. Every list is read in id order, so the figures follow the seed.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from dispatch import services
from dispatch.minwage import jobs_below_min_wage
from dispatch.models import Assignment
from dispatch.services.statements import statements_close_month
from pay import money
from pay.impact import impact_summary
from pay.models import LineKind, PayLine, Payout
from pay.services import adjustment_add, open_month, payout_mark_paid
from workshop.models import Workshop

BONUS_MIN_PIECES = 20
BONUS_YUAN = Decimal("20")


def quality_bonuses(workshop: Workshop, job_ids, *, seed: int) -> int:
    """A 质量奖 of ``BONUS_YUAN`` for each worker of ``workshop`` with ≥ ``BONUS_MIN_PIECES`` pieces inspected
    in ``job_ids`` and none rejected; keyed per seed and worker (a retried grant is the same line). Returns
    how many were granted. Two queries, then one write per worker."""
    per_worker = (
        Assignment.objects.filter(job_id__in=list(job_ids), worker__workshop=workshop)
        .values_list("worker_id")
        .annotate(p=Sum("pieces_passed"), r=Sum("pieces_rejected"))
        .order_by("worker_id")
    )
    earned = [w for w, passed, rejected in per_worker if (passed or 0) >= BONUS_MIN_PIECES and not rejected]
    workers = list(workshop.workers.filter(pk__in=earned).order_by("pk"))
    for worker in workers:
        adjustment_add(
            worker=worker,
            kind=LineKind.BONUS,
            amount=BONUS_YUAN,
            reason="质量奖:本月验收全部合格",
            actor=workshop.head,
            key=f"sim-quality:{seed}:{worker.pk}",
        )
    return len(workers)


def month_end(workshop: Workshop, job_ids, *, seed: int) -> dict:
    """Do the month's end for ``workshop`` (see the module) and return the ``pay`` figures."""
    today = timezone.localdate()
    month = open_month(workshop.pk, today)
    quality_bonuses(workshop, job_ids, seed=seed)
    statements = statements_close_month(month=today)
    left = services.open_inspections(workshop.pk, month)
    closed = False
    if not left:
        try:
            # The simulated days are the month's end: the head closes it early, on purpose.
            period = services.period_close(actor=workshop.head, workshop=workshop, month=month, early=True)
        except ValidationError:
            period = None
        if period is not None:
            closed = True
            try:
                payout_mark_paid(
                    period=period, method="cash", actor=workshop.head, key=f"sim-pay:{seed}:{month}"
                )
            except ValidationError:
                pass  # nothing owed to anyone
    lines = PayLine.objects.filter(worker__workshop=workshop, month=month)
    adjustments = lines.filter(kind__in=(LineKind.BONUS, LineKind.DEDUCTION)).values_list("amount", flat=True)
    return {
        "month": f"{month:%Y-%m}",
        "slips": lines.values("worker_id").distinct().count(),
        "paid_yuan": str(
            money.yuan_sum(Payout.objects.filter(worker__workshop=workshop).values_list("amount", flat=True))
        ),
        "adjustments_yuan": str(money.yuan_sum(adjustments)),
        "statements_signed": sum(1 for s in statements if s.signed_at is not None),
        "jobs_below_min_wage": len(jobs_below_min_wage([workshop.pk])),
        "month_closed": closed,
        "left_open": left,
    }


def impact(workshop: Workshop) -> dict:
    """``pay.impact.impact_summary`` of the simulated county (every workshop of ``workshop``'s county)."""
    return impact_summary(Workshop.objects.filter(county=workshop.county).order_by("pk"))
