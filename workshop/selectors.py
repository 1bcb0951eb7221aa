"""Reads on workshop settings that other apps share: which part-time minimum hourly wage applies, and how
a firm sees a workshop's workers.

See ``workshop.models.MinimumWage`` for how a row applies (most specific level first, then the latest
``effective_from`` not after the day, then the newest row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from .models import CommunityAdmin, MinimumWage, Pairing, PairingChange, Workshop
from .roles import scope_for


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
