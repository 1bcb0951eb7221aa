"""Impact from the pay ledger (增收降本), rolled up worker → workshop (工坊) → subdistrict (街道) → county.

Every yuan here is summed from ``PayLine`` rows by the database (GROUP BY worker, and by workshop and
month), never by streaming pay lines into Python; what Python sees is one row per worker, per workshop
and per workshop-month. Amounts are summed as whole fen (integers) so the figure is exact on SQLite
(which adds decimals as floats) and on PostgreSQL alike; ``amount`` of every line counts, so corrections
and adjustments (negative lines) are netted in.

Definitions (the figures of a county report):

- A worker is **counted** (在册) when she is active, or stopped (已停用) but has pay booked up to ``as_of``.
- **Wages** (累计工资, yuan): the sum of ``PayLine.amount`` of her lines booked on or before ``as_of``.
- **Earner** (有收入): a counted worker whose wages are above zero.
- **Annualised income** (年化收入, yuan/year): ``money.annualise(wages, days)``, where ``days`` runs from
  her ``joined_on`` (or, when that is blank, her first booked line) to ``as_of``, both counted, and never
  fewer than ``MIN_DAYS`` (a few days' pay scaled to a year would say nothing). 0 for no wages.
- **Monthly income per earner** (人均月收入, yuan): the group's summed annualised income ÷ 12 ÷ its earners.
- **Income growth against baseline** (较加入前年收入增长, %): over the group's workers with a baseline
  (``Worker.baseline_income_yuan`` > 0, her yearly income before joining), their summed annualised ledger
  income ÷ their summed baselines × 100, to 0.1 %: the income the workshop added, as a share of what they
  earned in a year before. A ratio of sums, so one small baseline does not swamp the group. Workers
  without a baseline are counted apart (``no_baseline``), never divided by; a group where nobody has one
  has no growth figure (None).
- **Firm saving** (企业降本, yuan): per pay line ``money.firm_saving(pieces_passed, line cost, rate)``
  = (the production line's ``inhouse_cost_per_piece`` − the line's ``rate``) × passed pieces, half-up to
  the fen per line, summed; put to the worker's workshop.
- Groups (分组): ``fixed`` (固定坊工), ``part_time`` (兼职坊工) and ``low_income`` (低收入, which overlaps
  the other two). A group's figures are summed from its workers exactly as a workshop's are, so a level
  is the sum of the level below and ``fixed`` + ``part_time`` is the whole.

These are aggregates with no person in them, but a group of one or two people still shows a person's
income: whoever shows them to a reader suppresses groups below ``SUPPRESS_BELOW`` people
(``Figures.suppressed``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Case, DateField, F, Min, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Round, TruncMonth
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from workshop.models import Employment, Worker, Workshop
from workshop.text import joined

from . import money
from .models import PayLine

MIN_DAYS = 30
SUPPRESS_BELOW = 3
GROUPS = (Employment.FIXED.value, Employment.PART_TIME.value, "low_income")
ZERO = Decimal("0.00")


# --- SQL: whole fen, exact on SQLite and PostgreSQL -----------------------------------------------------


def _whole(expr, scale: int):
    """``expr`` × ``scale`` rounded to a whole number, as a bigint (exact: the stored value has at most
    log10(scale) decimal places)."""
    return Cast(Round(expr * Value(scale)), BigIntegerField())


def amount_fen(prefix: str = ""):
    """A pay line's ``amount`` in whole fen (an integer expression)."""
    return _whole(F(f"{prefix}amount"), 100)


