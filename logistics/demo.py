"""Door delivery for the demo workshop 暖心坊 (新街社区, 望海街道, 海盐县), built through the real
services as its head: the community's places (buildings of 新街小区, 望海新村 and 海滨花园, two village
groups, the collection point, each partner firm's gate), the workshop's depot, a tricycle and an e-bike
with their couriers, and every home worker's residence (a building and a generated room; two with home
hours; one without a place, to show a stop with no map point).

Points are generated around the workshop (lat 30.526, lng 120.946) with a fixed seed, never real
addresses; the couriers' names and phones too (Faker zh_CN). Idempotent: a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from faker import Faker

from workshop.demo import DEMO_PIN, MOBILE_PREFIXES, SEED
from workshop.models import Courier, PartnerFirm, Worker, WorkPlace, Workshop
from workshop.services import courier_create

from .models import Depot, Place, PlaceKind, Residence, Vehicle, VehicleKind
from .services import depot_set, place_save, residence_set, vehicle_save

DEPOT_POINT = (Decimal("30.526000"), Decimal("120.946000"))
# (estate, number of buildings) by the worker's ``home_area``; the two 片 are village groups.
ESTATES = [("新街小区", 6), ("望海新村", 3), ("海滨花园", 4)]
VILLAGE_GROUPS = {"城东片": "城东村3组", "老街片": "老街村2组"}
COLLECTION_POINT = "新街社区集中收发点"
# (vehicle name, kind, capacity in boxes, km/h)
VEHICLES = [("三轮车", VehicleKind.TRICYCLE, 8, 12), ("电瓶车", VehicleKind.EBIKE, 4, 18)]
# Two of the home workers are home only for part of the morning run (08:30–12:30).
HOME_HOURS = [(dt.time(9, 0), dt.time(11, 30)), (dt.time(10, 0), dt.time(12, 0))]


@dataclass
class LogisticsSummary:
    depot: Depot
    created: int


def _near(rng: random.Random, spread: float) -> tuple[Decimal, Decimal]:
    """A point within about ``spread`` degrees of the workshop (0.001° ≈ 100 m here), to 6 places."""
    q = Decimal("0.000001")
    lat = DEPOT_POINT[0] + Decimal(str(rng.uniform(-spread, spread))).quantize(q)
    lng = DEPOT_POINT[1] + Decimal(str(rng.uniform(-spread, spread))).quantize(q)
    return lat, lng


@transaction.atomic
def seed_demo_logistics(workshop: Workshop) -> LogisticsSummary:
    """Places, depot, vehicles, couriers and home workers' residences of the demo ``workshop``, as its
    head. Returns the depot and how many rows this run created. Idempotent."""
    head = workshop.head
    rng = random.Random(SEED + 17)
    created = 0
    places: dict[str, Place] = {}

    def place(name: str, kind: str, spread: float, firm: PartnerFirm | None = None, note: str = "") -> Place:
        nonlocal created
        lat, lng = _near(rng, spread)  # drawn every run, so the points do not depend on what exists
        found = Place.objects.filter(
            county=workshop.county, subdistrict=workshop.subdistrict, community=workshop.community, name=name
        ).first()
        if found is None:
            found, _ = place_save(
                actor=head, workshop=workshop, name=name, kind=kind, lat=lat, lng=lng, firm=firm, note=note
            )
            created += 1
        places[name] = found
        return found

    for estate, buildings in ESTATES:
        for n in range(1, buildings + 1):
            place(f"{estate}{n}幢", PlaceKind.BUILDING, 0.006)
    for group in VILLAGE_GROUPS.values():
        place(group, PlaceKind.VILLAGE_GROUP, 0.015)
    place(COLLECTION_POINT, PlaceKind.COLLECTION_POINT, 0.0005, note="党群服务中心东侧")
    for firm in PartnerFirm.objects.filter(pairings__workshop=workshop).order_by("pk"):
        # The firms sit in the county's industrial parks, a few kilometres out.
        place(f"{firm.name}收货处", PlaceKind.FIRM_GATE, 0.03, firm=firm, note="门卫室登记后卸货")

    depot = Depot.objects.filter(workshop=workshop).first()
    if depot is None:
        depot = depot_set(
            actor=head,
            workshop=workshop,
            lat=DEPOT_POINT[0],
            lng=DEPOT_POINT[1],
            plan_at="07:30",
            start_at="08:30",
            shift_min=240,
        )
        created += 1

    fake = Faker("zh_CN")
    fake.seed_instance(SEED + 17)
    taken = {str(p) for p in Worker.objects.values_list("phone", flat=True)}
    for name, kind, capacity, speed in VEHICLES:
        courier_name = fake.name()
        while True:
            phone = "+86" + rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
            if phone not in taken:
                taken.add(phone)
                break
        if Vehicle.objects.filter(workshop=workshop, name=name).exists():
            continue
        courier = Courier.objects.filter(workshop=workshop, phone=phone).first()
        if courier is None:
            courier = courier_create(
                actor=head, workshop=workshop, name=courier_name, phone=phone, pin=DEMO_PIN
            )
            created += 1
        vehicle_save(
            actor=head,
            workshop=workshop,
            name=name,
            kind=kind,
            capacity=capacity,
            speed_kmh=speed,
            courier=courier,
        )
        created += 1

    home = list(Worker.objects.filter(workshop=workshop, work_place=WorkPlace.HOME).order_by("pk"))
    for i, worker in enumerate(home):
        unit, floor, door = rng.randint(1, 3), rng.randint(1, 6), rng.randint(1, 2)
        number = rng.randint(1, 60)
        if Residence.objects.filter(worker=worker).exists():
            continue
        hours = {3: HOME_HOURS[0], 6: HOME_HOURS[1]}.get(i, (None, None))
        if i == len(home) - 1:
            # The newest home worker has no place yet: her stop has no map point and goes last.
            residence_set(actor=head, worker=worker, place=None, room="")
        elif worker.home_area in VILLAGE_GROUPS:
            group = places[VILLAGE_GROUPS[worker.home_area]]
            residence_set(
                actor=head,
                worker=worker,
                place=group,
                room=f"{number}号",
                home_from=hours[0],
                home_until=hours[1],
            )
        else:
            estate, buildings = next(
                ((e, b) for e, b in ESTATES if e == worker.home_area), (ESTATES[0][0], ESTATES[0][1])
            )
            building = places[f"{estate}{(i % buildings) + 1}幢"]
            residence_set(
                actor=head,
                worker=worker,
                place=building,
                room=f"{unit}单元{floor}0{door}",
                home_from=hours[0],
                home_until=hours[1],
            )
        created += 1
    return LogisticsSummary(depot=depot, created=created)


def demo_courier_logins(workshop: Workshop) -> list[tuple[str, str]]:
    """(phone, who) of the demo workshop's couriers, to print with the other logins."""
    rows = Courier.objects.filter(workshop=workshop, active=True).order_by("pk").values_list("phone", "name")
    return [
        (str(getattr(phone, "national_number", phone)), f"配送员 courier ({name})") for phone, name in rows
    ]
