"""Reads of the two lists, each scoped by the user who asks (a foreign id is a 404, like a missing one).

Who sees what (the user's ``workshop.roles.Scope``, resolved once per request):

- 社区管理员 community admin: both lists of the workshops of their community, plus wishes left without a
  workshop (the community's common pool); the only role that sees ``low_income``. A superuser is treated
  as a community admin of every workshop.
- 坊长 head: the demands and the supply list (wishes and workers' spare hours) of the workshops they head,
  never ``low_income`` (those columns are deferred, so a template that reached for them would cost a query
  that the query-count tests catch).
- 企业专员 firm staff: their own firm's demands only.
- 坊工 worker, anyone else: nothing (the public board is ``transparency_*`` below, open to all).

List selectors cost a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import planning
from dispatch.models import (
    HOLDING_STATES,
    Assignment,
    AssignmentKind,
    InspectionResult,
    WorkReport,
)
from pay import money
from pay.models import PayLine, Payout
from workshop import dates, search
from workshop.models import (
    PartnerFirm,
    Worker,
    WorkPlace,
    Workshop,
    WorkWish,
)
from workshop.roles import Scope

from . import scoring
from .models import (
    OPEN_DEMAND_STATES,
    OPEN_WISH_STATES,
    DemandEntry,
    DemandPlace,
    EntryEvent,
    EntrySubject,
    ImportBatch,
    ImportDraft,
    ImportMapping,
    Skill,
    SkillLevel,
    community_of,
)

SENSITIVE_WISH_FIELDS = ("low_income", "low_income_consent_at", "consent_version")
SENSITIVE_WORKER_FIELDS = ("low_income", "id_number", "home_address", "baseline_income_yuan", "pin_hash")
SUGGESTIONS = 10


def workshops_for(scope: Scope) -> QuerySet[Workshop]:
    """The workshops whose lists ``scope`` sees (for a firm: those in an active pairing with it)."""
    if scope.is_firm:
        return (
            Workshop.objects.filter(pairings__firm_id=scope.firm_id, pairings__active=True)
            .distinct()
            .order_by("community", "name")
        )
    if scope.all_workshops:
        return Workshop.objects.order_by("county", "community", "name")
    return Workshop.objects.filter(pk__in=scope.workshop_ids).order_by("community", "name")


def firms_for(scope: Scope) -> QuerySet[PartnerFirm]:
    """Firms a demand may be entered for: any firm for a community admin, the own firm for firm staff."""
    if scope.is_admin:
        return PartnerFirm.objects.order_by("name")
    if scope.is_firm:
        return PartnerFirm.objects.filter(pk=scope.firm_id)
    return PartnerFirm.objects.none()


# --- demand list (需求清单) ----------------------------------------------------------------------------


def demands_for(scope: Scope) -> QuerySet[DemandEntry]:
    """Demands ``scope`` sees, newest first, with workshop and firm joined."""
    qs = DemandEntry.objects.select_related("workshop", "firm")
    if scope.is_firm:
        return qs.filter(firm_id=scope.firm_id)
    if scope.is_admin or scope.is_head:
        return qs if scope.all_workshops else qs.filter(workshop_id__in=scope.workshop_ids)
    return qs.none()


def demand_get(scope: Scope, pk: int) -> DemandEntry:
    """The demand ``pk`` if ``scope`` sees it; ``Http404`` otherwise."""
    demand = demands_for(scope).filter(pk=pk).first()
    if demand is None:
        raise Http404(_("没有这条企业需求。"))
    return demand


def can_edit_demand(scope: Scope, demand: DemandEntry) -> bool:
    """A community admin of its workshop, or staff of its firm."""
    return (scope.is_admin and scope.covers(demand.workshop_id)) or (
        scope.is_firm and scope.firm_id == demand.firm_id
    )


def demand_events(scope: Scope, demand: DemandEntry) -> list[EntryEvent]:
    """The demand's history. A community admin also sees the wishes matched with it (by name);
    everyone else sees the demand's own status changes only."""
    qs = EntryEvent.objects.select_related("actor")
    if scope.is_admin:
        qs = qs.filter(demand=demand).select_related("wish")
    else:
        qs = qs.filter(demand=demand, subject=EntrySubject.DEMAND)
    return list(qs.order_by("at", "id"))


