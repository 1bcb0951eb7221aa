"""A job's bill of materials (物料清单): the firm's typed lines checked and written with the job, and the
last job's list its issue form starts from. Quantities per piece are ``Decimal`` in the line's unit; a
price per unit lost is yuan. Errors: ``ValidationError`` naming the row, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import BomLine, Unit
from .quantities import decimal_in


@dataclass(frozen=True)
class BomInput:
    """One line of a bill of materials as typed: ``per_piece``, ``loss_pct`` and ``unit_price`` (yuan per
    unit lost beyond the allowance) as Decimal or text."""

    material: str
    unit: str
    per_piece: Decimal | str
    loss_pct: Decimal | str = Decimal("0")
    unit_price: Decimal | str = Decimal("0")


# --- the bill of materials -----------------------------------------------------------------------------


def bom_input_check(raw: BomInput, n: int) -> BomInput:
    """One typed line of a bill of materials, checked and cleaned (name stripped, ``per_piece`` and
    ``loss_pct`` as Decimal): a material name (≤ 100 characters), a unit of ``Unit``, a quantity per piece
    > 0 with at most 4 places, an allowed loss from 0 to 100 % with at most 2, a price per unit lost beyond
    it ≥ 0 yuan with at most 4 places (blank = 0); the quantity and the price below 10,000,000 (more is
    said to be too large). ``n`` is the row's number as the person typing sees it (the issue form checks
    each row before anything is written). Writes nothing. Raises ValidationError naming the row."""
    name = (raw.material or "").strip()
    where = _("物料第%(n)d行") % {"n": n}
    if not name or len(name) > 100:
        raise ValidationError(_("%(w)s:请填写物料名称(最多100字)。") % {"w": where})
    if raw.unit not in Unit.values:
        raise ValidationError(_("%(w)s:单位不对。") % {"w": where})
    try:
        per_piece = decimal_in(raw.per_piece, "per_piece")
        loss = decimal_in(raw.loss_pct or "0", "loss_pct")
        price = decimal_in(raw.unit_price or "0", "unit_price")
    except ValidationError as bad:
        raise ValidationError(_("%(w)s:%(why)s") % {"w": where, "why": " ".join(bad.messages)}) from None
    for value, what in ((per_piece, _("每件用量")), (price, _("超耗赔付单价(元/单位)"))):
        if value >= Decimal("1e7"):  # a slip of the thumb, said so (not "at most 4 places")
            raise ValidationError(
                _("%(w)s:%(f)s太大了,请看一下是不是多按了几个数字。") % {"w": where, "f": what}
            )
    if per_piece <= 0 or per_piece != per_piece.quantize(Decimal("0.0001")):
        raise ValidationError(_("%(w)s:每件用量必须大于0,最多4位小数。") % {"w": where})
    if not Decimal("0") <= loss <= Decimal("100") or loss != loss.quantize(Decimal("0.01")):
        raise ValidationError(_("%(w)s:损耗率在0到100之间,最多2位小数。") % {"w": where})
    if price < 0 or price != price.quantize(Decimal("0.0001")):
        raise ValidationError(_("%(w)s:超耗赔付单价不能小于0,最多4位小数。") % {"w": where})
    return BomInput(name, raw.unit, per_piece, loss, price)


def bom_lines_create(*, job, lines: Sequence[BomInput]) -> list[BomLine]:
    """Write ``job``'s bill of materials (物料清单) from ``lines``, in the caller's transaction (the firm's
    issue). Each line as ``bom_input_check`` wants it; a material appears once per unit. Raises
    ValidationError naming the line."""
    made, seen = [], set()
    for n, raw in enumerate(lines, start=1):
        clean = bom_input_check(raw, n)
        if (clean.material, clean.unit) in seen:
            raise ValidationError(
                _("%(w)s:%(m)s重复了。") % {"w": _("物料第%(n)d行") % {"n": n}, "m": clean.material}
            )
        seen.add((clean.material, clean.unit))
        made.append(
            BomLine(
                job=job,
                material=clean.material,
                unit=clean.unit,
                per_piece=clean.per_piece,
                loss_pct=clean.loss_pct,
                unit_price=clean.unit_price,
            )
        )
    return BomLine.objects.bulk_create(made)


def bom_of_last_job(line) -> list[BomInput]:
    """The bill of materials of the newest job of production ``line`` that has one: what the firm's issue
    form starts from. [] when no job of the line had one."""
    last = (
        BomLine.objects.filter(job__line=line)
        .order_by("-job__issued_at", "-job_id")
        .values_list("job_id", flat=True)
        .first()
    )
    if last is None:
        return []
    return [
        BomInput(b.material, b.unit, b.per_piece, b.loss_pct, b.unit_price)
        for b in BomLine.objects.filter(job_id=last).order_by("id")
    ]
