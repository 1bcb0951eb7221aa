"""Numbers as communities write them in a cell: counts with 万/千, Chinese numerals, units and ranges,
and piece rates in yuan, jiao and fen.

- :func:`parse_count`: "1.5万件" → 15000, "两千" → 2000, "3,000" → 3000, "约40个钟头" → 40, "20-30" → 20
  (a range counts as its lower end, and says so).
- :func:`parse_pieces_per_week`: a weekly count, or a monthly one ("每月1.5万件", or a monthly column)
  turned weekly: × 12 / 52 (a month is 52/12 weeks), half-up to the piece.
- :func:`parse_rate`: "0.12元/件", "¥0.12", "每件1毛2", "1角2分", "5分" → yuan per piece, at most 4 places
  (the places of ``Job.piece_rate``).

Chinese numerals are read by cn2an ("smart" mode: "一万五" → 15000, "1万2" → 12000). Every parser raises
:class:`CellError` with the problem in words, never naming the column: the preview names it.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an
from django.utils.translation import gettext as _


class CellError(Exception):
    """One cell's problem, in words (the preview adds the row and the column)."""


class Parsed:
    """A value read from a cell, with a note when the reading was not literal ("按少的算", "每月→每周")."""

    __slots__ = ("note", "value")

    def __init__(self, value, note: str = ""):
        self.value, self.note = value, note


CN_NUMERALS = set("零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿卅点")
MULTIPLIERS = {"万": 10_000, "w": 10_000, "千": 1000, "k": 1000, "百": 100, "亿": 100_000_000}
APPROX = re.compile(r"^(?:大约|大概|约|近)|(?:左右|上下|以上|多|余|来)$")
RANGE = re.compile(r"^(.+?)\s*(?:-|~|～|—|–|到|至)\s*(.+)$")
THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
PLAIN = re.compile(r"^(\d+(?:\.\d+)?)([万千百亿kw]?)$")

PIECE_UNITS = ("件", "个", "只", "套", "双", "条", "pcs", "pc")
HOUR_UNITS = ("个钟头", "个小时", "钟头", "小时", "钟", "hrs", "hr", "h")
PEOPLE_UNITS = ("个人", "人", "名", "位", "个")
MONTH_MARK = re.compile(r"(?:/|每|一个?)月$|^(?:每|一个?)月")
WEEK_MARK = re.compile(r"(?:/|每|一)(?:周|星期)$|^(?:每|一)(?:周|星期)")


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


def _strip_units(text: str, units: tuple[str, ...]) -> str:
    for unit in sorted(units, key=len, reverse=True):
        text = text.replace(unit, "")
    return text


def number(text: str) -> Decimal:
    """A bare number: "1.5万", "3,000", "两千", "一万五", "12". Raises CellError."""
    t = _clean(text)
    while True:
        stripped = APPROX.sub("", t)
        if stripped == t:
            break
        t = stripped
    if THOUSANDS.match(t):
        t = t.replace(",", "")
    m = PLAIN.match(t)
    if m:
        return Decimal(m.group(1)) * MULTIPLIERS.get(m.group(2), 1)
    if t and all(ch.isdigit() or ch == "." or ch in CN_NUMERALS for ch in t):
        try:
            value = cn2an.cn2an(t, "smart")
        except (ValueError, KeyError, IndexError) as exc:
            raise CellError(_("“%(v)s”不是数字") % {"v": text}) from exc
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation as exc:
            raise CellError(_("“%(v)s”不是数字") % {"v": text}) from exc
    raise CellError(_("“%(v)s”不是数字") % {"v": text})


def _count(text: str, units: tuple[str, ...]) -> Parsed:
    t = _strip_units(_clean(text), units)
    m = RANGE.match(t)
    if m and not PLAIN.match(t):
        try:
            low, high = number(m.group(1)), number(m.group(2))
        except CellError:
            low = high = None
        if low is not None and high is not None and low <= high:
            return Parsed(low, _("“%(v)s”按少的%(n)s算") % {"v": text, "n": _fmt(low)})
    return Parsed(number(t))


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _whole(value: Decimal, text: str, *, low: int, high: int) -> int:
    if value != value.to_integral_value():
        raise CellError(_("“%(v)s”应为整数") % {"v": text})
    if not low <= value <= high:
        raise CellError(_("“%(v)s”应在%(a)d到%(b)d之间") % {"v": text, "a": low, "b": high})
    return int(value)


def parse_count(
    text: str, *, units: tuple[str, ...] = (), low: int = 1, high: int = 10_000_000, required: bool = True
) -> Parsed:
    """A whole count from a cell (Parsed.value an int, or None for a blank cell when not ``required``).
    ``units`` are words to drop ("件", "小时"). Raises CellError ("请填写", "不是数字", out of range)."""
    if not text:
        if required:
            raise CellError(_("没有填写"))
        return Parsed(None)
    parsed = _count(text, units)
    parsed.value = _whole(parsed.value, text, low=low, high=high)
    return parsed


WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


