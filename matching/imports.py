"""Importing the two lists from the spreadsheets communities keep (xlsx or csv), all or nothing.

Two steps, and nothing is written until the second:

1. :func:`preview` reads the file into a table of strings (:func:`read_table`), finds the header row under
   any merged title rows, maps Chinese headers and their synonyms to fields, then checks every row with
   the same validators the forms use (``workshop.validators``, phone parsing, the models' ``full_clean``)
   and returns the rows to create or update and the row errors in Chinese ("行 7: 手机号……").
2. :func:`commit` takes the same table back (signed, from the preview page), checks it again against the
   database as it is now, and writes every row in one transaction, or none when any row is refused.

Residents are matched by phone (one wish per phone) and firms by unified social credit code; a firm's
demand by firm, workshop and process kind among its open demands: importing a list again updates those
rows instead of adding new ones.

Tolerated: full-width digits and letters (NFKC), phones with spaces, dashes, ``+86`` or ``0086``, dates
such as 2022年8月1日, 2022/8/1, 2022.8.1, 2022-08-01, 20220801 or Excel date cells and serials, blank rows,
title rows above the header, csv in UTF-8 (with or without BOM) or GB18030 (what Chinese Excel saves).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.phonenumber import PhoneNumber

from workshop.models import PartnerFirm, ProcessKind, WishStatus, WorkPlace, Workshop, WorkWish
from workshop.validators import validate_credit_code, validate_mainland_mobile

from .models import (
    OPEN_DEMAND_STATES,
    DemandEntry,
    DemandPlace,
    DemandStatus,
    EntryEvent,
    EntrySubject,
    ImportBatch,
    ImportKind,
    SkillLevel,
    WishRecord,
    WishSource,
)
from .selectors import ListScope, scope_for

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SCAN_ROWS = 20
PAYLOAD_SALT = "nuanxin.matching.import"
PAYLOAD_MAX_AGE = 2 * 3600  # seconds a preview stays good for
IMPORT_CONSENT_VERSION = f"{WorkWish.CONSENT_VERSION}/import"


class ImportRefused(Exception):
    """The file (or, at commit, the database as it is now) refuses at least one row: nothing was written."""

    def __init__(self, preview: Preview):
        self.preview = preview
        super().__init__("; ".join(preview.messages[:5]))


# --- headers ------------------------------------------------------------------------------------------

WISH_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "居民姓名", "人员姓名", "户主姓名"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "电话", "电话号码", "联系方式", "移动电话"),
    "skills": ("技能", "会做的活", "技能特长", "特长", "擅长", "会做什么", "可做工序", "工种"),
    "hours": (
        "每周小时",
        "每周工时",
        "每周小时数",
        "每周可做小时",
        "每周可做",
        "每周能做",
        "每周能做小时",
        "每周可用工时",
        "每周可用时间",
        "可用时间",
        "时长",
    ),
    "place": (
        "在家/到坊",
        "到坊/在家",
        "居家/到坊",
        "在家或到坊",
        "做工地点",
        "工作地点",
        "地点",
        "做工方式",
    ),
    "area": ("片区", "居住片区", "所在片区", "小区", "居住小区", "网格", "所在网格", "住址", "居住地"),
    "low_income": ("低收入", "是否低收入", "低收入户", "低收入家庭", "是否低收入户"),
    "consent": ("本人同意", "同意", "是否同意", "已签同意书", "同意书"),
}
WISH_KEY, WISH_REQUIRED = "phone", ("name", "phone", "skills", "hours", "place", "area")

DEMAND_HEADERS: dict[str, tuple[str, ...]] = {
    "firm_name": ("企业名称", "企业", "企业全称", "公司名称", "公司", "单位名称", "单位"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "统一代码"),
    "contact": ("联系人", "企业联系人"),
    "contact_phone": ("联系电话", "联系人电话", "电话", "手机号", "手机", "联系方式"),
    "kind": ("工序", "工序类别", "加工工序", "加工类型", "活的种类", "工种"),
    "title": ("品名", "产品", "工作内容", "加工内容", "品名/工序", "产品名称"),
    "pieces": ("件数/每周", "每周件数", "件数", "周件数", "每周需求件数", "需求件数"),
    "hours": ("工时/每周", "每周工时", "每周小时", "工时", "每周用工小时"),
    "people": ("人数", "需要人数", "用工人数", "需求人数", "需用工人数"),
    "starts_on": ("开始日期", "起始日期", "开始时间", "开始", "起始时间"),
    "ends_on": ("结束日期", "截止日期", "结束时间", "结束", "截止时间"),
    "skill_level": ("技能要求", "技能等级", "熟练程度", "技能"),
    "place": ("在家/到坊", "做工地点", "工作地点", "地点", "可否居家", "是否可居家", "能否在家做"),
    "notes": ("备注", "说明", "其他要求"),
}
DEMAND_KEY, DEMAND_REQUIRED = "credit_code", ("credit_code", "kind", "starts_on")

LABELS = {
    "name": gettext_lazy("姓名"),
    "phone": gettext_lazy("手机号"),
    "skills": gettext_lazy("技能"),
    "hours": gettext_lazy("每周小时"),
    "place": gettext_lazy("在家/到坊"),
    "area": gettext_lazy("片区"),
    "credit_code": gettext_lazy("统一社会信用代码"),
    "kind": gettext_lazy("工序"),
    "starts_on": gettext_lazy("开始日期"),
}


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

YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "对", "低收入", "低保", "低边", "低收入户"}
NO = {"否", "无", "没有", "不是", "n", "no", "false", "0", "×", "✗", "-", "/", "非"}

KIND_WORDS: dict[str, str] = {}
for _kind, _words in {
    ProcessKind.ASSEMBLY: ("零件装配", "装配", "组装", "零件组装", "零件", "拼装", "assembly"),
    ProcessKind.FABRIC: ("布料加工", "布料", "缝纫", "缝制", "缝补", "针织", "手工缝纫", "服装", "fabric"),
    ProcessKind.PACKAGING: ("产品包装", "包装", "装盒", "贴标", "打包", "packaging"),
    ProcessKind.OTHER: ("其他", "其它", "手工", "其他简单手工", "简单手工", "other"),
}.items():
    for _w in _words:
        KIND_WORDS[_w] = _kind

WISH_PLACES = {
    WorkPlace.HOME: ("在家", "居家", "在家做", "家里", "家", "在家里做", "居家做", "home"),
    # Someone who can do either is put down as coming to the workshop: that suits both kinds of demand.
    WorkPlace.WORKSHOP: (
        "到坊",
        "到坊做",
        "工坊",
        "在工坊",
        "在工坊做",
        "到工坊",
        "到工坊做",
        "坊内",
        "坊里",
        "均可",
        "都可以",
        "都行",
        "皆可",
        "workshop",
    ),
}
DEMAND_PLACES = {
    DemandPlace.WORKSHOP: (
        "到坊",
        "到坊做",
        "工坊",
        "在工坊",
        "在工坊做",
        "到工坊",
        "坊内",
        "否",
        "不可",
        "不能",
    ),
    DemandPlace.HOME_OK: (
        "可居家",
        "可在家",
        "可在家做",
        "在家",
        "居家",
        "在家做",
        "均可",
        "都可以",
        "都行",
        "是",
        "可以",
        "能",
    ),
}
SKILL_LEVELS = {
    SkillLevel.BEGINNER: ("零基础", "零基础可做", "无要求", "不限", "入门", "新手", "无", "一般", "低"),
    SkillLevel.EXPERIENCED: ("有经验", "做过类似的活", "做过", "熟悉", "有基础", "中", "中等"),
    SkillLevel.SKILLED: ("熟练", "熟练工", "技工", "精通", "高", "熟手"),
}


def _invert(choices: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {word: value for value, words in choices.items() for word in words}


WISH_PLACE_WORDS = _invert(WISH_PLACES)
DEMAND_PLACE_WORDS = _invert(DEMAND_PLACES)
SKILL_LEVEL_WORDS = _invert(SKILL_LEVELS)
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


# --- checking rows ----------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    messages: list[str]

    def __str__(self) -> str:
        return _("行 %(n)d: %(m)s") % {"n": self.row, "m": ";".join(self.messages)}


@dataclass
class Preview:
    """What an import would do: ``rows`` to write (dicts, with ``existing`` set for an update), the
    ``errors`` (one per refused row, in sheet order) and ``file_errors`` (the file as a whole)."""

    kind: str
    workshop: Workshop
    filename: str
    table: Table
    attest: bool = False
    header_row: int | None = None
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and bool(self.rows)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.get("existing") is None)

    @property
    def updated(self) -> int:
        return len(self.rows) - self.created

    @property
    def messages(self) -> list[str]:
        return self.file_errors + [str(e) for e in self.errors]

    def payload(self) -> str:
        """The table, signed, for the confirm form: commit checks it all again."""
        return signing.dumps(
            {
                "k": self.kind,
                "w": self.workshop.pk,
                "f": self.filename,
                "a": self.attest,
                "r": self.table.rows,
            },
            salt=PAYLOAD_SALT,
            compress=True,
        )


def _field_errors(exc: ValidationError, model) -> list[str]:
    """A model's full_clean errors as "字段名:原因" phrases."""
    out = []
    for name, messages in exc.message_dict.items():
        label = ""
        if name != "__all__":
            try:
                label = str(model._meta.get_field(name).verbose_name)
            except Exception:  # a non-field key: say the message alone
                label = ""
        for m in messages:
            out.append(f"{label}:{m}" if label else m)
    return out