def saving_fen(prefix: str = "", *, rate: str = "rate"):
    """A pay line's firm saving in whole fen, rounded as ``money.firm_saving`` rounds it: (cost − rate) ×
    pieces counted in ten-thousandths of a yuan (both carry 4 places, so exactly), then half-up (away from
    zero) to the fen by integer division. 0 where there is no line (an outer join's empty row). ``rate``:
    the rate's path from the line, the line's own (the worker's) by default; ``"assignment__job__piece_rate"``
    for the firm's rate, as ``dispatch.reports.firm_savings`` counts it."""
    units = F(f"{prefix}pieces_passed") * (
        _whole(F(f"{prefix}assignment__job__line__inhouse_cost_per_piece"), 10000)
        - _whole(F(f"{prefix}{rate}"), 10000)
    )
    return Case(
        When(Q(**{f"{prefix}pk__isnull": True}), then=Value(0)),
        When(GreaterThanOrEqual(units, 0), then=(units + 50) / 100),
        default=-((Value(50) - units) / 100),
        output_field=BigIntegerField(),
    )


def _fen_to_yuan(fen) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(money.FEN)


# --- figures --------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The additive figures of a set of counted workers; the derived ones are properties.

    Counts are ints; yuan are ``Decimal`` to the fen. ``annual`` sums every counted worker's annualised
    income; ``annual_with_baseline`` and ``baseline`` only those with a baseline (for growth).
    """

    workers: int = 0
    earners: int = 0
    no_baseline: int = 0
    wages: Decimal = ZERO
    annual: Decimal = ZERO
    annual_with_baseline: Decimal = ZERO
    baseline: Decimal = ZERO
    saving: Decimal = ZERO

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def with_baseline(self) -> int:
        return self.workers - self.no_baseline

    @property
    def monthly_per_earner(self) -> Decimal | None:
        """Yuan a month per earner (summed annualised income ÷ 12 ÷ earners), to the fen; None without
        earners."""
        return money.to_yuan(self.annual / 12 / self.earners) if self.earners else None

    @property
    def growth_pct(self) -> Decimal | None:
        """Annualised ledger income ÷ yearly baseline × 100 over workers with a baseline, to 0.1 %; None
        when nobody has one."""
        if not self.baseline:
            return None
        return (self.annual_with_baseline * 100 / self.baseline).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def suppressed(self) -> bool:
        """One or two people (fewer than ``SUPPRESS_BELOW``, none is no one), or one or two who earned:
        too few to show without singling one out (a group of 21 with one earner shows her pay)."""
        return 0 < self.workers < SUPPRESS_BELOW or 0 < self.earners < SUPPRESS_BELOW

    def as_dict(self) -> dict:
        """Plain JSON types: counts as ints, yuan and percentages as decimal strings (or None)."""

        def s(v):
            return None if v is None else str(v)

        return {
            "workers": self.workers,
            "earners": self.earners,
            "no_baseline": self.no_baseline,
            "wages_yuan": str(self.wages),
            "annualised_yuan": str(self.annual),
            "monthly_per_earner_yuan": s(self.monthly_per_earner),
            "growth_pct": s(self.growth_pct),
            "saving_yuan": str(self.saving),
        }


@dataclass
class Unit:
    """One workshop, subdistrict or county: its ``figures``, its groups' (``groups``: GROUPS → Figures;
    no saving in a group, savings are the firms'), and where it sits (``county``, ``subdistrict``)."""

    level: str  # "county" | "subdistrict" | "workshop"
    name: str
    county: str
    subdistrict: str = ""
    community: str = ""
    workshop_id: int | None = None
    figures: Figures = field(default_factory=Figures)
    groups: dict[str, Figures] = field(default_factory=lambda: {g: Figures() for g in GROUPS})

    def add(self, other: Unit) -> None:
        self.figures = self.figures + other.figures
        for g in GROUPS:
            self.groups[g] = self.groups[g] + other.groups[g]

    @property
    def low(self) -> Figures:
        return self.groups["low_income"]


@dataclass
class ImpactReport:
    """The report of some workshops as of ``as_of``: its units by level (in name order), the whole
    (``total``: every workshop given, whatever its county) and wages by month (``months``: [(first of the
    month, yuan)], oldest first)."""

    as_of: dt.date
    counties: list[Unit]
    subdistricts: list[Unit]
    workshops: list[Unit]
    total: Unit
    months: list[tuple[dt.date, Decimal]]

    @property
    def levels(self) -> list[tuple[str, list[Unit]]]:
        return [("county", self.counties), ("subdistrict", self.subdistricts), ("workshop", self.workshops)]


