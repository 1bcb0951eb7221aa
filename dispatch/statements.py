"""The figures of a firm's monthly statement (对账单) with one workshop, read from the ledgers.

Per firm, workshop and month (Asia/Shanghai):

- a line per job: passed pieces (the pay lines booked in the month, ``pay.models.PayLine``, signed, so a
  correction line counts), the job's piece rate (加工费, yuan/piece), the amount (pieces × rate, half-up
  to the fen), the rework pieces sent back by inspections booked in the month, and the operator's fee
  (pieces × the job's fee per piece, to the fen);
- a line per material of a job that moved in the month (``materials.selectors.month_losses``): loss
  beyond the allowance charged at the bill's ``unit_price`` (yuan per unit). The month's charge is the
  amount over at the month's end less the amount over at its start, each half-up to the fen, so the
  months add up to the whole loss exactly (and a later month gives back what more use allows);
- totals: 加工费合计 (Σ job amounts), 材料超耗扣款 (Σ material charges), 运营服务费 (Σ job fees: the
  workshop's margin inside the 加工费, not added to it), 应付合计 = 加工费合计 − 材料超耗扣款.

Reads only; ``dispatch.services.statements`` freezes them into a ``pay.models.FirmStatement``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Sum

from materials.models import Movement
from materials.selectors import month_losses
from pay import money
from pay.models import PayLine
from workshop import dates

from .models import InspectionResult, Job

ZERO = Decimal("0")


@dataclass
class JobLine:
    """One job on a statement. Pieces are int; ``rate``, ``fee_per_piece`` and ``worker_rate`` Decimal
    yuan per piece (4 places); ``amount`` and ``fee_yuan`` Decimal yuan to the fen."""

    job_id: int
    title: str
    pieces_passed: int
    rate: Decimal
    amount: Decimal
    rework_pieces: int
    fee_per_piece: Decimal
    fee_yuan: Decimal
    worker_rate: Decimal


@dataclass
class MaterialLine:
    """One material of one job on a statement. Quantities are Decimal in ``unit`` (a
    ``materials.models.Unit`` code): ``received`` in the month, the rest to the month's end;
    ``unit_price`` Decimal yuan per unit; ``deduction_yuan`` the month's charge (Decimal yuan to the fen;
    negative gives back)."""

    job_id: int
    job_title: str
    material: str
    unit: str
    received: Decimal
    consumed: Decimal
    returned_to_firm: Decimal
    scrapped: Decimal
    lost: Decimal
    allowed: Decimal
    over: Decimal
    over_before: Decimal
    unit_price: Decimal
    deduction_yuan: Decimal


@dataclass
class Figures:
    """A statement's lines and totals (see the module's docstring for each figure)."""

    jobs: list[JobLine] = field(default_factory=list)
    materials: list[MaterialLine] = field(default_factory=list)
    pieces_passed: int = 0
    rework_pieces: int = 0
    processing_yuan: Decimal = Decimal("0.00")
    material_deduction_yuan: Decimal = Decimal("0.00")
    operator_fee_yuan: Decimal = Decimal("0.00")
    payable_yuan: Decimal = Decimal("0.00")

    @property
    def empty(self) -> bool:
        return not self.jobs and not self.materials

    def lines_json(self) -> dict:
        """The lines as JSON-ready data: ``{"jobs": [...], "materials": [...]}``, Decimals as strings."""
        return {
            "jobs": [_plain(asdict(j)) for j in self.jobs],
            "materials": [_plain(asdict(m)) for m in self.materials],
        }


def _plain(row: dict) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    """The month of ``month`` as (first day, first day of the next month, and the two as aware
    Asia/Shanghai datetimes)."""
    first = dates.month_start(month)
    nxt = dates.next_month(first)
    return first, nxt, dates.local_midnight(first), dates.local_midnight(nxt)


def statement_figures(*, firm_id: int, workshop_id: int, month: dt.date) -> Figures:
    """The statement of firm ``firm_id`` with workshop ``workshop_id`` for the month of ``month``, from the
    pay ledger and the materials ledger as they stand now. Five queries, whatever the number of lines."""
    first, nxt, start, end = month_bounds(month)
    pieces = dict(
        PayLine.objects.filter(
            assignment__job__line__firm_id=firm_id,
            assignment__job__workshop_id=workshop_id,
            booked_on__gte=first,
            booked_on__lt=nxt,
        )
        .values_list("assignment__job_id")
        .annotate(p=Sum("pieces_passed"))
        .order_by()
    )
    rework = dict(
        InspectionResult.objects.filter(
            inspection__job__line__firm_id=firm_id,
            inspection__job__workshop_id=workshop_id,
            inspection__booked_at__gte=start,
            inspection__booked_at__lt=end,
            pieces_rework__gt=0,
        )
        .values_list("inspection__job_id")
        .annotate(r=Sum("pieces_rework"))
        .order_by()
    )
    out = Figures()
    for job in Job.objects.filter(pk__in=set(pieces) | set(rework)).order_by("pk"):
        n = int(pieces.get(job.pk) or 0)
        line = JobLine(
            job_id=job.pk,
            title=job.title,
            pieces_passed=n,
            rate=job.piece_rate,
            amount=money.firm_amount(n, job.piece_rate),
            rework_pieces=int(rework.get(job.pk) or 0),
            fee_per_piece=job.operator_fee_per_piece,
            fee_yuan=money.firm_amount(n, job.operator_fee_per_piece),
            worker_rate=job.worker_rate,
        )
        out.jobs.append(line)
    moved = (
        Movement.objects.filter(
            job__line__firm_id=firm_id, job__workshop_id=workshop_id, at__gte=start, at__lt=end
        )
        .values_list("job_id", flat=True)
        .distinct()
        .order_by()
    )
    for acc in month_losses(set(moved), start, end):
        if not acc.moved:
            continue
        b = acc.line
        price = b.unit_price
        charge = money.to_yuan(acc.over * price) - money.to_yuan(acc.over_before * price)
        out.materials.append(
            MaterialLine(
                job_id=b.job_id,
                job_title=b.job.title,
                material=b.material,
                unit=b.unit,
                received=acc.received,
                consumed=acc.consumed,
                returned_to_firm=acc.returned_to_firm,
                scrapped=acc.scrapped,
                lost=acc.lost,
                allowed=acc.allowed,
                over=acc.over,
                over_before=acc.over_before,
                unit_price=price,
                deduction_yuan=charge,
            )
        )
    out.pieces_passed = sum(j.pieces_passed for j in out.jobs)
    out.rework_pieces = sum(j.rework_pieces for j in out.jobs)
    out.processing_yuan = money.yuan_sum(j.amount for j in out.jobs)
    out.operator_fee_yuan = money.yuan_sum(j.fee_yuan for j in out.jobs)
    out.material_deduction_yuan = money.yuan_sum(m.deduction_yuan for m in out.materials)
    out.payable_yuan = out.processing_yuan - out.material_deduction_yuan
    return out