def _cells(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}


def _check_wishes(preview: Preview, scope: ListScope, body, columns) -> None:
    parsed: list[tuple[int, dict]] = []
    for number, cells in body:
        c = _cells(cells, columns)
        problems, row = [], {"row": number}
        for key, fn in (
            ("name", lambda v: v or _raise(_("请填写姓名"))),
            ("phone", parse_mobile),
            ("skills", parse_skills),
            ("hours", lambda v: parse_int(v, _("每周小时"), low=1, high=84)),
            ("place", lambda v: parse_choice(v, WISH_PLACE_WORDS, _("在家/到坊"))),
            ("area", lambda v: v or _raise(_("请填写片区"))),
            ("low_income", lambda v: parse_yes_no(v, _("低收入"))),
            ("consent", lambda v: parse_yes_no(v, _("本人同意"))),
        ):
            try:
                row[key] = fn(c.get(key, ""))
            except CellError as exc:
                problems.append(str(exc))
        if row.get("low_income") and not (row.get("consent") or preview.attest):
            problems.append(_("申报低收入需要本人同意(“本人同意”列填“是”,或上传时勾选已取得书面同意)"))
        if problems:
            preview.errors.append(RowError(number, problems))
        else:
            parsed.append((number, row))
    existing = {
        w.phone.as_e164: w for w in WorkWish.objects.filter(phone__in=[r["phone"] for _n, r in parsed])
    }
    seen: dict[str, int] = {}
    now = timezone.now()
    for number, row in parsed:
        if row["phone"] in seen:
            preview.errors.append(RowError(number, [_("与第%(n)d行手机号重复") % {"n": seen[row["phone"]]}]))
            continue
        seen[row["phone"]] = number
        wish = existing.get(row["phone"])
        if wish is not None and wish.workshop_id is not None and not scope.covers(wish.workshop_id):
            preview.errors.append(RowError(number, [_("这个手机号已在其他社区的工坊登记,不能在这里更新")]))
            continue
        candidate = wish or WorkWish(phone=row["phone"])
        if candidate.workshop_id is None:
            candidate.workshop = preview.workshop
        candidate.name = row["name"]
        candidate.skills = row["skills"]
        candidate.hours_per_week = row["hours"]
        candidate.work_place = row["place"]
        candidate.area = row["area"]
        if row["low_income"] is True and not candidate.low_income:
            candidate.low_income, candidate.low_income_consent_at = True, now
            candidate.consent_version = IMPORT_CONSENT_VERSION
        elif row["low_income"] is False:
            candidate.low_income, candidate.low_income_consent_at, candidate.consent_version = False, None, ""
        try:
            # The fields' own validators, row by row. Left out, to keep a 5,000-row file to a few seconds:
            # the phone's uniqueness (the lookup above settles it for the whole file in one query), the
            # workshop (the import's own, or the wish's), and the check constraints (hours 1–84 and
            # consent with low income, which the parsing above already enforces with Chinese messages;
            # the database still refuses a violation, and the import then writes nothing).
            candidate.full_clean(exclude=["workshop"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            preview.errors.append(RowError(number, _field_errors(exc, WorkWish)))
            continue
        row["existing"] = wish.pk if wish is not None else None
        row["instance"] = candidate
        preview.rows.append(row)


def _raise(message: str):
    raise CellError(message)


def _check_demands(preview: Preview, scope: ListScope, body, columns) -> None:
    parsed: list[tuple[int, dict]] = []
    for number, cells in body:
        c = _cells(cells, columns)
        problems, row = [], {"row": number}
        for key, fn in (
            ("credit_code", _parse_credit_code),
            ("firm_name", lambda v: v),
            ("contact", lambda v: v),
            ("contact_phone", parse_contact_phone),
            ("kind", lambda v: parse_kind(v, _("工序"))),
            ("title", lambda v: v),
            ("pieces", lambda v: parse_int(v, _("每周件数"), low=1, high=10_000_000, required=False)),
            ("hours", lambda v: parse_int(v, _("每周工时"), low=1, high=2000, required=False)),
            ("people", lambda v: parse_int(v, _("需要人数"), low=1, high=1000, required=False)),
            ("starts_on", lambda v: parse_date(v, _("开始日期"))),
            ("ends_on", lambda v: parse_date(v, _("结束日期"), required=False)),
            (
                "skill_level",
                lambda v: parse_choice(v, SKILL_LEVEL_WORDS, _("技能要求"), default=SkillLevel.BEGINNER),
            ),
            (
                "place",
                lambda v: parse_choice(v, DEMAND_PLACE_WORDS, _("做工地点"), default=DemandPlace.WORKSHOP),
            ),
            ("notes", lambda v: v),
        ):
            try:
                row[key] = fn(c.get(key, ""))
            except CellError as exc:
                problems.append(str(exc))
        if problems:
            preview.errors.append(RowError(number, problems))
        else:
            parsed.append((number, row))
    codes = {r["credit_code"] for _n, r in parsed}
    firms = {f.credit_code: f for f in PartnerFirm.objects.filter(credit_code__in=codes)}
    open_demands = {
        (d.firm_id, d.process_kind): d
        for d in DemandEntry.objects.filter(
            workshop=preview.workshop, firm__credit_code__in=codes, status__in=OPEN_DEMAND_STATES
        ).order_by("updated_at", "pk")
    }
    seen: dict[tuple[str, str], int] = {}
    firm_rows: dict[str, PartnerFirm] = {}
    for number, row in parsed:
        key = (row["credit_code"], row["kind"])
        if key in seen:
            preview.errors.append(RowError(number, [_("与第%(n)d行是同一企业的同一工序") % {"n": seen[key]}]))
            continue
        seen[key] = number
        problems = []
        firm = firm_rows.get(row["credit_code"]) or firms.get(row["credit_code"])
        if firm is None:
            if not row["firm_name"]:
                preview.errors.append(RowError(number, [_("新企业需要填写企业名称")]))
                continue
            firm = PartnerFirm(credit_code=row["credit_code"])
        if row["firm_name"]:
            firm.name = row["firm_name"]
        if row["contact"]:
            firm.contact = row["contact"]
        if row["contact_phone"]:
            firm.phone = row["contact_phone"]
        try:
            firm.full_clean(validate_unique=False)
        except ValidationError as exc:
            problems += _field_errors(exc, PartnerFirm)
        firm_rows[row["credit_code"]] = firm
        demand = open_demands.get((firm.pk, row["kind"])) if firm.pk else None
        candidate = demand or DemandEntry(workshop=preview.workshop, status=DemandStatus.NEW)
        candidate.process_kind = row["kind"]
        candidate.title = row["title"][:100] if row["title"] else candidate.title
        candidate.pieces_per_week = row["pieces"]
        candidate.hours_per_week = row["hours"]
        candidate.people_needed = row["people"]
        candidate.starts_on = row["starts_on"]
        candidate.ends_on = row["ends_on"]
        candidate.skill_level = row["skill_level"]
        candidate.place = row["place"]
        if row["notes"]:
            candidate.notes = row["notes"]
        try:
            candidate.full_clean(exclude=["firm", "created_by", "workshop"])
        except ValidationError as exc:
            problems += _field_errors(exc, DemandEntry)
        if problems:
            preview.errors.append(RowError(number, problems))
            continue
        row["existing"] = demand.pk if demand is not None else None
        row["instance"] = candidate
        row["firm"] = firm
        preview.rows.append(row)


def _parse_credit_code(text: str) -> str:
    code = re.sub(r"\s", "", text).upper()
    if not code:
        raise CellError(_("请填写统一社会信用代码"))
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        raise CellError(_("统一社会信用代码“%(v)s”无效(应为18位,校验位正确)") % {"v": text}) from exc
    return code


def preview(
    *, actor, kind: str, workshop: Workshop, filename: str, table: Table, attest: bool = False
) -> Preview:
    """Check ``table`` as an import of ``kind`` into ``workshop``'s lists, writing nothing.

    Community admins of ``workshop`` only (PermissionDenied). Returns a Preview: ``ok`` when every row
    can be written; otherwise its ``errors`` say, row by row in Chinese, what to fix. ``attest``: the
    admin confirms that the residents marked low-income gave their written consent.
    """
    scope = scope_for(actor)
    if not scope.is_admin or not scope.covers(workshop.pk):
        raise PermissionDenied(_("只有本社区的社区管理员可以导入清单。"))
    result = Preview(kind=kind, workshop=workshop, filename=filename[:200], table=table, attest=attest)
    if kind == ImportKind.WISHES:
        headers, key, required, check = WISH_HEADERS, WISH_KEY, WISH_REQUIRED, _check_wishes
    elif kind == ImportKind.DEMANDS:
        headers, key, required, check = DEMAND_HEADERS, DEMAND_KEY, DEMAND_REQUIRED, _check_demands
    else:
        raise ValueError(kind)
    try:
        index, columns = find_header(table, headers, key)
    except ValidationError as exc:
        result.file_errors += exc.messages
        return result
    result.header_row = table.rows[index][0]
    missing = [LABELS[name] for name in required if name not in columns]
    if missing:
        result.file_errors.append(_("表头缺少这些列:%(cols)s") % {"cols": "、".join(str(m) for m in missing)})
        return result
    body = table.rows[index + 1 :]
    if not body:
        result.file_errors.append(_("表头下面没有数据行。"))
        return result
    check(result, scope, body, columns)
    result.errors.sort(key=lambda e: e.row)
    return result


def preview_payload(*, actor, payload: str) -> Preview:
    """The Preview of a signed payload from the preview page, checked again against the database now.
    Raises ValidationError for a payload that is forged or older than two hours."""
    try:
        data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("预览已过期,请重新上传文件。"), code="expired") from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("导入数据无效,请重新上传文件。"), code="bad_payload") from exc
    workshop = Workshop.objects.filter(pk=data["w"]).first()
    if workshop is None:
        raise ValidationError(_("导入数据无效,请重新上传文件。"), code="bad_payload")
    table = Table(rows=[(n, list(cells)) for n, cells in data["r"]])
    return preview(
        actor=actor,
        kind=data["k"],
        workshop=workshop,
        filename=data["f"],
        table=table,
        attest=bool(data["a"]),
    )


