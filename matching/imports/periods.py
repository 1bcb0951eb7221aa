"""Dates and periods as communities write them: 2022年8月1日, 2022/8/1, 2022.8.1, 20220801, an Excel
serial, "即日起"; and a demand's period in words: "9月到12月", "2025年9月-2026年1月", "9-12月", "9月起",
"长期".

A month without a year is this year's (``today``'s), unless the period would already be over: a list is
written for the months ahead, so "3月到6月" typed in November is next year's; a period whose end month
comes before its start month ("11月到次年2月", "11月-2月") ends the year after. "长期" starts ``today`` and
has no end. Every parser raises :class:`CellError` in words.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .quantities import CellError

PERIOD_HELP = _lazy("“%(v)s”看不懂,请写成 9月到12月、2025-09-01到2025-12-31 或 长期")

DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
LONG_TERM = {"长期", "常年", "长期有效", "长期需要", "长年", "不限", "不定期", "长期合作", "无限期"}
NO_END = LONG_TERM | {"无", "待定", "未定", "-", "/", "—", "不确定"}
FROM_NOW = {"即日", "即日起", "现在", "马上", "立即", "随时", "即时", "当即", "今天", "现在起", "立即开始"}
OPEN_END = re.compile(r"(?:起|开始|以后|之后|后)$")
SEPARATORS = re.compile(r"\s*(?:到|至|~|～|—|–|－)\s*")
CN_MONTHS = {
    "十二": 12, "十一": 11, "十": 10, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9, "正": 1, "腊": 12, "冬": 11,
}  # fmt: skip
CN_MONTH = re.compile(r"(十二|十一|十|正|腊|冬|[一二三四五六七八九])月")
MONTH_POINT = re.compile(
    r"^(?:(\d{4})\s*[年/.\-]\s*)?(\d{1,2})\s*(?:月份?)?\s*(?:(\d{1,2})\s*[日号])?\s*(初|中|底|末)?$"
)
YEAR_END = re.compile(r"^(?:(\d{4})\s*年)?(?:年底|年末|年终)$")


def _clean(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "").strip()
    t = CN_MONTH.sub(lambda m: f"{CN_MONTHS[m.group(1)]}月", t)
    return t.replace("次年", "").replace("份", "")


def parse_date(text: str, *, today: dt.date | None = None, required: bool = True) -> dt.date | None:
    """2022年8月1日, 2022/8/1, 2022.8.1, 2022-08-01, 20220801, an ISO date-time, an Excel serial, or
    (with ``today``) "即日起" / "9月1日" (this year) / "2025年9月" (its first day). None for a blank cell
    when not ``required``. Raises CellError."""
    if not text:
        if required:
            raise CellError(_("没有填写"))
        return None
    value = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
    for pattern in DATE_PATTERNS:
        m = pattern.match(value)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise CellError(_("“%(v)s”不是存在的日期") % {"v": text}) from exc
    if re.fullmatch(r"\d{5}", value) and 20000 < int(value) < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    if today is not None:
        cleaned = OPEN_END.sub("", _clean(value))
        if cleaned in FROM_NOW or value in FROM_NOW:
            return today
        point = _point(cleaned, last=False)
        if point is not None:
            year, month, day = point
            return _resolve(year or today.year, month, day, last=False, text=text)
    raise CellError(_("“%(v)s”看不懂,请写成 2022-08-01") % {"v": text})


def parse_end_date(text: str, *, today: dt.date) -> dt.date | None:
    """An end date, or None for a blank cell or "长期"/"待定"; a month ("12月", "2025年12月") means its
    last day. Raises CellError."""
    if not text or unicodedata.normalize("NFKC", text).strip() in NO_END:
        return None
    point = _point(_clean(text), last=True)
    if point is not None and point[2] is None:
        return _resolve(point[0] or today.year, point[1], None, last=True, text=text)
    return parse_date(text, today=today, required=False)


def parse_period(text: str, *, today: dt.date) -> tuple[dt.date, dt.date | None]:
    """A period in words → (start, end or None). "长期" → (today, None); "9月起" → (9月1日, None);
    "9月到12月" → (9月1日, 12月31日); "9月" → that month; a single date → (that day, None).
    Raises CellError."""
    t = _clean(text)
    if not t:
        raise CellError(_("没有填写"))
    if t in LONG_TERM or t in FROM_NOW:
        return today, None
    if OPEN_END.search(t) and not SEPARATORS.search(t):
        head = OPEN_END.sub("", t)
        start = parse_date(head, today=today)
        point = _point(head, last=False)
        if point is not None and point[0] is None:
            start = _ahead(start, None, today)[0]
        return start, None
    parts = SEPARATORS.split(t)
    if len(parts) == 1:
        parts = _split_dash(t)
    if len(parts) == 2:
        left, right = (p.strip() for p in parts)
        if right in LONG_TERM or right == "":
            return parse_date(left, today=today), None
        return _range(left, right, today=today, text=text)
    if len(parts) == 1:
        point = _point(t, last=False)
        if point is not None and point[2] is None:  # a month alone: the whole month
            return _range(t, t, today=today, text=text)
        try:
            return parse_date(t, today=today), None
        except CellError:
            pass
    raise CellError(PERIOD_HELP % {"v": text})


def _split_dash(t: str) -> list[str]:
    """ "9-12月", "2025.9-2025.12", "2025-09-01-2025-12-31": the dash that splits two points."""
    for i, ch in enumerate(t):
        if ch == "-" and _point_or_date(t[:i]) and _point_or_date(t[i + 1 :]):
            return [t[:i], t[i + 1 :]]
    return [t]


def _point_or_date(t: str) -> bool:
    if _point(t, last=False) is not None or re.fullmatch(r"\d{1,2}", t):
        return True
    return any(p.match(t) for p in DATE_PATTERNS)


def _point(t: str, *, last: bool) -> tuple[int | None, int, int | None] | None:
    """(year or None, month, day or None) of "2025年9月", "9月", "9月15日", "12月底", "2025.9", "年底"."""
    t = t.strip()
    m = YEAR_END.match(t)
    if m:
        return (int(m.group(1)) if m.group(1) else None), 12, 31
    for pattern in DATE_PATTERNS:
        d = pattern.match(t)
        if d:
            return int(d.group(1)), int(d.group(2)), int(d.group(3))
    m = MONTH_POINT.match(t)
    if not m or ("月" not in t and not m.group(1)):
        return None
    year, month = (int(m.group(1)) if m.group(1) else None), int(m.group(2))
    day = int(m.group(3)) if m.group(3) else None
    if m.group(4) in ("底", "末"):
        day = 31
    elif m.group(4) == "初":
        day = 1
    elif m.group(4) == "中":
        day = 15
    if not 1 <= month <= 12:
        return None
    return year, month, day


def _resolve(year: int, month: int, day: int | None, *, last: bool, text: str) -> dt.date:
    final = calendar.monthrange(year, month)[1]
    if day is None:
        day = final if last else 1
    try:
        return dt.date(year, month, min(day, final) if day == 31 else day)
    except ValueError as exc:
        raise CellError(_("“%(v)s”不是存在的日期") % {"v": text}) from exc


def _range(left: str, right: str, *, today: dt.date, text: str) -> tuple[dt.date, dt.date]:
    a, b = _point(left, last=False), _point(right, last=True)
    if b is None and re.fullmatch(r"\d{1,2}", right) and a is not None:
        b = (None, int(right), None)
    if a is None and re.fullmatch(r"\d{1,2}", left) and b is not None:  # "9-12月"
        a = (None, int(left), None)
    if OPEN_END.sub("", left) in FROM_NOW:
        a = (today.year, today.month, today.day)
    if a is None or b is None:
        raise CellError(PERIOD_HELP % {"v": text})
    start_year = a[0] or b[0] or today.year
    end_year = b[0] or start_year
    if b[0] is None and (b[1], b[2] or 31) < (a[1], a[2] or 1):
        end_year = start_year + 1  # "11月到2月": into the next year
    start = _resolve(start_year, a[1], a[2], last=False, text=text)
    end = _resolve(end_year, b[1], b[2], last=True, text=text)
    if a[0] is None and b[0] is None:
        start, end = _ahead(start, end, today)
    if end < start:
        raise CellError(_("“%(v)s”结束早于开始") % {"v": text})
    return start, end


def _ahead(start: dt.date, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date | None]:
    """A period written without a year that would already be over is next year's."""
    if (end or start) < today.replace(day=1):
        start = _next_year(start)
        end = _next_year(end) if end else None
    return start, end


def _next_year(day: dt.date) -> dt.date:
    final = calendar.monthrange(day.year + 1, day.month)[1]
    return day.replace(year=day.year + 1, day=min(day.day, final))