def _worker_figures(row: dict, as_of: dt.date) -> Figures | None:
    """One worker's figures from her grouped row, or None when she is not counted."""
    wages = _fen_to_yuan(row["fen"])
    saving = _fen_to_yuan(row["saving"])
    has_lines = row["first"] is not None
    if not row["active"] and not has_lines:
        return None
    start = row["joined_on"] or row["first"]
    days = max(MIN_DAYS, (as_of - start).days + 1) if start else MIN_DAYS
    annual = money.annualise(wages, days) if wages else ZERO
    baseline = money.to_yuan(row["baseline_income_yuan"] or 0)
    return Figures(
        workers=1,
        earners=1 if wages > 0 else 0,
        no_baseline=0 if baseline > 0 else 1,
        wages=wages,
        annual=annual,
        annual_with_baseline=annual if baseline > 0 else ZERO,
        baseline=baseline if baseline > 0 else ZERO,
        saving=saving,
    )


def impact_report(workshops, *, as_of: dt.date | None = None) -> ImpactReport:
    """The impact report of ``workshops`` (a Workshop queryset, already scoped to the reader) as of
    ``as_of`` (an Asia/Shanghai date, default today): see the module's definitions.

    Three queries whatever the number of workers or pay lines: the workshops, one row per worker (pay
    lines summed by the database, GROUP BY worker), one row per workshop and month.
    """
    as_of = as_of or timezone.localdate()
    shops = list(
        workshops.order_by("county", "subdistrict", "community", "name", "pk").values(
            "pk", "name", "community", "subdistrict", "county"
        )
    )
    ids = [w["pk"] for w in shops]
    by_shop = {
        w["pk"]: Unit(
            level="workshop",
            name=w["name"],
            county=w["county"],
            subdistrict=w["subdistrict"],
            community=w["community"],
            workshop_id=w["pk"],
        )
        for w in shops
    }
    for row in worker_rows(ids, as_of):
        figures = _worker_figures(row, as_of)
        if figures is None:
            continue
        unit = by_shop[row["workshop_id"]]
        unit.figures = unit.figures + figures
        unit.groups[row["employment"]] = unit.groups[row["employment"]] + _no_saving(figures)
        if row["low_income"]:
            unit.groups["low_income"] = unit.groups["low_income"] + _no_saving(figures)
    subdistricts: dict[tuple[str, str], Unit] = {}
    counties: dict[str, Unit] = {}
    total = Unit(level="county", name=joined(sorted({w["county"] for w in shops})), county="")
    for unit in by_shop.values():
        key = (unit.county, unit.subdistrict)
        if key not in subdistricts:
            subdistricts[key] = Unit(level="subdistrict", name=unit.subdistrict, county=unit.county)
        subdistricts[key].add(unit)
        if unit.county not in counties:
            counties[unit.county] = Unit(level="county", name=unit.county, county=unit.county)
        counties[unit.county].add(unit)
        total.add(unit)
    return ImpactReport(
        as_of=as_of,
        counties=[counties[k] for k in sorted(counties)],
        subdistricts=[subdistricts[k] for k in sorted(subdistricts)],
        workshops=list(by_shop.values()),
        total=total,
        months=wages_by_month(ids, as_of),
    )


def _no_saving(f: Figures) -> Figures:
    # Savings are the firms', put to a workshop; a group of workers carries none.
    return Figures(**{**{x.name: getattr(f, x.name) for x in fields(f)}, "saving": ZERO})