# --- supply list (供给清单) ----------------------------------------------------------------------------


def wishes_for(scope: Scope) -> QuerySet[WorkWish]:
    """Wishes ``scope`` sees, most recently updated first, with workshop and list record joined. For a
    head, the low-income declaration and its consent are not even loaded."""
    qs = WorkWish.objects.select_related("workshop", "list_record")
    if scope.is_admin:
        if scope.all_workshops:
            return qs
        return qs.filter(Q(workshop_id__in=scope.workshop_ids) | Q(workshop__isnull=True))
    if scope.is_head:
        return qs.filter(workshop_id__in=scope.workshop_ids).defer(
            *SENSITIVE_WISH_FIELDS, "list_record__id_number"
        )
    return qs.none()


def wish_get(scope: Scope, pk: int) -> WorkWish:
    """The wish ``pk`` if ``scope`` sees it; ``Http404`` otherwise."""
    wish = wishes_for(scope).filter(pk=pk).first()
    if wish is None:
        raise Http404(_("没有这条就业意向。"))
    return wish


def wish_events(scope: Scope, wish: WorkWish) -> list[EntryEvent]:
    """The wish's history (who handled it), with the demand it was matched with, if any."""
    if not scope.sees_supply:
        return []
    return list(
        EntryEvent.objects.filter(wish=wish, subject=EntrySubject.WISH)
        .select_related("actor", "demand", "demand__firm")
        .order_by("at", "id")
    )


@dataclass(frozen=True)
class SpareWorker:
    """A current worker's spare capacity (空余工时): hours a week minus the hours of open work."""

    worker: Worker
    open_hours: float
    spare_hours: float


def spare_workers(scope: Scope, *, workshop_ids=None, q: str = "") -> list[SpareWorker]:
    """Active workers of the workshops ``scope`` covers (narrowed to ``workshop_ids``, and to those whose
    search key holds ``q``: ``workshop.search.needle``) with spare hours, most spare first. Two queries."""
    if not scope.sees_supply:
        return []
    workers = Worker.objects.filter(active=True).select_related("workshop")
    if not scope.all_workshops:
        workers = workers.filter(workshop_id__in=scope.workshop_ids)
    if workshop_ids is not None:
        workers = workers.filter(workshop_id__in=list(workshop_ids))
    found = search.lookup(q, phone_field="phone")
    if found is not None:
        workers = workers.filter(found)
    if not scope.sees_low_income:
        workers = workers.defer(*SENSITIVE_WORKER_FIELDS)
    workers = list(workers.order_by("name", "pk"))
    _pieces, held = planning.open_work(workers) if workers else ({}, {})
    out = []
    for w in workers:
        busy = held.get(w.pk, 0.0)
        spare = w.hours_per_week - busy
        if spare >= 1:
            out.append(SpareWorker(worker=w, open_hours=round(busy, 1), spare_hours=round(spare, 1)))
    out.sort(key=lambda s: (-s.spare_hours, s.worker.pk))
    return out


# --- matching (两清单对接) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One suggested pairing: a wish or a worker for a demand, or a demand for a wish."""

    fit: scoring.Fit
    wish: WorkWish | None = None
    worker: SpareWorker | None = None
    demand: DemandEntry | None = None


def need_of(demand: DemandEntry) -> scoring.Need:
    return scoring.Need(
        kind=demand.process_kind,
        beginners_ok=demand.skill_level == SkillLevel.BEGINNER,
        home_ok=demand.place == DemandPlace.HOME_OK,
        hours_per_person=scoring.hours_per_person(
            kind=demand.process_kind,
            pieces_per_week=demand.pieces_per_week,
            hours_per_week=demand.hours_per_week,
            people=demand.people_needed,
        ),
        workshop_id=demand.workshop_id,
    )


def person_of_wish(wish: WorkWish, *, with_low_income: bool) -> scoring.Person:
    return scoring.Person(
        skills=frozenset(wish.skills or ()),
        hours=float(wish.hours_per_week),
        home=wish.work_place == WorkPlace.HOME,
        workshop_id=wish.workshop_id,
        low_income=wish.low_income if with_low_income else False,
    )


