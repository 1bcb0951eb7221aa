"""Reads that other apps share: which part-time minimum hourly wage applies; a worker's record audit; the
firms and workers a role sees, and the firm directory (firms by industry, GB/T 4754-2017); how a firm sees
a workshop's workers.

See ``workshop.models.MinimumWage`` for how a row applies (most specific level first, then the latest
``effective_from`` not after the day, then the newest row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from . import industries, search
from .audit import change_lines
from .models import (
    CommunityAdmin,
    MinimumWage,
    Pairing,
    PairingChange,
    PartnerFirm,
    Worker,
    WorkerEvent,
    Workshop,
)
from .roles import Scope, scope_for


def _place_q(county: str, subdistrict: str, community: str) -> Q:
    return (
        Q(county=county, subdistrict=subdistrict, community=community)
        | Q(county=county, subdistrict="", community="")
        | Q(county="", subdistrict="", community="")
    )


def _pick(rows: list[MinimumWage], county: str, subdistrict: str, community: str) -> MinimumWage | None:
    """The row that applies to a place among ``rows`` (already cut at the day)."""
    fits = [
        r
        for r in rows
        if (r.county, r.subdistrict, r.community)
        in ((county, subdistrict, community), (county, "", ""), ("", "", ""))
    ]
    if not fits:
        return None
    return max(fits, key=lambda r: (r.level, r.effective_from, r.pk))


def minimum_wages(workshops: Iterable[Workshop], *, on: dt.date) -> dict[int, MinimumWage | None]:
    """The minimum-wage row in force on ``on`` for each of ``workshops``, by workshop id (None when no row
    applies). One query, whatever the number of workshops."""
    workshops = list(workshops)
    if not workshops:
        return {}
    places = {(w.county, w.subdistrict, w.community) for w in workshops}
    q = Q()
    for place in places:
        q |= _place_q(*place)
    rows = list(MinimumWage.objects.filter(q, effective_from__lte=on))
    return {w.pk: _pick(rows, w.county, w.subdistrict, w.community) for w in workshops}


def minimum_wage_for_place(
    *, county: str, subdistrict: str, community: str, on: dt.date
) -> MinimumWage | None:
    """The row in force on ``on`` for a community (blank strings: the default). One query."""
    rows = list(MinimumWage.objects.filter(_place_q(county, subdistrict, community), effective_from__lte=on))
    return _pick(rows, county, subdistrict, community)


def minimum_wage_history(*, county: str, subdistrict: str, community: str) -> list[MinimumWage]:
    """Every row ever set for exactly this place (blank strings: the default), newest effective date first,
    with who set it. One query."""
    return list(
        MinimumWage.objects.filter(county=county, subdistrict=subdistrict, community=community)
        .select_related("set_by")
        .order_by("-effective_from", "-id")
    )


def minimum_wage_place(user) -> tuple[str, str, str] | None:
    """The place whose minimum wage ``user`` sets, as ``(county, subdistrict, community)``: a community
    admin's own community; for a superuser the default for every workshop (three blanks). None for anyone
    else. At most one query after the user's scope."""
    scope = scope_for(user)
    if scope.role == "superuser":
        return ("", "", "")
    if not scope.is_admin:
        return None
    admin = CommunityAdmin.objects.filter(user=user).first()
    if admin is None:
        return None
    return (admin.county, admin.subdistrict, admin.community)


def worker_record(worker: Worker, *, sees_low_income: bool, limit: int = 50) -> list[WorkerEvent]:
    """The changes to ``worker``'s record (``WorkerEvent``), newest first, with who made them; each has
    ``lines``: its changes in the reader's words (``audit.change_lines``; personal data masked as stored,
    low-income status only for ``sees_low_income``). One query."""
    events = list(
        WorkerEvent.objects.filter(worker=worker).select_related("actor").order_by("-at", "-id")[:limit]
    )
    for event in events:
        event.lines = change_lines(event, sees_low_income=sees_low_income)
    return events


# --- firms and workers in a role's scope -----------------------------------------------------------------


