"""Reads on workshop records that other apps share: which part-time minimum hourly wage applies, and a
worker's record audit.

See ``workshop.models.MinimumWage`` for how a row applies (most specific level first, then the latest
``effective_from`` not after the day, then the newest row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from .audit import change_lines
from .models import CommunityAdmin, MinimumWage, Worker, WorkerEvent, Workshop
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