def parse_pieces_per_week(text: str, *, monthly: bool = False, high: int = 10_000_000) -> Parsed:
    """Pieces a week from a cell of a weekly column (a cell may still say "每月…") or, with ``monthly``,
    of a monthly column (a cell may still say "每周…"). A monthly count becomes weekly: × 12 / 52, half-up
    to the piece, at least 1; the note says so. None for a blank cell."""
    if not text:
        return Parsed(None)
    t = _clean(text)
    if MONTH_MARK.search(t):
        monthly, t = True, MONTH_MARK.sub("", t)
    elif WEEK_MARK.search(t):
        monthly, t = False, WEEK_MARK.sub("", t)
    parsed = _count(t, PIECE_UNITS)
    pieces = _whole(parsed.value, text, low=1, high=high * 5)
    if not monthly:
        if pieces > high:
            raise CellError(_("“%(v)s”应在%(a)d到%(b)d之间") % {"v": text, "a": 1, "b": high})
        return Parsed(pieces, parsed.note)
    weekly = max(1, int((Decimal(pieces) / WEEKS_PER_MONTH).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    note = _("每月%(m)d件,折合每周约%(w)d件") % {"m": pieces, "w": weekly}
    return Parsed(weekly, "; ".join(n for n in (parsed.note, note) if n))


# --- money ---------------------------------------------------------------------------------------------

YUAN_UNITS = {"元": Decimal("1"), "块": Decimal("1"), "角": Decimal("0.1"), "毛": Decimal("0.1")}
YUAN_UNITS |= {"分": Decimal("0.01"), "厘": Decimal("0.001")}
MONEY_TOKEN = re.compile(r"(\d+(?:\.\d+)?|[零一二两三四五六七八九十]+)(元|块|角|毛|分|厘)?")
PER_PIECE = re.compile(r"(?:/|每|一)(?:件|个|只|套|双|条|pcs|pc)$|^每(?:件|个|只|套)")
RATE_PLACES = Decimal("0.0001")


def parse_rate(text: str, *, high: Decimal = Decimal("1000")) -> Decimal | None:
    """Yuan per piece from "0.12元/件", "¥0.12", "0.12", "每件1毛2", "1角2分", "5分", "1块2"; None for a
    blank cell. At most 4 decimal places, more than 0 and at most ``high``. Raises CellError."""
    if not text:
        return None
    t = _clean(text)
    for mark in ("¥", "¥", "rmb", "人民币", "cny", "约"):
        t = t.replace(mark, "")
    t = PER_PIECE.sub("", t)
    t = PER_PIECE.sub("", t)
    pos, total, last_unit = 0, Decimal(0), None
    tokens = list(MONEY_TOKEN.finditer(t))
    if not tokens or "".join(m.group(0) for m in tokens) != t:
        raise CellError(_("“%(v)s”看不懂,请写成 0.12 或 0.12元/件") % {"v": text})
    for m in tokens:
        pos += 1
        amount = _money_number(m.group(1), text)
        unit = m.group(2)
        if unit is None:
            if last_unit is None:
                scale = Decimal(1)
            else:  # "1毛2": the bare number after a unit is in the next smaller one
                smaller = {"元": "角", "块": "角", "角": "分", "毛": "分", "分": "厘"}.get(last_unit)
                if smaller is None or pos != len(tokens):
                    raise CellError(_("“%(v)s”看不懂,请写成 0.12 或 0.12元/件") % {"v": text})
                scale = YUAN_UNITS[smaller]
        else:
            scale = YUAN_UNITS[unit]
            last_unit = unit
        total += amount * scale
    total = total.normalize()
    if total.as_tuple().exponent < -4:
        raise CellError(_("“%(v)s”最多4位小数(如 0.0350 元)") % {"v": text})
    if total <= 0:
        raise CellError(_("“%(v)s”要大于0") % {"v": text})
    if total > high:
        raise CellError(_("“%(v)s”超过%(h)s元一件,请核对") % {"v": text, "h": high})
    return total.quantize(RATE_PLACES)


def _money_number(token: str, text: str) -> Decimal:
    if token[0].isdigit():
        return Decimal(token)
    try:
        return Decimal(str(cn2an.cn2an(token, "smart")))
    except (ValueError, KeyError, IndexError) as exc:
        raise CellError(_("“%(v)s”看不懂,请写成 0.12 或 0.12元/件") % {"v": text}) from exc


DAYS_PER_WEEK = 6  # a per-day figure becomes weekly over six working days, and the preview says so


def parse_hours_per_day(text: str) -> Parsed:
    """Hours a week (int) from a cell of a per-day column ("3", "2.5小时", "三个钟头"): the day's hours
    (0.5–14, halves allowed) × ``DAYS_PER_WEEK``, half-up to the hour; the note says how it was counted.
    None for a blank cell. Raises CellError for text that is no number or out of range."""
    if not text:
        return Parsed(None)
    parsed = _count(text, HOUR_UNITS)
    day = parsed.value
    if not Decimal("0.5") <= day <= 14:
        raise CellError(_("“%(v)s”应在0.5到14小时之间(每天)") % {"v": text})
    weekly = int((day * DAYS_PER_WEEK).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    note = _("每天%(d)s小时,按每周%(n)d天折合每周%(w)d小时") % {
        "d": _fmt(day),
        "n": DAYS_PER_WEEK,
        "w": weekly,
    }
    return Parsed(weekly, "; ".join(n for n in (parsed.note, note) if n))
