"""A month of one firm with one workshop, built with the real services: two jobs, a rework, and a loss of
material beyond the allowance.

- 开关面板装配 (no materials), 200 pieces at 0.0350 to alice: 190 pass, 10 go back for rework.
- 插座面板装配, 100 pieces at 0.5000 to bob, one 面板 a piece with 0.5 % allowed loss, priced 2.50 yuan a
  panel: the store takes in 105, bob gets his kit of 101 and 4 more, makes 100 (all pass), and the 5 he
  still holds are written off: 1 is allowed (0.5 % of 100, rounded up), 4 are charged (10.00 yuan).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dispatch import services
from dispatch.models import Job
from materials import services as materials
from materials.models import BomLine
from materials.services import BomInput
from tests.materials.conftest import inspect_and_book, report, share

PANEL = BomInput("面板", "ge", "1", "0.5", "2.50")


@dataclass
class Month:
    switch: Job
    socket: Job


def set_fee(pairing, kind: str, value: str, *, open_to_firm: bool = False) -> None:
    pairing.operator_fee_kind = kind
    pairing.operator_fee_value = Decimal(value)
    pairing.operator_fee_open_to_firm = open_to_firm
    pairing.full_clean()
    pairing.save()


def build_month(cast, issue_job) -> Month:
    """Build the month (see the module's docstring) as the cast, and return its two jobs."""
    switch = services.job_accept(actor=cast.head, job=issue_job(quantity=200, rate="0.0350"))
    a = share(switch, cast.alice, 200)
    report(a, 200)
    inspect_and_book(cast, switch, {a.pk: (190, 10, 10)})

    socket = issue_job(quantity=100, rate="0.5000", title="插座面板装配", bom=[PANEL])
    socket = services.job_accept(actor=cast.head, job=socket)
    panel = BomLine.objects.get(job=socket)
    materials.material_receive(line=panel, quantity_received=105, actor=cast.head)
    b = share(socket, cast.bob, 100)
    materials.kit_issue(assignment=b, actor=cast.head)
    materials.material_issue(line=panel, worker=cast.bob, quantity_issued=4, actor=cast.head, reason="补料")
    report(b, 100)
    inspect_and_book(cast, socket, {b.pk: (100, 0, 0)})
    materials.material_write_off(line=panel, worker=cast.bob, actor=cast.head)
    switch.refresh_from_db()
    socket.refresh_from_db()
    return Month(switch, socket)
