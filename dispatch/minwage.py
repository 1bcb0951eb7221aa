"""The minimum-wage view (最低工资对照): what a job's piece rate pays an hour at the workshop's median
learned speed for its process kind, against the part-time minimum hourly wage (非全日制最低小时工资) of
the workshop's place, which the community admin sets (``workshop.models.MinimumWage``).

It informs the rate talk with the firm and never blocks accepting a job: nothing in the flow reads it.

Speeds (pieces an hour): a worker's speed for a kind is the prior speed of the kind
(``priors.PRIOR_PIECES_PER_HOUR``) times the worker's learned speed (``planning.learned_speeds``, the
planner's own); the workshop's speed for a kind is the median over its active workers who reported that
kind in the last 28 days, rounded half-up to a whole piece, taken once a day (``SpeedDay``). With no such
worker it is the prior, and the figure is marked as an estimate.

Who sees what: the head and the community admin see the median and how many workers it rests on. Firm
staff see the hourly equivalent of their own rate (it is theirs, and useful in the rate talk), but never
a worker's speed: when the median rests on fewer than ``FIRM_MIN_WORKERS`` workers (so it would be one or
two people's own speed), the firm's figure uses the prior speed instead, marked as an estimate.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from pay import money
from workshop.models import WageTier, Worker
from workshop.provinces import region_and_tier
from workshop.selectors import minimum_wages

from .models import Job, JobState, SpeedDay
from .planning import LOOKBACK_DAYS, learned_speeds
from .priors import PRIOR_PIECES_PER_HOUR

# The jobs whose rate may still be talked over: not yet accepted, or being made.
OPEN_STATES = (JobState.ISSUED, JobState.ACCEPTED, JobState.IN_PROGRESS)
FIRM_MIN_WORKERS = 3


@dataclass(frozen=True)
class KindSpeed:
    """A workshop's speed for one process kind: ``pieces_per_hour`` (whole pieces); ``learned``: the median
    of ``workers`` workers' learned speeds (False: the prior, an estimate, and ``workers`` is 0)."""

    pieces_per_hour: int
    learned: bool
    workers: int


@dataclass(frozen=True)
class RateCheck:
    """One job's piece rate as an hourly figure. ``piece_rate``: yuan/piece; ``hourly`` and ``minimum``:
    yuan/hour (``minimum`` None when no minimum-wage row applies to the workshop); ``below``: hourly is
    under the minimum (to the fen); ``tier``: 1–3 or None; ``region``: e.g. 浙江."""

    job_id: int
    workshop_id: int
    process_kind: str
    piece_rate: Decimal
    pieces_per_hour: int
    learned: bool
    workers: int
    hourly: Decimal
    minimum: Decimal | None
    tier: int | None
    region: str
    below: bool

    def as_dict(self) -> dict:
        """JSON-ready: Decimals as strings."""
        d = asdict(self)
        for k in ("piece_rate", "hourly", "minimum"):
            d[k] = None if d[k] is None else str(d[k])
        return d


def _whole(x: float) -> int:
    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def prior_speed(kind: str) -> KindSpeed:
    """The prior speed of ``kind`` (pieces an hour), marked as an estimate."""
    return KindSpeed(pieces_per_hour=PRIOR_PIECES_PER_HOUR.get(kind, 40), learned=False, workers=0)


def median_speeds(
    workshop_ids: Iterable[int], *, today: dt.date | None = None
) -> dict[tuple[int, str], KindSpeed]:
    """The median learned speed of each workshop of ``workshop_ids`` for each process kind its active
    workers reported in the last 28 days, by ``(workshop id, kind)``; pieces an hour, whole. A pair that
    is missing has no learned speed (use ``prior_speed``).

    Taken once a day (``today``, Asia/Shanghai; default: today): the first read of a workshop on a day
    computes it (``median_speeds_now``) and keeps it (``SpeedDay``); later reads that day read the kept
    row, so a county's home page does not learn 5,000 workers' speeds on every view. One query when every
    workshop was read today; three more (two to compute, one to keep) for those that were not."""
    ids = sorted(set(workshop_ids))
    if not ids:
        return {}
    today = today or timezone.localdate()
    kept = {row.workshop_id: row.speeds for row in SpeedDay.objects.filter(workshop_id__in=ids, day=today)}
    missing = [pk for pk in ids if pk not in kept]
    if missing:
        fresh: dict[int, dict[str, list[int]]] = {pk: {} for pk in missing}
        for (ws, kind), speed in median_speeds_now(missing).items():
            fresh[ws][kind] = [speed.pieces_per_hour, speed.workers]
        SpeedDay.objects.bulk_create(
            [SpeedDay(workshop_id=pk, day=today, speeds=fresh[pk]) for pk in missing],
            update_conflicts=True,
            unique_fields=["workshop"],
            update_fields=["day", "speeds"],
        )
        kept.update(fresh)
    return {
        (ws, kind): KindSpeed(pieces_per_hour=pph, learned=True, workers=n)
        for ws, speeds in kept.items()
        for kind, (pph, n) in speeds.items()
    }


