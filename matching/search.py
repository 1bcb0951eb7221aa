"""One search across the two lists and the people and firms behind them, within the asker's scope.

What each role finds (the user's ``workshop.roles.Scope``; the same selectors as the pages, so a result
always opens):

- 坊长 head: the demands, wishes and workers of the workshops they head, and the firms paired with them.
- 社区管理员 community admin: the same for every workshop of their community (and the wishes of the
  community's common pool); a superuser, everything.
- 企业专员 firm staff: their own firm and its demands; never a resident or a worker.
- anyone else: nothing (the page refuses them).

A query is read once (``workshop.search.needle``: text, pinyin initials or spelling, a phone tail) and
looked for in each row's ``search_text`` (a demand is found by its own key or its firm's): one query per
kind, a trigram GIN index on PostgreSQL. Phones are never searched whole and results carry masked
numbers only (``phone_masked``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from workshop import industries, search
from workshop.models import PartnerFirm, WorkWish
from workshop.roles import Scope
from workshop.selectors import SectionCount, partner_firms_for, workers_in_scope

from .models import OPEN_DEMAND_STATES, DemandEntry
from .selectors import SENSITIVE_WISH_FIELDS, SENSITIVE_WORKER_FIELDS, demands_for, wishes_for

PER_KIND = 20  # results shown per kind; the page says when there are more

KINDS = ("demands", "wishes", "workers", "firms")


@dataclass
class Found:
    """Up to ``PER_KIND`` rows of one kind, and whether more matched (``more``)."""

    rows: list = field(default_factory=list)
    more: bool = False

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass
class Results:
    """What ``q`` found in each kind the scope may see (a kind it may not see stays empty)."""

    needle: search.Needle | None
    demands: Found = field(default_factory=Found)
    wishes: Found = field(default_factory=Found)
    workers: Found = field(default_factory=Found)
    firms: Found = field(default_factory=Found)

    @property
    def total(self) -> int:
        return sum(getattr(self, kind).count for kind in KINDS)


def _take(qs) -> Found:
    rows = list(qs[: PER_KIND + 1])
    return Found(rows=rows[:PER_KIND], more=len(rows) > PER_KIND)


def search_all(scope: Scope, q: str) -> Results:
    """Demands, wishes, workers and firms in ``scope`` matching ``q`` (``workshop.search.needle``), up to
    ``PER_KIND`` of each: demands newest first; wishes, workers (active first) and firms by name. At most four
    queries (none for a blank query or a kind the scope does not see); no sensitive field (low income,
    ID number, address, bank account) is loaded."""
    found = search.needle(q)
    results = Results(needle=found)
    if found is None or not scope.is_staff_role:
        return results
    results.demands = _take(demands_matching(demands_for(scope), q).order_by("-updated_at", "-pk"))
    if scope.sees_supply:
        results.wishes = _take(
            wishes_for(scope)
            .filter(found.q(phone_field="phone"))
            .defer(*SENSITIVE_WISH_FIELDS)
            .order_by("name", "pk")
        )
        results.workers = _take(
            workers_in_scope(scope)
            .filter(found.q(phone_field="phone"))
            .defer(*SENSITIVE_WORKER_FIELDS, "bank_account", "signin_nonce")
            .order_by("-active", "name", "pk")
        )
    results.firms = _take(partner_firms_for(scope).filter(found.q(phone_field="phone")))
    return results


# --- the lists' own filters ------------------------------------------------------------------------------


def demands_matching(qs: QuerySet[DemandEntry], q: str) -> QuerySet[DemandEntry]:
    """``qs`` narrowed to the demands whose own key or whose firm's key holds ``q`` (all for a blank q)."""
    found = search.needle(q)
    if found is None:
        return qs
    return qs.filter(Q(search_text__contains=found.text) | Q(firm__search_text__contains=found.text))


def wishes_matching(qs: QuerySet[WorkWish], q: str) -> QuerySet[WorkWish]:
    """``qs`` narrowed to the wishes whose key holds ``q`` (name, pinyin, phone tail; all for blank)."""
    found = search.lookup(q, phone_field="phone")
    return qs if found is None else qs.filter(found)


def demand_sections(qs: QuerySet[DemandEntry]) -> list[SectionCount]:
    """How many of ``qs`` each industry section's firms have, in the standard's order (the demands of
    firms not yet classified last, as section ""); sections without one left out. One query."""
    per = dict(qs.order_by().values_list("firm__industry").annotate(n=Count("pk")))
    out = [
        SectionCount(section=letter, name=str(name), count=per[letter])
        for letter, name in industries.SECTION_CHOICES
        if per.get(letter)
    ]
    if per.get(industries.UNCLASSIFIED):
        out.append(SectionCount(section="", name="", count=per[industries.UNCLASSIFIED]))
    return out


def directory_firms(scope: Scope, *, today: dt.date) -> QuerySet[PartnerFirm]:
    """The firms of the lists' directory (``workshop.selectors.partner_firms_for``), each with
    ``open_demands``: its demands still open on ``today`` that ``scope`` sees on the demand list."""
    wanted = Q(demands__status__in=OPEN_DEMAND_STATES) & (
        Q(demands__ends_on__isnull=True) | Q(demands__ends_on__gte=today)
    )
    if not (scope.is_firm or scope.all_workshops):
        wanted &= Q(demands__workshop_id__in=scope.workshop_ids)
    return partner_firms_for(scope).annotate(open_demands=Count("demands", filter=wanted))