def person_of_worker(spare: SpareWorker, *, with_low_income: bool) -> scoring.Person:
    w = spare.worker
    return scoring.Person(
        skills=frozenset(w.skills or ()),
        hours=spare.spare_hours,
        home=w.work_place == WorkPlace.HOME,
        workshop_id=w.workshop_id,
        low_income=w.low_income if with_low_income else False,
    )


def suggestions_for_demand(scope: Scope, demand: DemandEntry) -> tuple[list[Suggestion], list[Suggestion]]:
    """Suggested residents (open wishes ``scope`` sees) and current workers of the demand's workshop with
    spare hours, best first (ties: the earlier sign-up first), at most 10 of each. Four queries; nothing
    for firm staff (residents' data is not theirs to see)."""
    if not scope.sees_supply:
        return [], []
    show = scope.sees_low_income
    need = need_of(demand)
    residents = []
    for wish in wishes_for(scope).filter(status__in=OPEN_WISH_STATES).order_by("created_at", "pk"):
        f = scoring.fit(need, person_of_wish(wish, with_low_income=show), show_low_income=show)
        if f is not None:
            residents.append(Suggestion(fit=f, wish=wish))
    residents.sort(key=lambda s: -s.fit.score)
    workers = []
    for spare in spare_workers(scope, workshop_ids=[demand.workshop_id]):
        f = scoring.fit(need, person_of_worker(spare, with_low_income=show), show_low_income=show)
        if f is not None:
            workers.append(Suggestion(fit=f, worker=spare))
    workers.sort(key=lambda s: -s.fit.score)
    return residents[:SUGGESTIONS], workers[:SUGGESTIONS]


def open_demands(qs: QuerySet[DemandEntry], *, today: dt.date) -> QuerySet[DemandEntry]:
    """Demands still to be met: new, contacted or matched, and not past their end date."""
    return qs.filter(status__in=OPEN_DEMAND_STATES).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def suggestions_for_wish(scope: Scope, wish: WorkWish, *, today: dt.date) -> list[Suggestion]:
    """Open demands ``scope`` sees that suit ``wish``, best first, at most 10. One query."""
    if not scope.sees_supply:
        return []
    show = scope.sees_low_income
    person = person_of_wish(wish, with_low_income=show)
    out = []
    for demand in open_demands(demands_for(scope), today=today).order_by("starts_on", "pk"):
        f = scoring.fit(need_of(demand), person, show_low_income=show)
        if f is not None:
            out.append(Suggestion(fit=f, demand=demand))
    out.sort(key=lambda s: -s.fit.score)
    return out[:SUGGESTIONS]


def imports_for(scope: Scope) -> QuerySet[ImportBatch]:
    """Past imports into the lists of the workshops a community admin covers."""
    if not scope.is_admin:
        return ImportBatch.objects.none()
    qs = ImportBatch.objects.select_related("workshop", "uploaded_by")
    return qs if scope.all_workshops else qs.filter(workshop_id__in=scope.workshop_ids)


def import_draft_get(scope: Scope, user, token: str) -> ImportDraft:
    """The upload ``token`` if ``user`` made it, as a community admin of its workshop; Http404 otherwise
    (another admin's upload is not theirs to see: it may hold ID numbers)."""
    draft = (
        ImportDraft.objects.select_related("workshop").filter(token=token, uploaded_by=user).first()
        if scope.is_admin and token
        else None
    )
    if draft is None or not scope.covers(draft.workshop_id):
        raise Http404(_("没有这次上传,或已经导入完成。"))
    return draft


def community_skills(workshop: Workshop) -> dict[str, str]:
    """The skill words the workshop's community added (name → process kind)."""
    return dict(Skill.objects.filter(**community_of(workshop)).values_list("name", "process_kind"))


def remembered_mapping(workshop: Workshop, kind: str, signatures: list[str]) -> ImportMapping | None:
    """The community's last saved mapping for a header row with one of ``signatures``."""
    return (
        ImportMapping.objects.filter(**community_of(workshop), kind=kind, signature__in=signatures)
        .order_by("-saved_at", "-pk")
        .first()
    )


# --- the public transparency board (公开透明) ------------------------------------------------------------

BOARD_MONTHS = 6


