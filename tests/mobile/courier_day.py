"""A courier's day built with the real services, for the courier's phone pages (/m/run/).

``courier_day(cast, issue_job, deliver=1, collect=1, handover=True)`` makes the courier 小周 (phone + PIN),
the workshop's depot and tricycle (ridden by her), a building per home worker with her room, and the doors of
a day: ``deliver`` home workers whose share's kit waits in the store (送料; the first one home ``home``,
08:00–12:00 unless given), ``collect`` home workers with reported pieces at home, one bundle of them reported
by its ticket (收货), and a finished workshop job whose delivery note waits to go to the firm's gate (交货,
the gate has no map point). Then the head plans the day (``runs_plan``) at 07:30. Returns a ``Day`` with the
run, its stops by kind and who is who.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from dispatch import services as flow
from dispatch.models import Assignment
from logistics import services as logistics
from logistics.models import PlaceKind, Run, Stop
from materials import services as ledger
from materials.services import BomInput
from tests.factories import WorkerFactory
from tests.mobile.conftest import PIN, accepted_job, in_hand
from tickets import services as tickets
from workshop import services as people
from workshop.models import WorkPlace

COURIER_PHONE = "13700001111"
OTHER_COURIER_PHONE = "13700002222"
PANEL = BomInput("面板", "ge", "1", "0")
SCREW = BomInput("螺丝", "ge", "4", "0")


@dataclass
class Day:
    courier: object
    run: Run
    deliver: list[Stop] = field(default_factory=list)
    collect: list[Stop] = field(default_factory=list)
    handover: list[Stop] = field(default_factory=list)
    shares: dict[int, Assignment] = field(default_factory=dict)  # collect share by worker id
    tickets: dict[int, list] = field(default_factory=dict)  # reported tickets by collect share id

    @property
    def stops(self) -> list[Stop]:
        return sorted(self.deliver + self.collect + self.handover, key=lambda s: s.seq)


def home_worker(cast, name: str):
    return WorkerFactory(workshop=cast.ws, name=name, work_place=WorkPlace.HOME)


def make_courier(cast, phone: str = COURIER_PHONE, name: str = "小周"):
    return people.courier_create(actor=cast.head, workshop=cast.ws, name=name, phone=phone, pin=PIN)


def courier_day(
    cast,
    issue_job,
    *,
    deliver: int = 1,
    collect: int = 1,
    handover: bool = True,
    courier=None,
    home=("08:00", "12:00"),
) -> Day:
    head, ws = cast.head, cast.ws
    courier = courier or make_courier(cast)
    logistics.depot_set(actor=head, workshop=ws, lat="30.530000", lng="120.940000", shift_min=720)
    logistics.vehicle_save(actor=head, workshop=ws, name="三轮车", capacity=200, courier=courier)
    n = 0

    def house(worker, home=None):
        nonlocal n
        n += 1
        place, _ = logistics.place_save(
            actor=head,
            workshop=ws,
            name=f"新街小区{n}幢",
            lat=f"{30.530 + n * 0.001:.6f}",
            lng=f"{120.940 + (n % 3) * 0.001:.6f}",
        )
        hours = home or (None, None)
        logistics.residence_set(
            actor=head, worker=worker, place=place, room="2单元301", home_from=hours[0], home_until=hours[1]
        )

    if deliver:
        job = accepted_job(cast, issue_job, quantity=20 * deliver, title="开关面板装配", bom=[PANEL, SCREW])
        for line in job.bom_lines.all():
            ledger.material_receive(
                line=line, quantity_received=line.per_piece * 20 * deliver, actor=head, confirm_over=True
            )
        for i in range(deliver):
            w = home_worker(cast, f"送料{i + 1}")
            house(w, home if i == 0 else None)
            in_hand(job, w, 20)
    shares, reported = {}, {}
    if collect:
        job = accepted_job(cast, issue_job, quantity=30 * collect, title="插头包装", bundle_size=10)
        for i in range(collect):
            w = home_worker(cast, f"收货{i + 1}")
            house(w)
            a = in_hand(job, w, 30)
            printed = tickets.tickets_print(actor=head, assignment=a)
            tickets.ticket_report(actor=w.user, ticket=printed[0])
            flow.work_report(actor=w.user, assignment=a, pieces=10, key=uuid.uuid4().hex)
            shares[w.pk] = a
            reported[a.pk] = [printed[0]]
    if handover:
        logistics.place_save(
            actor=head, workshop=ws, name="企业收货处", kind=PlaceKind.FIRM_GATE, firm=cast.firm
        )
        job = accepted_job(cast, issue_job, quantity=40, title="外壳打磨")
        a = in_hand(job, cast.carol, 40)
        flow.work_report(actor=cast.carol.user, assignment=a, pieces=40, key=uuid.uuid4().hex)
        job.refresh_from_db()
        if job.state == "in_progress":
            flow.job_complete(job=job)
        logistics.note_prepare(actor=head, job=job)
    # The head plans in the morning, before the depot's 08:30: the times count from 08:30 whatever the clock.
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(7, 30)))
    plan = logistics.runs_plan(workshop=ws, actor=head, now=morning)
    run = plan.runs[0]
    stops = list(Stop.objects.filter(run=run, seq__isnull=False).order_by("seq"))
    day = Day(courier, run, shares=shares, tickets=reported)
    for s in stops:
        getattr(day, s.kind).append(s)
    assert len(stops) == deliver + collect + (1 if handover else 0), plan
    return day
