"""Quantities of material: checking what is typed, and what a kit holds or a made piece uses.

Pure functions on a ``BomLine``: a whole unit (个, 件, 张, 套) in whole numbers, a measured one (米, 千克) to
0.001; what is handed over is rounded up to that.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import QTY_PLACES, BomLine

# Larger than any count of material a workshop handles; also keeps ``quantize`` from overflowing (1e30).
TOO_LARGE = Decimal("1e11")


def decimal_in(value, field: str) -> Decimal:
    """``value`` (text or number) as a finite Decimal below ``TOO_LARGE`` in size; ValidationError in
    words otherwise (not a number, NaN, Infinity, 1e30)."""
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请输入数字。")}) from None
    if not d.is_finite():
        raise ValidationError({field: _("请输入数字。")})
    if abs(d) >= TOO_LARGE:
        raise ValidationError({field: _("数量太大。")})
    return d


# One movement of a material is at most this many units: a job's million pieces at a hundred parts each.
MAX_QUANTITY = Decimal("100000000")


def quantity(line: BomLine, value, field: str = "quantity") -> Decimal:
    """``value`` as a quantity of ``line``'s material (Decimal > 0, at most ``MAX_QUANTITY``): whole for a
    whole unit, at most 3 places for a measured one. Raises ValidationError in words otherwise."""
    q = decimal_in(value, field)
    if q <= 0:
        raise ValidationError({field: _("数量必须大于0。")})
    if q > MAX_QUANTITY:  # a trial typed 1e10 buttons short: a slip of the thumb, not a count
        raise ValidationError({field: _("数量太大了,请看一下是不是多按了几个数字。")})
    if line.whole and q != q.to_integral_value():
        raise ValidationError(
            {field: _("%(m)s按%(u)s计,只能是整数。") % {"m": line.material, "u": line.get_unit_display()}}
        )
    if q != q.quantize(QTY_PLACES):
        raise ValidationError({field: _("数量最多3位小数。")})
    return q


def shown(line: BomLine, q: Decimal) -> str:
    """``q`` as a person reads it in ``line``'s unit: 40, never 4E+1; 10.5, not 10.500."""
    return format(q.to_integral_value(), "f") if line.whole else format(q.normalize(), "f")


# One receipt, even confirmed as over (确认超收), is at most this many times what the whole job needs, plus
# this many units: room for spares, a roll of cloth, or a whole carton for a small job (it needs 1 box, the
# firm sends a carton of 10: 10 × 1 + 10 = 20). A count beyond it is a slip of the thumb (a trial confirmed
# 100 million against 101), or stock for other jobs, to be received on those jobs.
RECEIPT_TIMES = 10
RECEIPT_SPARE = Decimal(10)


def receipt_check(
    line: BomLine, *, needed: Decimal, received: Decimal, q: Decimal, over_pct: int, confirmed: bool
) -> None:
    """Refuse in words a receipt of ``q`` of ``line``'s material on top of ``received`` against ``needed``
    (the job's kit with its allowed loss): ``q`` above ``RECEIPT_TIMES`` × needed + ``RECEIPT_SPARE``
    always; a total above ``over_pct`` % more than needed unless ``confirmed`` (a typo is likelier than a
    gift: the words say to tick 确认超收 if the count is right). Raises ValidationError on ``quantity``."""
    numbers = {"m": line.material, "n": shown(line, needed), "r": shown(line, received), "q": shown(line, q)}
    numbers["u"] = line.get_unit_display()
    most = needed * RECEIPT_TIMES + RECEIPT_SPARE
    if q > most:
        numbers["c"] = shown(line, most)
        words = _(
            "这张单的%(m)s一共只要 %(n)s%(u)s,一次收 %(q)s%(u)s 太多了(一次最多 %(c)s%(u)s),"
            "确认超收也不能收。请核对数量;别的单用的料请在那张单上收。"
        )
        raise ValidationError({"quantity": words % numbers})
    if not confirmed and received + q > needed * (1 + Decimal(over_pct) / 100):
        words = _(
            "这张单的%(m)s一共只要 %(n)s%(u)s,已收 %(r)s%(u)s,再收 %(q)s%(u)s 就多出太多。"
            "如果确实点清是这么多,请勾选“确认超收”再提交。"
        )
        raise ValidationError({"quantity": words % numbers})


def _round_up(line: BomLine, value: Decimal) -> Decimal:
    """``value`` rounded up to what can be handed over: a whole number of a whole unit, else 0.001."""
    if line.whole:
        return Decimal(math.ceil(value))
    return value.quantize(QTY_PLACES, rounding=ROUND_CEILING)


def kit_share(line: BomLine, pieces: int, before: int = 0) -> Decimal:
    """The kit of a share of ``pieces`` when ``before`` pieces of the job's shares had theirs
    (``selectors.KitPlan``): the kit of all of them less the kit of those before,
    ``kit_quantity(before + pieces) − kit_quantity(before)``. Rounded on the running total, the kits of
    a job's shares add up to the job's own kit (``kit_quantity`` of its quantity) however it is split:
    four shares of 25 panels at 0.5 % get 26, 25, 25, 25 = 101, where each rounded on its own (26 each)
    would need 104 and leave the last worker without her kit. Decimal, units of the line."""
    return kit_quantity(line, before + pieces) - kit_quantity(line, before)


def kit_quantity(line: BomLine, pieces: int) -> Decimal:
    """What a kit for ``pieces`` holds of ``line``: per piece × pieces plus the allowed loss, rounded up
    to whole units (or 0.001 of a measured one). ``kit_quantity(1 面板 at 0.5 %, 100) == 101``."""
    return _round_up(line, line.per_piece * pieces * (1 + line.loss_pct / 100))


def use_for(line: BomLine, pieces: int) -> Decimal:
    """What ``pieces`` made pieces use of ``line`` by the bill of materials, rounded up to what can be
    handed over (0.05 box a piece: 3 pieces use 1 box, 20 pieces 1 box, 21 pieces 2)."""
    return _round_up(line, line.per_piece * pieces)