def partner_firms_for(scope: Scope) -> QuerySet[PartnerFirm]:
    """Firms ``scope`` sees, by name: firm staff their own firm; heads and community admins the firms
    paired with their workshops; a superuser every firm; anyone else none. No query until evaluated."""
    qs = PartnerFirm.objects.order_by("name", "pk")
    if scope.is_firm:
        return qs.filter(pk=scope.firm_id)
    if scope.all_workshops:
        return qs
    if not scope.is_staff_role:
        return qs.none()
    paired = PartnerFirm.objects.filter(pairings__workshop_id__in=scope.workshop_ids).values("pk")
    return qs.filter(pk__in=paired)


def workers_in_scope(scope: Scope) -> QuerySet[Worker]:
    """Workers of the workshops ``scope`` manages (heads, community admins, a superuser), workshop
    joined; none for firm staff and every other role. No query until evaluated."""
    if not scope.manages_workers:
        return Worker.objects.none()
    qs = Worker.objects.select_related("workshop")
    return qs if scope.all_workshops else qs.filter(workshop_id__in=scope.workshop_ids)


# --- the firm directory (企业名录) ------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionCount:
    """A directory filter: a section's letter ("" for firms not classified yet), its name, its firms."""

    section: str
    name: str
    count: int


@dataclass(frozen=True)
class Directory:
    """Firms ``scope`` sees, grouped by industry section (``groups``, in the standard's order), after the
    search (``needle``) and the section filter (``section``: a letter, "" for the unclassified, None for
    all); ``counts``: firms per section after the search but before the section filter, for the filter's
    choices; ``total``: their sum."""

    groups: list[industries.SectionGroup]
    counts: list[SectionCount]
    total: int
    section: str | None
    needle: search.Needle | None


def firm_directory(scope: Scope, *, section: str | None = None, q: str = "", firms=None) -> Directory:
    """The firm directory for ``scope``: ``firms`` (default ``partner_firms_for(scope)``; a page may pass
    it annotated) searched by ``q`` (name, pinyin, credit code, contact, phone tail: ``search.needle``),
    counted per section, filtered to ``section`` (a letter of GB/T 4754, or "" for not yet classified;
    an unknown letter is ignored) and grouped. Two queries."""
    firms = partner_firms_for(scope) if firms is None else firms
    found = search.needle(q)
    if found is not None:
        firms = firms.filter(search_text__contains=found.text)
    per_section = dict(firms.order_by().values_list("industry").annotate(n=Count("pk")))
    counts = [
        SectionCount(section=letter, name=str(name), count=per_section[letter])
        for letter, name in industries.SECTION_CHOICES
        if per_section.get(letter)
    ]
    if per_section.get(industries.UNCLASSIFIED):
        counts.append(SectionCount(section="", name="", count=per_section[industries.UNCLASSIFIED]))
    if section is not None and section != industries.UNCLASSIFIED and section not in industries.SECTION_NAMES:
        section = None  # an unknown letter: every section
    if section is not None:
        firms = firms.filter(industry=section)
    return Directory(
        groups=industries.group_by_section(firms),
        counts=counts,
        total=sum(c.count for c in counts),
        section=section,
        needle=found,
    )


def firm_sees_names(*, firm_id: int, workshop_id: int) -> bool:
    """Whether the firm sees the workshop's workers by name (their pairing's ``firm_sees_names``; True
    without a pairing). One query."""
    shown = Pairing.objects.filter(firm_id=firm_id, workshop_id=workshop_id).values_list(
        "firm_sees_names", flat=True
    )
    return next(iter(shown), True)


def pairing_changes(pairings: Iterable[Pairing], *, limit: int = 20) -> list[PairingChange]:
    """The latest changes of ``pairings``' settings (who, when, from, to), newest first, at most
    ``limit``. One query."""
    return list(
        PairingChange.objects.filter(pairing__in=list(pairings)).select_related(
            "pairing__workshop", "changed_by"
        )[:limit]
    )