@dataclass(frozen=True)
class MonthTotals:
    """One month of a workshop's ledger, anonymised: no row names a person.

    ``pieces``: pieces of first-round assignments offered that month and not declined or expired;
    ``workers``: distinct workers who reported work that month; ``wages``: piece wages booked that month
    (记账, what is owed: Decimal yuan, to the fen), paid or not; ``paid``: what the head marked paid out
    (已发放) of that month's pay period, by payout batches only (Decimal yuan; 0 before any);
    ``passed``/``inspected``: pieces judged in inspections that month.
    """

    month: dt.date
    pieces: int
    workers: int
    wages: Decimal
    passed: int
    inspected: int
    paid: Decimal = Decimal("0.00")

    @property
    def pass_rate(self) -> Decimal | None:
        """Passed / inspected as a percentage to one decimal; None when nothing was inspected."""
        if not self.inspected:
            return None
        return (Decimal(100) * self.passed / self.inspected).quantize(Decimal("0.1"))


def board_workshop(pk: int) -> Workshop:
    workshop = Workshop.objects.filter(pk=pk).first()
    if workshop is None:
        raise Http404(_("没有这个工坊。"))
    return workshop


def board_demands(workshop: Workshop, *, today: dt.date) -> list[DemandEntry]:
    """The workshop's open demands for the public: firm name joined, nothing else of the firm."""
    return list(
        open_demands(DemandEntry.objects.filter(workshop=workshop), today=today)
        .select_related("firm")
        .only(
            "process_kind",
            "title",
            "pieces_per_week",
            "hours_per_week",
            "people_needed",
            "starts_on",
            "ends_on",
            "skill_level",
            "place",
            "status",
            "firm__name",
        )
        .order_by("starts_on", "pk")
    )


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def board_months(workshop: Workshop, *, today: dt.date, months: int = BOARD_MONTHS) -> list[MonthTotals]:
    """The last ``months`` calendar months (Asia/Shanghai) of ``workshop``'s ledger, newest first.
    Five queries whatever the size of the ledger; wages and payouts are summed in Python (SQLite sums
    decimals as floats)."""
    first = _month_start(today, months - 1)
    since = dates.local_midnight(first)

    def month_of(value) -> dt.date:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            value = value.date()
        return value.replace(day=1)

    pieces = {
        month_of(m): n
        for m, n in Assignment.objects.filter(
            job__workshop=workshop,
            kind=AssignmentKind.FIRST,
            state__in=HOLDING_STATES,
            offered_at__gte=since,
        )
        .annotate(m=TruncMonth("offered_at"))
        .values_list("m")
        .annotate(n=Sum("pieces"))
        .order_by()
    }
    workers = {
        month_of(m): n
        for m, n in WorkReport.objects.filter(assignment__job__workshop=workshop, at__gte=since)
        .annotate(m=TruncMonth("at"))
        .values_list("m")
        .annotate(n=Count("assignment__worker_id", distinct=True))
        .order_by()
    }
    wages: dict[dt.date, list[Decimal]] = defaultdict(list)
    for booked_on, amount in PayLine.objects.filter(
        assignment__job__workshop=workshop, booked_on__gte=first
    ).values_list("booked_on", "amount"):
        wages[month_of(booked_on)].append(amount)
    paid: dict[dt.date, list[Decimal]] = defaultdict(list)
    for month, amount in Payout.objects.filter(
        period__workshop=workshop, period__month__gte=first
    ).values_list("period__month", "amount"):
        paid[month_of(month)].append(amount)
    judged = {
        month_of(m): (p or 0, r or 0)
        for m, p, r in InspectionResult.objects.filter(
            inspection__job__workshop=workshop, inspection__at__gte=since
        )
        .annotate(m=TruncMonth("inspection__at"))
        .values_list("m")
        .annotate(p=Sum("pieces_passed"), r=Sum("pieces_rejected"))
        .order_by()
    }
    out = []
    for back in range(months):
        m = _month_start(today, back)
        passed, rejected = judged.get(m, (0, 0))
        out.append(
            MonthTotals(
                month=m,
                pieces=pieces.get(m, 0) or 0,
                workers=workers.get(m, 0),
                wages=money.to_yuan(sum(wages.get(m, []), Decimal("0"))),
                passed=passed,
                inspected=passed + rejected,
                paid=money.yuan_sum(paid.get(m, [])),
            )
        )
    return out
