"""Reading a spreadsheet into text and cells into values, before anything is looked up in the database.

:func:`read_table` turns an .xlsx or .csv into a :class:`Table` of strings (:func:`norm`: NFKC, ISO
dates, no ``.0``), :func:`find_header` finds the header row under any merged title rows and maps its
columns to fields (the synonyms in ``vocabulary``), and the ``parse_*`` functions turn one cell into a
checked value or raise :class:`CellError` with the problem in Chinese. ``checking`` puts these together
into a preview.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from workshop.validators import validate_credit_code, validate_mainland_mobile

from .vocabulary import KIND_WORDS, LABELS, NO, YES

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SCAN_ROWS = 20


# --- headers ------------------------------------------------------------------------------------------


def norm(value) -> str:
    """A cell as text: NFKC (full-width digits and letters to half-width, ideographic spaces to spaces),
    stripped; integral numbers without ``.0``; dates as ISO; None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time.min else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_key(text: str) -> str:
    text = norm(text).replace("*", "").replace("※", "")
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"\((?:选填|必填|可选|可不填|如有)\)", "", text)
    return text.lower()


def _lookup(headers: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {}
    for name, synonyms in headers.items():
        for s in synonyms:
            table.setdefault(_header_key(s), name)
    return table


def map_header(cells: list[str], headers: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Field name → column index for a header row. Tries each cell whole, without a bracketed unit
    ("每周小时(小时)"), then each part of "手机号/联系电话"; the first column wins for a field."""
    table = _lookup(headers)
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = _header_key(cell)
        if not key:
            continue
        candidates = [key, re.sub(r"\(.*?\)", "", key)]
        candidates += [p for p in re.split(r"[/、|]", candidates[1]) if p]
        for c in candidates:
            name = table.get(c)
            if name and name not in found:
                found[name] = i
                break
    return found


# --- reading files --------------------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet as text: ``rows`` are (spreadsheet row number, cells), blank rows already dropped."""

    rows: list[tuple[int, list[str]]]


def read_table(filename: str, data: bytes) -> Table:
    """Read an .xlsx (first sheet with content; formulas as their values; date cells as dates) or a .csv
    (UTF-8 or GB18030; comma, tab or semicolon) into text. Raises ValidationError for another format or
    a file that cannot be read."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件太大(超过5MB),请拆分后再导入。"), code="too_big")
    name = filename.lower()
    if name.endswith(".xlsx") or name.endswith(".xlsm") or data[:2] == b"PK":
        raw = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        raw = _read_csv(data)
    elif name.endswith(".xls") or name.endswith(".et") or name.endswith(".wps"):
        raise ValidationError(
            _("不支持旧版 .xls 文件,请在 Excel/WPS 里另存为 .xlsx 或 .csv 后再导入。"), code="xls"
        )
    else:
        raise ValidationError(_("只能导入 .xlsx 或 .csv 文件。"), code="format")
    rows = []
    for number, cells in raw:
        text = [norm(c) for c in cells]
        if any(text):
            rows.append((number, text))
        if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
            raise ValidationError(
                _("一次最多导入%(n)d行,请拆分后再导入。") % {"n": MAX_ROWS}, code="too_many_rows"
            )
    return Table(rows=rows)


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValidationError(_("无法读取这个 Excel 文件,请确认是 .xlsx 格式。"), code="unreadable") from exc
    for sheet in book.worksheets:
        rows = [(i, list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
        if any(any(c not in (None, "") for c in cells) for _i, cells in rows):
            return rows
    return []


def _read_csv(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("无法识别文件编码,请另存为 UTF-8 的 CSV。"), code="encoding")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return [(i, row) for i, row in enumerate(reader, start=1)]


def find_header(table: Table, headers: dict[str, tuple[str, ...]], key: str) -> tuple[int, dict[str, int]]:
    """The index (in ``table.rows``) of the header row: the first of the first 20 rows that names the key
    column and at least one other known column; and its column map. Raises ValidationError if none."""
    for index, (_number, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        columns = map_header(cells, headers)
        if key in columns and len(columns) >= 2:
            return index, columns
    raise ValidationError(
        _("没有找到表头行:前20行里应有一行写着“%(key)s”等列名。") % {"key": LABELS[key]}, code="no_header"
    )


# --- values -----------------------------------------------------------------------------------------------

DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class CellError(Exception):
    """One cell's problem, in words."""


def parse_mobile(text: str) -> str:
    """A resident's phone as E.164, checked by ``validate_mainland_mobile`` (the forms' validator)."""
    if not text:
        raise CellError(_("请填写手机号"))
    compact = re.sub(r"[\s\-—–()()]", "", text)
    if re.fullmatch(r"86\d{11}", compact):
        compact = "+" + compact
    try:
        number = PhoneNumber.from_string(compact, region="CN")
        validate_mainland_mobile(number)
    except (phonenumbers.NumberParseException, ValidationError) as exc:
        raise CellError(_("手机号“%(v)s”不是11位大陆手机号") % {"v": text}) from exc
    return number.as_e164


def parse_contact_phone(text: str) -> str:
    """A firm's contact phone (mobile or landline) as E.164, or "" when blank."""
    if not text:
        return ""
    compact = re.sub(r"[\s\-—–()()]", "", text)
    try:
        number = PhoneNumber.from_string(compact, region="CN")
    except phonenumbers.NumberParseException as exc:
        raise CellError(_("联系电话“%(v)s”无效") % {"v": text}) from exc
    if not number.is_valid():
        raise CellError(_("联系电话“%(v)s”无效") % {"v": text})
    return number.as_e164


def parse_int(text: str, label: str, *, low: int, high: int, required: bool = True) -> int | None:
    if not text:
        if required:
            raise CellError(_("请填写%(f)s") % {"f": label})
        return None
    cleaned = re.sub(r"(小时|个小时|h|件|人|个|左右|约|大约)", "", text, flags=re.IGNORECASE).strip()
    try:
        number = float(cleaned)
    except ValueError as exc:
        raise CellError(_("%(f)s“%(v)s”不是数字") % {"f": label, "v": text}) from exc
    if not number.is_integer() or not low <= number <= high:
        raise CellError(_("%(f)s应为%(a)d到%(b)d之间的整数") % {"f": label, "a": low, "b": high})
    return int(number)


def parse_date(text: str, label: str, *, required: bool = True) -> dt.date | None:
    """2022年8月1日, 2022/8/1, 2022.8.1, 2022-08-01, 20220801, an ISO date-time, or an Excel serial."""
    if not text:
        if required:
            raise CellError(_("请填写%(f)s") % {"f": label})
        return None
    value = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
    for pattern in DATE_PATTERNS:
        m = pattern.match(value)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    else:
        if re.fullmatch(r"\d{5}", value) and 20000 < int(value) < 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    raise CellError(_("%(f)s“%(v)s”看不懂,请写成 2022-08-01") % {"f": label, "v": text})


def parse_kind(text: str, label: str) -> str:
    if not text:
        raise CellError(_("请填写%(f)s") % {"f": label})
    kind = KIND_WORDS.get(text.lower()) or KIND_WORDS.get(text)
    if kind is None:
        raise CellError(
            _("%(f)s“%(v)s”无法识别(可填:零件装配、布料加工、产品包装、其他)") % {"f": label, "v": text}
        )
    return kind


def parse_skills(text: str) -> list[str]:
    if not text:
        raise CellError(_("请填写技能"))
    kinds = set()
    for word in (w for w in re.split(r"[,,、;;/\s和及+]+", text) if w):
        kind = KIND_WORDS.get(word.lower()) or KIND_WORDS.get(word)
        if kind is None:
            raise CellError(_("技能“%(v)s”无法识别(可填:零件装配、布料加工、产品包装、其他)") % {"v": word})
        kinds.add(kind)
    return sorted(kinds)


def parse_choice(text: str, words: dict[str, str], label: str, *, default: str | None = None) -> str:
    if not text:
        if default is not None:
            return default
        raise CellError(_("请填写%(f)s") % {"f": label})
    value = words.get(text) or words.get(text.lower())
    if value is None:
        raise CellError(_("%(f)s“%(v)s”看不懂") % {"f": label, "v": text})
    return value


def parse_yes_no(text: str, label: str) -> bool | None:
    """True, False, or None for a blank cell."""
    if not text:
        return None
    low = text.lower()
    if low in YES:
        return True
    if low in NO:
        return False
    raise CellError(_("%(f)s“%(v)s”请填“是”或“否”") % {"f": label, "v": text})


def parse_credit_code(text: str) -> str:
    code = re.sub(r"\s", "", text).upper()
    if not code:
        raise CellError(_("请填写统一社会信用代码"))
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        raise CellError(_("统一社会信用代码“%(v)s”无效(应为18位,校验位正确)") % {"v": text}) from exc
    return code