@transaction.atomic
def commit(*, actor, payload: str) -> ImportBatch:
    """Write a previewed import, all or nothing: every row is checked again inside the transaction and
    any refused row refuses the whole file (ImportRefused, nothing written). Creates an ImportBatch, the
    new and updated wishes (by phone) or firms (by credit code) and demands, and an EntryEvent for each
    entry created or updated. Raises PermissionDenied, ValidationError, ImportRefused."""
    result = preview_payload(actor=actor, payload=payload)
    if not result.ok:
        raise ImportRefused(result)
    batch = ImportBatch.objects.create(
        kind=result.kind,
        workshop=result.workshop,
        uploaded_by=actor,
        filename=result.filename,
        rows=len(result.rows),
        created_count=result.created,
        updated_count=result.updated,
    )
    try:
        with transaction.atomic():
            if result.kind == ImportKind.WISHES:
                _write_wishes(result, actor, batch)
            else:
                _write_demands(result, actor, batch)
    except IntegrityError as exc:
        raise ValidationError(
            _("导入时数据刚好有变化(例如同一手机号刚被登记),请重新上传。"), code="race"
        ) from exc
    return batch


def _write_wishes(result: Preview, actor, batch: ImportBatch) -> None:
    events, records = [], []
    note = _("表格导入 %(f)s 第%(n)d行")
    for row in result.rows:
        wish: WorkWish = row["instance"]
        before = wish.status if wish.pk else ""
        if wish.pk and wish.status == WishStatus.CLOSED:
            wish.status = WishStatus.NEW  # signed up again: follow it up again
        wish.save()
        if before == "":
            records.append(WishRecord(wish=wish, source=WishSource.IMPORT, batch=batch))
        events.append(
            EntryEvent(
                subject=EntrySubject.WISH,
                wish=wish,
                from_state=before,
                to_state=wish.status,
                actor=actor,
                note=(note % {"f": result.filename, "n": row["row"]})[:300],
            )
        )
    WishRecord.objects.bulk_create(records)
    EntryEvent.objects.bulk_create(events)


def _write_demands(result: Preview, actor, batch: ImportBatch) -> None:
    events = []
    note = _("表格导入 %(f)s 第%(n)d行")
    saved: set[int] = set()
    for row in result.rows:
        firm: PartnerFirm = row["firm"]
        if id(firm) not in saved:
            firm.save()
            saved.add(id(firm))
        demand: DemandEntry = row["instance"]
        before = demand.status if demand.pk else ""
        demand.firm = firm
        if not demand.pk:
            demand.created_by = actor
            demand.batch = batch
        demand.save()
        events.append(
            EntryEvent(
                subject=EntrySubject.DEMAND,
                demand=demand,
                from_state=before,
                to_state=demand.status,
                actor=actor,
                note=(note % {"f": result.filename, "n": row["row"]})[:300],
            )
        )
    EntryEvent.objects.bulk_create(events)
