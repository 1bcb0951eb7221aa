"""The dashboard's reads for door delivery (配送): the workshops whose delivery a user runs, the places of
their communities, their couriers and runs, each scoped by the asking user's ``Scope`` (heads and
community admins; none for firm staff). A ``*_get`` raises ``Http404`` for a foreign object, exactly as
for a missing one."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from logistics.models import Place, PlaceKind, Run, RunState
from workshop.models import Courier, CourierAction, CourierEvent, Workshop
from workshop.roles import Scope

from .selectors import workshops_for


def logistics_workshops(scope: Scope) -> list[Workshop]:
    """The workshops whose delivery ``scope`` runs (heads, community admins; none for firm staff)."""
    if not scope.manages_workers:
        return []
    return list(workshops_for(scope))


def logistics_workshop_get(scope: Scope, pk: int | None) -> Workshop:
    """A workshop whose delivery ``scope`` runs, else Http404 (another's, a firm's, a missing one)."""
    workshop = next((w for w in logistics_workshops(scope) if w.pk == pk), None)
    if workshop is None:
        raise Http404(_("没有这个工坊。"))
    return workshop


def _community_q(workshops, prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for key in {(w.county, w.subdistrict, w.community) for w in workshops}:
        q |= Q(**{f"{prefix}county": key[0], f"{prefix}subdistrict": key[1], f"{prefix}community": key[2]})
    return q


def places_for(scope: Scope) -> QuerySet[Place]:
    """The places of the communities of the workshops ``scope`` runs, firm joined; none for firm staff."""
    workshops = logistics_workshops(scope)
    if not workshops:
        return Place.objects.none()
    qs = Place.objects.select_related("firm")
    return qs if scope.all_workshops else qs.filter(_community_q(workshops))


def place_get(scope: Scope, pk: int) -> Place:
    place = places_for(scope).filter(pk=pk).first()
    if place is None:
        raise Http404(_("没有这个地点。"))
    return place


def community_places(workshop: Workshop) -> QuerySet[Place]:
    """The places of ``workshop``'s community (where its workers may live), by name."""
    return Place.objects.filter(
        county=workshop.county, subdistrict=workshop.subdistrict, community=workshop.community
    ).exclude(kind=PlaceKind.FIRM_GATE)


def workshop_couriers(workshop: Workshop | int) -> list[Courier]:
    """A workshop's couriers, the active ones first, by name; each with ``stop_reason``, the reason of her
    latest stop (None: never stopped). One query."""
    latest_stop = CourierEvent.objects.filter(courier=OuterRef("pk"), action=CourierAction.STOPPED)
    return list(
        Courier.objects.filter(workshop=workshop)
        .annotate(stop_reason=Subquery(latest_stop.order_by("-at", "-id").values("reason")[:1]))
        .order_by("-active", "name", "pk")
    )


def couriers_free(workshop_ids: list[int], runs: list[Run]) -> dict[int, list[Courier]]:
    """Active couriers by workshop who could take a stopped courier's run: none of ``runs`` (the day's,
    ``logistics.selectors.workshop_runs``) still to finish is hers. One query."""
    busy = {r.courier_id for r in runs if r.state != RunState.DONE}
    free: dict[int, list[Courier]] = {pk: [] for pk in workshop_ids}
    for c in Courier.objects.filter(workshop_id__in=workshop_ids, active=True).order_by("name", "pk"):
        if c.pk not in busy:
            free[c.workshop_id].append(c)
    return free


def courier_run_states(courier: Courier, day) -> set[str]:
    """The states of ``courier``'s runs on ``day`` (empty: she has none)."""
    return set(Run.objects.filter(courier=courier, day=day).values_list("state", flat=True))


def courier_get(scope: Scope, pk: int) -> Courier:
    """A courier of a workshop whose delivery ``scope`` runs, workshop joined; else Http404."""
    ids = [w.pk for w in logistics_workshops(scope)]
    courier = Courier.objects.select_related("workshop").filter(pk=pk, workshop_id__in=ids).first()
    if courier is None:
        raise Http404(_("没有这个配送员。"))
    return courier


def run_get(scope: Scope, pk: int) -> Run:
    """A run of a workshop whose delivery ``scope`` runs; else Http404."""
    ids = [w.pk for w in logistics_workshops(scope)]
    run = Run.objects.select_related("courier").filter(pk=pk, workshop_id__in=ids).first()
    if run is None:
        raise Http404(_("没有这趟配送。"))
    return run
