"""The work the lab's runs share: a day's jobs as firms would issue them, and the demo workshop.

``simulate`` (the real flow) and the fairness comparison (in memory) both draw their jobs from
``day_job_specs``, so both see the same kind of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dispatch.priors import PRIOR_PIECES_PER_HOUR
from logistics.models import Run
from pay import money
from pay.models import PayLine
from workshop.models import Pairing, ProductionLine, Workshop


@dataclass(frozen=True)
class JobSpec:
    line: ProductionLine
    quantity: int
    rate: Decimal
    lead_days: int


def day_job_specs(lines, workers, speed, rng, *, issue_prob: float, rate_scale: Decimal, load: float = 0.8):
    """The jobs firms issue on one day: each line with probability ``issue_prob``; quantities sized so
    the workers are about ``load`` busy (their hours a day × own speed, shared across their skills); rates
    60–70 % of the line's in-house cost × ``rate_scale``; due in 3–6 days. Shared by ``simulate`` and the
    fairness comparison, so both see the same kind of work."""
    by_kind: dict[str, int] = {}
    for line in lines:
        by_kind[line.process_kind] = by_kind.get(line.process_kind, 0) + 1
    specs = []
    for line in lines:
        if rng.random() > issue_prob:
            continue
        kind = line.process_kind
        capacity = sum(
            w.hours_per_week / 6 * PRIOR_PIECES_PER_HOUR[kind] * speed[w.pk] / len(w.skills)
            for w in workers
            if w.has_skill(kind)
        )
        per_line = capacity * load / by_kind[kind] / issue_prob
        lead = rng.randint(3, 6)
        quantity = max(100, int(round(per_line * rng.uniform(0.7, 1.3), -1)))
        rate = (
            line.inhouse_cost_per_piece * Decimal(str(round(rng.uniform(0.6, 0.7), 2))) * rate_scale
        ).quantize(money.RATE_PLACES)
        specs.append(JobSpec(line, quantity, rate, lead))
    return specs


def demo_workshop() -> Workshop:
    ws = Workshop.objects.filter(name="暖心坊", community="新街社区").first()
    if ws is None or not Pairing.objects.filter(workshop=ws).exists():
        raise RuntimeError("The demo workshop is missing: run `python manage.py seed_demo` first.")
    return ws


def has_earlier_runs(workshop: Workshop) -> bool:
    """Whether ``workshop`` holds what an earlier simulation (or real use) left: couriers' runs or booked
    pay. ``seed_demo`` makes neither, so a run on such a database does not start where a fresh one does."""
    return (
        Run.objects.filter(workshop=workshop).exists()
        or PayLine.objects.filter(worker__workshop=workshop).exists()
    )


# What a firm writes when it refuses pieces, by the kind of work (the demo's and the simulation's
# inspections): a fabric job's pieces are not "漏装" (missing parts), a packing job's not "毛刺" (burrs).
DEFECT_REASONS: dict[str, tuple[str, ...]] = {
    "assembly": ("毛刺", "漏装螺丝", "卡扣没扣到位", "装反了"),
    "fabric": ("线头没剪", "缝线歪斜", "针距不匀", "有污渍"),
    "packaging": ("少装", "封口不严", "标签贴歪", "折痕"),
    "other": ("外观不良", "尺寸不对"),
}


def defect_reason(process_kind: str, pick: int) -> str:
    """A firm's reason for refused pieces of a job of ``process_kind`` (``ProcessKind``'s value), the
    ``pick``-th (any int: a worker's or a share's id, so the same worker's pieces read the same) of its
    kind's reasons; unknown kinds read as "other"."""
    reasons = DEFECT_REASONS.get(process_kind) or DEFECT_REASONS["other"]
    return reasons[pick % len(reasons)]
