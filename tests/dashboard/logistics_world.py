"""The logistics pages' tests' shared world: what a refused request must leave as it was, a workshop's
depot with a tricycle and its courier, and a day's run with its stops made by hand (no planner)."""

from __future__ import annotations

from django.utils import timezone

from logistics import services as logistics
from logistics.models import Depot, Place, Residence, Run, RunState, Stop, StopState, Vehicle
from logistics.services.runs import REASONS
from workshop.models import Courier
from workshop.services import courier_create

TODAY = timezone.localdate


def snapshot() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "places": list(Place.objects.order_by("pk").values_list("pk", "name", "kind", "lat", "lng", "note")),
        "depots": list(Depot.objects.order_by("pk").values_list("pk", "lat", "lng", "shift_min")),
        "vehicles": list(Vehicle.objects.order_by("pk").values_list("pk", "name", "capacity", "courier")),
        "couriers": list(Courier.objects.order_by("pk").values_list("pk", "name", "pin_hash")),
        "homes": list(Residence.objects.order_by("pk").values_list("pk", "place", "room", "home_from")),
        "runs": list(Run.objects.order_by("pk").values_list("pk", "state", "distance_m")),
        "stops": list(Stop.objects.order_by("pk").values_list("pk", "state", "seq")),
    }


def depot_with_courier(cast):
    """The cast's depot (leaving at 08:30), its courier 王师傅 and her tricycle 一号三轮.

    Returns (courier, vehicle)."""
    logistics.depot_set(actor=cast.head, workshop=cast.ws, lat="30.53", lng="120.94", start_at="08:30")
    courier = courier_create(
        actor=cast.head, workshop=cast.ws, name="王师傅", phone="13800001234", pin="482915"
    )
    vehicle = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="一号三轮", courier=courier)
    return courier, vehicle


def run_by_hand(cast, vehicle, courier, n_stops: int, day=None) -> Run:
    """A run with ``n_stops`` stops by hand: a few done, one nobody home, one short collection, and one
    unscheduled with its reason."""
    run = Run.objects.create(
        workshop=cast.ws,
        day=day or TODAY(),
        vehicle=vehicle,
        courier=courier,
        solver="ortools",
        distance_m=5400,
        duration_min=75,
        state=RunState.UNDER_WAY,
    )
    workers = [cast.alice, cast.bob, cast.carol]
    place, _c = logistics.place_save(actor=cast.head, workshop=cast.ws, name="3幢", lat="30.5", lng="120.9")
    for i in range(n_stops - 1):
        state = [StopState.DELIVERED, StopState.NOBODY_HOME, StopState.PENDING][i % 3]
        Stop.objects.create(
            run=run,
            seq=i + 1,
            kind="deliver",
            state=state,
            worker=workers[i % 3],
            place=place,
            arrive_min=10 * (i + 1),
            courier_note="敲门没人" if state == StopState.NOBODY_HOME else "",
        )
    Stop.objects.create(
        run=run,
        seq=None,
        kind="collect",
        state=StopState.UNSCHEDULED,
        worker=cast.bob,
        reason=REASONS["too_big"],
        reason_params={"n": 12, "c": 8},
    )
    return run
