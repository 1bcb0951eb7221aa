"""The impact report (增收降本) as a county report shows it: one table per level (县汇总, 街道, 工坊), the
groups (分组) and wages by month (月度), on the page and in the xlsx from the same rows, so the two agree.

The figures are ``pay.impact``'s. No row names a person, and no figure stands for one or two people: a
unit or group of fewer than ``pay.impact.SUPPRESS_BELOW`` people shows "<3" for its count and "—" for its
figures. So that a hidden figure cannot be had back by subtraction (a parent minus its other parts), when
exactly one part of a whole is hidden, the smallest other part is hidden with it: a workshop among its
subdistrict's workshops, a subdistrict among its county's, ``fixed`` and ``part_time`` within a unit (the
two add up to it). The monthly wages are shown only when the whole report covers at least three people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from pay.impact import GROUPS, Figures, ImpactReport, Unit

from .exports import Column, Plan, write_sheet

FEW = "<3"
HIDDEN = "—"


KINDS = ("all", *GROUPS)  # a unit's cells: all its people, and each group


@dataclass
class Suppression:
    """The hidden cells: (``id`` of a ``Unit``, kind), kind "all" (the unit itself) or a group."""

    cells: set[tuple[int, str]] = field(default_factory=set)

    def unit(self, u: Unit) -> bool:
        return (id(u), "all") in self.cells

    def group(self, u: Unit, g: str) -> bool:
        return (id(u), g) in self.cells


def _figures(u: Unit, kind: str) -> Figures:
    return u.figures if kind == "all" else u.groups[kind]


def suppression(report: ImpactReport) -> Suppression:
    """What ``report``'s tables hide: every cell of one or two people; a hidden unit's groups; and where a
    whole is the sum of parts (a unit of its fixed and part-time groups; a subdistrict of its workshops
    and a county of its subdistricts, for all and for each group) and exactly one part with people in it
    is hidden, the smallest other part with people, or else the whole, until nothing changes."""
    s = Suppression()
    units = [*report.counties, *report.subdistricts, *report.workshops]
    for u in units:
        for k in KINDS:
            if _figures(u, k).suppressed:
                s.cells.add((id(u), k))
    by_id = {id(u): u for u in units}
    wholes: list[tuple[tuple[int, str], list[tuple[int, str]]]] = [
        ((id(u), "all"), [(id(u), "fixed"), (id(u), "part_time")]) for u in units
    ]
    children: dict[tuple, list[Unit]] = defaultdict(list)
    for w in report.workshops:
        children[("subdistrict", w.county, w.subdistrict)].append(w)
    for sub in report.subdistricts:
        children[("county", sub.county)].append(sub)
    parents = {("subdistrict", u.county, u.name): u for u in report.subdistricts}
    parents |= {("county", u.name): u for u in report.counties}
    for key, parts in children.items():
        for k in KINDS:
            wholes.append(((id(parents[key]), k), [(id(p), k) for p in parts]))

    def size(cell) -> int:
        return _figures(by_id[cell[0]], cell[1]).workers

    changed = True
    while changed:
        changed = False
        for u in units:  # a hidden unit hides its groups
            if s.unit(u):
                for g in GROUPS:
                    if (id(u), g) not in s.cells:
                        s.cells.add((id(u), g))
                        changed = True
        for whole, parts in wholes:
            if whole in s.cells:
                continue
            people = [c for c in parts if size(c) > 0]
            hidden = [c for c in people if c in s.cells]
            if len(hidden) != 1:
                continue
            shown = [c for c in people if c not in s.cells]
            s.cells.add(min(shown, key=size) if shown else whole)
            changed = True
    return s


def _money(v: Decimal | None):
    return HIDDEN if v is None else v


def figure_cells(f: Figures, hidden: bool) -> list:
    """在册人数, 有收入人数, 累计工资(元), 人均月收入(元), 较加入前年收入增长(%), 无基线人数."""
    if hidden:
        return [FEW, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN]
    return [
        f.workers,
        f.earners,
        f.wages,
        _money(f.monthly_per_earner),
        _money(f.growth_pct),
        f.no_baseline,
    ]


def low_cells(u: Unit, hidden: bool) -> list:
    """低收入人数, 低收入累计工资(元), 低收入增长(%)."""
    low = u.low
    if hidden:
        return [FEW if low.workers else 0, HIDDEN, HIDDEN]
    return [low.workers, low.wages, _money(low.growth_pct)]


def _figure_columns() -> list[Column]:
    return [
        Column(_("在册人数"), "int", 10),
        Column(_("有收入人数"), "int", 10),
        Column(_("累计工资(元)"), "money", 14),
        Column(_("人均月收入(元)"), "money", 14),
        Column(_("较加入前年收入增长(%)"), "pct", 18),
        Column(_("无基线人数"), "int", 10),
    ]


def _level_columns(place: list[Column]) -> list[Column]:
    return [
        *place,
        *_figure_columns(),
        Column(_("低收入人数"), "int", 10),
        Column(_("低收入累计工资(元)"), "money", 16),
        Column(_("低收入增收(%)"), "pct", 14),
        Column(_("企业降本(元)"), "money", 14),
    ]


@dataclass
class Table:
    """One sheet: its ``title``, ``columns`` and ``rows`` (lists of cell values: ints, Decimals, text)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list]

    def cells(self) -> list[list[tuple[object, str]]]:
        """The rows as (value, column kind) pairs, for the page's cell filter (``dash.cell``)."""
        return [[(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]


def _level_rows(units: Iterable[Unit], s: Suppression, place) -> list[list]:
    rows = []
    for u in units:
        hidden = s.unit(u)
        rows.append(
            [
                *place(u),
                *figure_cells(u.figures, hidden),
                *low_cells(u, hidden or s.group(u, "low_income")),
                HIDDEN if hidden else u.figures.saving,
            ]
        )
    return rows


def group_labels() -> dict[str, str]:
    return {"fixed": _("固定坊工"), "part_time": _("兼职坊工"), "low_income": _("低收入")}


def tables(report: ImpactReport) -> list[Table]:
    """The report's sheets, suppressed: 县汇总, 街道, 工坊, 分组, 月度."""
    s = suppression(report)
    county, sub, shop = Column(_("县"), width=12), Column(_("街道"), width=12), Column(_("工坊"), width=16)
    community = Column(_("社区"), width=12)
    levels = {"county": _("县"), "subdistrict": _("街道"), "workshop": _("工坊")}
    labels = group_labels()
    group_rows = []
    for level, units in report.levels:
        for u in units:
            for g in GROUPS:
                hidden = s.unit(u) or s.group(u, g)
                group_rows.append(
                    [levels[level], _place_name(u), labels[g], *figure_cells(u.groups[g], hidden)]
                )
    show_months = not report.total.figures.suppressed
    return [
        Table(
            "county",
            _("县汇总"),
            _level_columns([county]),
            _level_rows(report.counties, s, lambda u: [u.name]),
        ),
        Table(
            "subdistrict",
            _("街道"),
            _level_columns([county, sub]),
            _level_rows(report.subdistricts, s, lambda u: [u.county, u.name]),
        ),
        Table(
            "workshop",
            _("工坊"),
            _level_columns([county, sub, community, shop]),
            _level_rows(report.workshops, s, lambda u: [u.county, u.subdistrict, u.community, u.name]),
        ),
        Table(
            "groups",
            _("分组"),
            [Column(_("层级"), width=8), Column(_("名称"), width=24), Column(_("分组"), width=10)]
            + _figure_columns(),
            group_rows,
        ),
        Table(
            "months",
            _("月度"),
            [Column(_("月份"), width=10), Column(_("工资(元)"), "money", 14)],
            [[f"{m:%Y-%m}", y] for m, y in report.months] if show_months else [],
        ),
    ]


def _place_name(u: Unit) -> str:
    if u.level == "workshop":
        return f"{u.subdistrict}·{u.community}·{u.name}"
    if u.level == "subdistrict":
        return f"{u.county}·{u.name}"
    return u.name


def write_impact_xlsx(out: str | IO[bytes], report: ImpactReport) -> None:
    """The report's tables as an xlsx workbook (one sheet each) written to ``out`` (a path or a binary
    file object), with the exports' cell rules (text escaped from formulas, money and % as numbers)."""
    wb = Workbook(write_only=True)
    for t in tables(report):
        write_sheet(wb, Plan(t.title, t.columns, len(t.rows), lambda rows=t.rows: iter(rows)))
    wb.save(out)
