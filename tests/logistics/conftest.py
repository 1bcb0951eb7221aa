"""A workshop set up for door delivery and collection: its depot near 新街社区, a tricycle with its courier,
buildings with map points, and two home workers (alice and bob) living in them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from dispatch import services
from logistics import services as logistics
from logistics.models import Place, Vehicle
from materials import services as ledger
from materials.services import BomInput
from workshop import services as people
from workshop.models import Courier, WorkPlace

DEPOT = ("30.526000", "120.946000")


@dataclass
class Delivery:
    courier: Courier
    other_courier: Courier
    vehicle: Vehicle
    places: dict[str, Place]


@pytest.fixture
def delivery(cast) -> Delivery:
    logistics.depot_set(actor=cast.head, workshop=cast.ws, lat=DEPOT[0], lng=DEPOT[1])
    courier = people.courier_create(
        actor=cast.head, workshop=cast.ws, name="周师傅", phone="13957300001", pin="482916"
    )
    other = people.courier_create(
        actor=cast.head, workshop=cast.ws, name="陈师傅", phone="13957300002", pin="482917"
    )
    vehicle = logistics.vehicle_save(
        actor=cast.head, workshop=cast.ws, name="三轮车", capacity=8, courier=courier
    )
    places = {}
    for name, lat, lng in (
        ("新街小区1幢", "30.528000", "120.948000"),
        ("新街小区5幢", "30.531000", "120.944000"),
    ):
        places[name], _ = logistics.place_save(actor=cast.head, workshop=cast.ws, name=name, lat=lat, lng=lng)
    for worker, place, room in (
        (cast.alice, "新街小区1幢", "2单元301"),
        (cast.bob, "新街小区5幢", "1单元102"),
    ):
        worker.work_place = WorkPlace.HOME
        worker.save(update_fields=["work_place"])
        logistics.residence_set(actor=cast.head, worker=worker, place=places[place], room=room)
    return Delivery(courier, other, vehicle, places)


def key() -> str:
    return uuid.uuid4().hex


def home_share(cast, issue_job, worker=None, pieces: int = 100, bom: bool = True, **kw):
    """An accepted home share (送料上门) of a new job; with ``bom``, the job has one material (1 面板 a piece,
    2 % loss) received in full at the store."""
    worker = worker or cast.alice
    boms = [BomInput("面板", "ge", "1", "2")] if bom else []
    job = issue_job(quantity=kw.pop("quantity", pieces), bom=boms, **kw)
    services.job_accept(actor=cast.head, job=job)
    if bom:
        ledger.material_receive(
            line=job.bom_lines.get(), quantity_received=job.quantity * 2, actor=cast.head, confirm_over=True
        )
    a = services.assignment_offer(job=job, worker=worker, pieces=pieces)
    services.assignment_accept(actor=worker.user, assignment=a)
    a.refresh_from_db()
    return a


from tests.dispatch.conftest import published  # noqa: E402,F401 - the race stubs the broker the same way