def median_speeds_now(workshop_ids: Iterable[int]) -> dict[tuple[int, str], KindSpeed]:
    """``median_speeds`` computed from the reports now, not kept. Two queries, whatever the number of
    workshops, workers or reports."""
    workers = list(
        Worker.objects.filter(workshop_id__in=list(workshop_ids), active=True).only(
            "pk", "workshop_id", "hours_per_week"
        )
    )
    if not workers:
        return {}
    learned = learned_speeds(workers)
    speeds: dict[tuple[int, str], list[float]] = {}
    for w in workers:
        got = learned[w.pk]
        for kind in got.kinds:
            speeds.setdefault((w.workshop_id, kind), []).append(
                got.speed * PRIOR_PIECES_PER_HOUR.get(kind, 40)
            )
    return {
        key: KindSpeed(pieces_per_hour=_whole(statistics.median(v)), learned=True, workers=len(v))
        for key, v in speeds.items()
    }


def rate_checks(
    jobs: Iterable[Job], *, on: dt.date | None = None, for_firm: bool = False
) -> dict[int, RateCheck]:
    """The ``RateCheck`` of each of ``jobs`` (their ``workshop`` joined), by job id, with the minimum wage
    in force on ``on`` (default: today, Asia/Shanghai). ``for_firm``: the figures firm staff may see (the
    prior speed wherever the median rests on fewer than ``FIRM_MIN_WORKERS`` workers). Two queries once
    the speeds were taken today (``median_speeds``), five the first time."""
    jobs = list(jobs)
    if not jobs:
        return {}
    on = on or timezone.localdate()
    workshops = {job.workshop_id: job.workshop for job in jobs}
    speeds = median_speeds(workshops)
    minimums = minimum_wages(workshops.values(), on=on)
    out = {}
    for job in jobs:
        speed = speeds.get((job.workshop_id, job.process_kind)) or prior_speed(job.process_kind)
        if for_firm and speed.workers < FIRM_MIN_WORKERS:
            speed = prior_speed(job.process_kind)
        hourly = money.hourly_equivalent(job.piece_rate, speed.pieces_per_hour)
        row = minimums.get(job.workshop_id)
        minimum = row.hourly if row is not None else None
        out[job.pk] = RateCheck(
            job_id=job.pk,
            workshop_id=job.workshop_id,
            process_kind=job.process_kind,
            piece_rate=job.piece_rate,
            pieces_per_hour=speed.pieces_per_hour,
            learned=speed.learned,
            workers=speed.workers,
            hourly=hourly,
            minimum=minimum,
            tier=row.tier if row is not None else None,
            region=row.region if row is not None else "",
            below=minimum is not None and money.below_minimum_wage(hourly, minimum),
        )
    return out


def jobs_below_min_wage(workshop_ids: Iterable[int], *, on: dt.date | None = None) -> list[RateCheck]:
    """The open jobs (issued, accepted or in production) of ``workshop_ids`` whose piece rate, at the
    workshop's median learned speed for the kind, pays under the part-time minimum hourly wage in force on
    ``on`` (default today): their ``RateCheck``s, oldest job first. Three queries once the speeds were
    taken today, six the first time. For reports and the simulation (``RateCheck.as_dict`` is
    JSON-ready); pages use ``rate_checks`` on jobs already scoped."""
    jobs = Job.objects.filter(workshop_id__in=list(workshop_ids), state__in=OPEN_STATES).select_related(
        "workshop"
    )
    checks = rate_checks(jobs.order_by("pk"), on=on)
    return [c for c in checks.values() if c.below]


def _plain(amount: Decimal) -> str:
    """Yuan without trailing zeros: 20.00 → "20", 22.50 → "22.5"."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def explain(check: RateCheck, *, for_firm: bool = False) -> str:
    """How the figure is computed, in words a head understands, e.g. "按本坊该工序中位速度 每小时约 57 件
    (近28天 4 位坊工报工),折合 每小时 19.95 元,低于浙江第三档地区非全日制最低小时工资 20 元。"."""
    n = check.pieces_per_hour
    if check.learned and for_firm:
        speed = _("按该工坊此工序中位速度 每小时约 %(n)s 件") % {"n": n}
    elif check.learned:
        speed = _("按本坊该工序中位速度 每小时约 %(n)s 件(近%(d)s天 %(w)s 位坊工报工)") % {
            "n": n,
            "d": LOOKBACK_DAYS,
            "w": check.workers,
        }
    else:
        speed = _("该工序还没有足够的报工记录,按参考速度 每小时约 %(n)s 件估算") % {"n": n}
    values = {"x": check.hourly, "m": _plain(check.minimum) if check.minimum is not None else ""}
    if check.minimum is None:
        return speed + _(",折合 每小时 %(x)s 元(还没有设置本地最低小时工资)。") % values
    values["where"] = region_and_tier(check.region, WageTier(check.tier).label)
    if check.below:
        return speed + _(",折合 每小时 %(x)s 元,低于%(where)s地区非全日制最低小时工资 %(m)s 元。") % values
    return speed + _(",折合 每小时 %(x)s 元,不低于%(where)s地区非全日制最低小时工资 %(m)s 元。") % values