def worker_rows(workshop_ids: list[int], as_of: dt.date) -> list[dict]:
    """One dict per worker of ``workshop_ids``: ``workshop_id``, ``employment``, ``low_income``,
    ``active``, ``baseline_income_yuan``, ``joined_on``, and from her pay lines booked on or before
    ``as_of``: ``fen`` (wages, int fen), ``saving`` (firm saving, int fen), ``first`` (first booking date or
    None). One query, GROUP BY worker: the database sums the pay lines."""
    booked = Q(pay_lines__booked_on__lte=as_of)
    return list(
        Worker.objects.filter(workshop_id__in=workshop_ids)
        .values(
            "pk",
            "workshop_id",
            "employment",
            "low_income",
            "active",
            "baseline_income_yuan",
            "joined_on",
        )
        .annotate(
            fen=Coalesce(Sum(amount_fen("pay_lines__"), filter=booked), 0),
            saving=Coalesce(Sum(saving_fen("pay_lines__"), filter=booked), 0),
            first=Min("pay_lines__booked_on", filter=booked),
        )
        .order_by("pk")
    )


def wages_by_month(workshop_ids: list[int], as_of: dt.date) -> list[tuple[dt.date, Decimal]]:
    """Wages booked for the workers of ``workshop_ids`` up to ``as_of``, by the pay month a line counts
    in (``PayLine.month``: a line booked after its month closed counts in the next; where a line has none,
    the month it was booked): [(first of the month, yuan)], oldest first. One query, GROUP BY month."""
    rows = (
        PayLine.objects.filter(worker__workshop_id__in=workshop_ids, booked_on__lte=as_of)
        .annotate(pay_month=Coalesce("month", TruncMonth("booked_on"), output_field=DateField()))
        .order_by()
        .values("pay_month")
        .annotate(fen=Sum(amount_fen()))
        .order_by("pay_month")
    )
    return [(_month(r["pay_month"]), _fen_to_yuan(r["fen"])) for r in rows]


def _month(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def impact_summary(workshops=None, *, as_of: dt.date | None = None) -> dict:
    """The report as plain JSON types, for ``simulate --json``'s ``impact`` key: ``workshops`` (a Workshop
    queryset, default every workshop), as of ``as_of`` (default today).

    Shape: ``{"as_of": ISO date, "definition": str, "county": {"name": str, **figures, "groups": {group:
    figures}}, "subdistricts": [{"name", "county", **figures}], "workshops": [{"name", "community",
    "subdistrict", "county", **figures, "groups": {...}}], "months": [{"month": "YYYY-MM", "wages_yuan"}]}``
    where ``figures`` is ``Figures.as_dict`` (workers, earners, no_baseline, wages_yuan, annualised_yuan,
    monthly_per_earner_yuan, growth_pct, saving_yuan; yuan and % as decimal strings, growth None without
    a baseline) and groups are ``fixed``, ``part_time``, ``low_income``. ``county`` is every workshop given
    (its name joins the counties' names when they are several). Nothing is suppressed here: the lab's
    own workshop, no reader outside.
    """
    report = impact_report(workshops if workshops is not None else Workshop.objects.all(), as_of=as_of)

    def unit(u: Unit, *keys: str, groups: bool = False) -> dict:
        out = {"name": u.name, **{k: getattr(u, k) for k in keys}, **u.figures.as_dict()}
        if groups:
            out["groups"] = {g: u.groups[g].as_dict() for g in GROUPS}
        return out

    return {
        "as_of": report.as_of.isoformat(),
        "definition": (
            f"growth_pct = sum of annualised ledger income since joining (min {MIN_DAYS} days) / sum of "
            "baseline yearly income x 100, over workers with a baseline; no_baseline counted apart"
        ),
        "county": unit(report.total, groups=True),
        "subdistricts": [unit(u, "county") for u in report.subdistricts],
        "workshops": [unit(u, "community", "subdistrict", "county", groups=True) for u in report.workshops],
        "months": [{"month": f"{m:%Y-%m}", "wages_yuan": str(y)} for m, y in report.months],
    }
