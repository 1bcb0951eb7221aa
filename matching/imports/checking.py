"""Checking an uploaded sheet against the forms' validators and the database as it is: the preview.

:func:`preview` takes an ``ImportDraft`` (the uploaded table), finds which column is which (chosen on the
mapping page for this upload, else the community's remembered mapping for this header row, else the
synonyms; when none is good enough it says the mapping page is needed), parses every cell, matches
residents by phone and firms by credit code (and a firm's open demand by workshop and process kind), runs
the models' ``full_clean`` and returns a :class:`Preview`: the rows to create or update, every problem
by row and column (as the spreadsheet names them), the warnings to read (an ID number's area code newer
than its holder, a monthly figure made weekly), and the words offered as new skills. It writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop.models import PartnerFirm, Workshop, WorkWish
from workshop.roles import Scope, scope_for
from workshop.search import CJK_GAP
from workshop.text import joined
from workshop.validators import mask_id_number

from .. import selectors
from ..models import (
    OPEN_DEMAND_STATES,
    DemandEntry,
    DemandPlace,
    DemandStatus,
    ImportDraft,
    ImportKind,
    SkillLevel,
)
from .columns import Layout, column_letter, find_header, guess_header, missing, signature
from .parsing import (
    HOUR_UNITS,
    PEOPLE_UNITS,
    CellError,
    Parsed,
    UnknownSkills,
    check_text,
    guess_kind,
    parse_choice,
    parse_contact_phone,
    parse_count,
    parse_credit_code,
    parse_date,
    parse_end_date,
    parse_hours_per_day,
    parse_id_number,
    parse_kind,
    parse_mobile,
    parse_period,
    parse_pieces_per_week,
    parse_rate,
    parse_skills,
    parse_yes_no,
)
from .reading import HEADER_SCAN_ROWS, Table
from .vocabulary import DEMAND_PLACE_WORDS, SKILL_LEVEL_WORDS, WISH_PLACE_WORDS, labels_for

IMPORT_CONSENT_VERSION = f"{WorkWish.CONSENT_VERSION}/import"


class ImportRefused(Exception):
    """The file (or, at commit, the database as it is now) refuses at least one row: nothing was written."""

    def __init__(self, preview: Preview):
        self.preview = preview
        super().__init__("; ".join(preview.messages[:5]))


@dataclass
class Problem:
    """One problem (or warning) of a row, in the column it is in ("" for the row as a whole)."""

    row: int
    column: str
    header: str
    message: str

    def __str__(self) -> str:
        where = _("第%(n)d行") % {"n": self.row}
        if self.column:
            where += " " + _("%(c)s列“%(h)s”") % {"c": self.column, "h": self.header}
        return f"{where}:{self.message}"


@dataclass
class NewSkill:
    """A word offered as a new skill: the rows that use it and the process kind it most likely is."""

    word: str
    kind: str
    rows: list[int] = field(default_factory=list)

    @property
    def rows_text(self) -> str:
        """The rows as "3、7、12" (the first eight, then "…")."""
        text = joined(str(n) for n in self.rows[:8])
        return text + ("…" if len(self.rows) > 8 else "")


@dataclass
class Preview:
    """What an import would do: ``rows`` to write (dicts, with ``existing`` set for an update), the
    ``errors`` and ``warnings`` (Problems in sheet order), ``file_errors`` (the file as a whole),
    ``new_skills``; ``needs_mapping`` when the columns must be confirmed on the mapping page first."""

    draft: ImportDraft
    layout: Layout | None = None
    rows: list[dict] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    new_skills: list[NewSkill] = field(default_factory=list)
    needs_mapping: bool = False

    @property
    def kind(self) -> str:
        return self.draft.kind

    @property
    def workshop(self) -> Workshop:
        return self.draft.workshop

    @property
    def filename(self) -> str:
        return self.draft.filename

    @property
    def header_row(self) -> int | None:
        return self.layout.row if self.layout else None

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and not self.needs_mapping and bool(self.rows)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.get("existing") is None)

    @property
    def updated(self) -> int:
        return len(self.rows) - self.created

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.errors})

    @property
    def messages(self) -> list[str]:
        return self.file_errors + [str(e) for e in self.errors]

    @property
    def mapped(self) -> list[tuple[str, str, str]]:
        """(column letter, header, field label) of each column read, in sheet order."""
        if self.layout is None:
            return []
        labels = labels_for(self.kind)
        return [
            (column_letter(i), self.layout.headers[i] if i < len(self.layout.headers) else "", str(labels[f]))
            for f, i in sorted(self.layout.columns.items(), key=lambda item: item[1])
            if f in labels
        ]


class _Rows:
    """Reads the cells of one sheet row through parsers, filing each problem under its column."""

    def __init__(self, preview: Preview, layout: Layout):
        self.preview, self.layout = preview, layout
        self.skills: dict[str, NewSkill] = {}

    def problem(self, row: int, name: str | None, message: str, *, warning: bool = False) -> None:
        index = self.layout.columns.get(name) if name else None
        p = Problem(
            row,
            column_letter(index) if index is not None else "",
            self.layout.header_of(name) if name else "",
            message,
        )
        (self.preview.warnings if warning else self.preview.errors).append(p)

    def read(self, number: int, cells: list[str], parsers) -> dict | None:
        """The row's values by field, or None when a cell was refused (its problems are filed)."""
        row, refused = {"row": number}, False
        for name, parse in parsers:
            index = self.layout.columns.get(name)
            text = cells[index] if index is not None and index < len(cells) else ""
            try:
                value = parse(text)
            except UnknownSkills as exc:
                for word in exc.words:
                    self.skills.setdefault(word, NewSkill(word, guess_kind(word))).rows.append(number)
                self.problem(
                    number, name, _("%(m)s:可在下面一键添加为新技能,或在表格里改成已知的技能") % {"m": exc}
                )
                refused = True
                continue
            except CellError as exc:
                self.problem(number, name, str(exc))
                refused = True
                continue
            if isinstance(value, Parsed):
                if value.note:
                    self.problem(number, name, value.note, warning=True)
                value = value.value
            row[name] = value
        return None if refused else row

    def model_errors(self, number: int, exc: ValidationError, model, fields: dict[str, str]) -> None:
        """A model's full_clean errors, each under the column of its field (``fields``: model → sheet)."""
        for name, messages in exc.message_dict.items():
            label = ""
            if name != "__all__":
                try:
                    label = str(model._meta.get_field(name).verbose_name)
                except Exception:  # a non-field key: the message alone
                    label = ""
            for m in messages:
                self.problem(number, fields.get(name), f"{label}:{m}" if label else m)


def _required(text: str) -> str:
    if not text:
        raise CellError(_("没有填写"))
    return text


def _name(text: str) -> str:
    """A person's name; spaces between Chinese characters ("陆 阿 毛", spaced to line up in a register) go."""
    return check_text(CJK_GAP.sub("", _required(text)), max_length=50)


WISH_MODEL_FIELDS = {
    "name": "name",
    "phone": "phone",
    "skills": "skills",
    "hours_per_week": "hours",
    "work_place": "place",
    "area": "area",
}


def _check_wishes(preview: Preview, scope: Scope, body, layout: Layout, words: dict[str, str]) -> None:
    reader = _Rows(preview, layout)
    parsers = (
        ("name", _name),
        ("phone", parse_mobile),
        ("id_number", parse_id_number),
        ("skills", lambda v: parse_skills(v, words)),
        (
            "hours",
            lambda v: parse_count(
                v, units=HOUR_UNITS, low=1, high=84, required="hours_day" not in layout.columns
            ),
        ),
        ("hours_day", parse_hours_per_day),
        ("place", lambda v: parse_choice(v, WISH_PLACE_WORDS)),
        ("area", lambda v: check_text(_required(v), max_length=100)),
        ("low_income", parse_yes_no),
        ("consent", parse_yes_no),
    )
    parsed: list[tuple[int, dict]] = []
    for number, cells in body:
        row = reader.read(number, cells, parsers)
        if row is None:
            continue
        if row.get("low_income") and not (row.get("consent") or preview.draft.attest):
            reader.problem(
                number,
                "low_income",
                _("申报低收入需要本人同意(“本人同意”列填“是”,或上传时勾选已取得书面同意)"),
            )
            continue
        parsed.append((number, row))
    preview.new_skills = sorted(reader.skills.values(), key=lambda s: s.rows[0])
    existing = {
        w.phone.as_e164: w
        for w in WorkWish.objects.select_related("list_record").filter(
            phone__in=[r["phone"] for _n, r in parsed]
        )
    }
    seen: dict[str, int] = {}
    now = timezone.now()
    for number, row in parsed:
        if row["phone"] in seen:
            reader.problem(number, "phone", _("与第%(n)d行手机号重复") % {"n": seen[row["phone"]]})
            continue
        seen[row["phone"]] = number
        wish = existing.get(row["phone"])
        if wish is not None and wish.workshop_id is not None and not scope.covers(wish.workshop_id):
            reader.problem(number, "phone", _("这个手机号已在其他社区的工坊登记,不能在这里更新"))
            continue
        candidate = wish or WorkWish(phone=row["phone"])
        if candidate.workshop_id is None:
            candidate.workshop = preview.workshop
        kinds, named = row["skills"]
        candidate.name = row["name"]
        candidate.skills = kinds
        candidate.hours_per_week = row.get("hours") or row.get("hours_day")
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
            reader.model_errors(number, exc, WorkWish, WISH_MODEL_FIELDS)
            continue
        row["existing"] = wish.pk if wish is not None else None
        row["instance"] = candidate
        row["skill_words"] = named
        row["id_masked"] = mask_id_number(row.get("id_number", ""))
        preview.rows.append(row)


DEMAND_MODEL_FIELDS = {
    "process_kind": "kind",
    "title": "title",
    "pieces_per_week": "pieces",
    "hours_per_week": "hours",
    "people_needed": "people",
    "piece_rate": "piece_rate",
    "starts_on": "starts_on",
    "ends_on": "ends_on",
    "notes": "notes",
    "name": "firm_name",
    "contact": "contact",
    "phone": "contact_phone",
}


def _demand_parsers(words: dict[str, str], today: dt.date):
    return (
        ("credit_code", parse_credit_code),
        ("firm_name", lambda v: check_text(v, max_length=200)),
        ("contact", lambda v: check_text(v, max_length=50)),
        ("contact_phone", parse_contact_phone),
        ("kind", lambda v: parse_kind(v, words)),
        ("title", lambda v: check_text(v, max_length=100)),
        ("pieces", parse_pieces_per_week),
        ("pieces_month", lambda v: parse_pieces_per_week(v, monthly=True)),
        ("hours", lambda v: parse_count(v, units=HOUR_UNITS, low=1, high=2000, required=False)),
        ("people", lambda v: parse_count(v, units=PEOPLE_UNITS, low=1, high=1000, required=False)),
        ("piece_rate", parse_rate),
        ("starts_on", lambda v: parse_date(v, today=today, required=False)),
        ("ends_on", lambda v: parse_end_date(v, today=today)),
        ("period", lambda v: parse_period(v, today=today) if v else None),
        ("skill_level", lambda v: parse_choice(v, SKILL_LEVEL_WORDS, default=SkillLevel.BEGINNER)),
        ("place", lambda v: parse_choice(v, DEMAND_PLACE_WORDS, default=DemandPlace.WORKSHOP)),
        ("notes", lambda v: check_text(v, multiline=True, max_length=2000)),
    )


def _check_demands(
    preview: Preview, scope: Scope, body, layout: Layout, words: dict[str, str], today: dt.date
) -> None:
    reader = _Rows(preview, layout)
    parsers = _demand_parsers(words, today)
    parsed: list[tuple[int, dict]] = []
    for number, cells in body:
        row = reader.read(number, cells, parsers)
        if row is None:
            continue
        start, end = row.get("period") or (None, None)
        row["starts_on"] = row.get("starts_on") or start
        if "ends_on" not in layout.columns or row.get("ends_on") is None:
            row["ends_on"] = end if row.get("period") else row.get("ends_on")
        if row["starts_on"] is None:
            reader.problem(
                number, "starts_on" if "starts_on" in layout.columns else "period", _("没有填写开始日期")
            )
            continue
        row["pieces"] = row.get("pieces") or row.get("pieces_month")
        parsed.append((number, row))
    preview.new_skills = sorted(reader.skills.values(), key=lambda s: s.rows[0])
    codes = {r["credit_code"] for _n, r in parsed}
    firms = {f.credit_code: f for f in PartnerFirm.objects.filter(credit_code__in=codes)}
    new_names = {r["firm_name"] for _n, r in parsed if r["credit_code"] not in firms and r["firm_name"]}
    by_name = {
        f.name: f for f in PartnerFirm.objects.filter(name__in=new_names).exclude(credit_code__in=codes)
    }
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
            reader.problem(number, "kind", _("与第%(n)d行是同一企业的同一工序") % {"n": seen[key]})
            continue
        seen[key] = number
        firm = firm_rows.get(row["credit_code"]) or firms.get(row["credit_code"])
        if firm is None:
            if not row["firm_name"]:
                reader.problem(number, "firm_name", _("新企业需要填写企业名称"))
                continue
            namesake = by_name.get(row["firm_name"])
            if namesake is not None:
                # The same name under another code is a mistyped code far more often than a second firm.
                reader.problem(
                    number,
                    "credit_code",
                    _("系统里已有同名企业“%(f)s”,信用代码是 %(c)s,和本行不同:请核对信用代码")
                    % {"f": namesake.name, "c": namesake.credit_code},
                )
                continue
            firm = PartnerFirm(credit_code=row["credit_code"])
        if row["firm_name"]:
            firm.name = row["firm_name"]
        if row["contact"]:
            firm.contact = row["contact"]
        if row["contact_phone"]:
            firm.phone = row["contact_phone"]
        before = len(preview.errors)
        try:
            firm.full_clean(validate_unique=False)
        except ValidationError as exc:
            reader.model_errors(number, exc, PartnerFirm, DEMAND_MODEL_FIELDS)
        firm_rows[row["credit_code"]] = firm
        demand = open_demands.get((firm.pk, row["kind"])) if firm.pk else None
        candidate = demand or DemandEntry(workshop=preview.workshop, status=DemandStatus.NEW)
        candidate.process_kind = row["kind"]
        candidate.title = row["title"][:100] if row["title"] else candidate.title
        candidate.pieces_per_week = row["pieces"]
        candidate.hours_per_week = row["hours"]
        candidate.people_needed = row["people"]
        if row["piece_rate"] is not None or "piece_rate" in layout.columns:
            candidate.piece_rate = row["piece_rate"]
        candidate.starts_on = row["starts_on"]
        candidate.ends_on = row["ends_on"]
        candidate.skill_level = row["skill_level"]
        candidate.place = row["place"]
        if row["notes"]:
            candidate.notes = row["notes"]
        try:
            candidate.full_clean(exclude=["firm", "created_by", "workshop"])
        except ValidationError as exc:
            reader.model_errors(number, exc, DemandEntry, DEMAND_MODEL_FIELDS)
        if len(preview.errors) > before:
            continue
        row["existing"] = demand.pk if demand is not None else None
        row["instance"] = candidate
        row["firm"] = firm
        preview.rows.append(row)


def layout_for(draft: ImportDraft, table: Table) -> Layout:
    """Which column is which for ``draft``: chosen on the mapping page, else the community's remembered
    mapping for one of the first rows, else the synonyms, else the best guess (source "guess")."""
    kind = draft.kind
    if draft.columns is not None and draft.header_row is not None:
        for index, (number, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
            if number == draft.header_row:
                columns = {name: int(i) for name, i in draft.columns.items()}
                return Layout(index, number, cells, columns, "chosen", missing(columns, kind))
    heads = table.rows[:HEADER_SCAN_ROWS]
    signatures = {signature(cells): i for i, (_n, cells) in enumerate(heads)}
    remembered = selectors.remembered_mapping(draft.workshop, kind, list(signatures)) if signatures else None
    if remembered is not None:
        index = signatures[remembered.signature]
        number, cells = heads[index]
        columns = {name: int(i) for name, i in remembered.columns.items()}
        return Layout(index, number, cells, columns, "remembered", missing(columns, kind))
    return find_header(table, kind) or guess_header(table, kind)


def preview(*, actor, draft: ImportDraft, today: dt.date | None = None) -> Preview:
    """Check ``draft`` as an import into its workshop's lists, writing nothing.

    Its uploader, a community admin of the workshop, only (PermissionDenied). Returns a Preview: ``ok``
    when every row can be written; ``needs_mapping`` when the mapping page must confirm the columns;
    otherwise its ``errors`` say, by row and column, what to fix. ``today`` (Asia/Shanghai by default)
    places periods written without a year ("9月到12月") and "长期".
    """
    scope = scope_for(actor)
    if not scope.is_admin or not scope.covers(draft.workshop_id) or draft.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("只有本社区的社区管理员可以导入清单。"))
    if draft.kind not in ImportKind.values:
        raise ValueError(draft.kind)
    table = Table(rows=[(int(n), list(cells)) for n, cells in draft.rows])
    result = Preview(draft=draft)
    if not table.rows:
        result.file_errors.append(_("表格里没有内容。"))
        return result
    layout = result.layout = layout_for(draft, table)
    if layout.source == "guess" or layout.missing:
        result.needs_mapping = True
        if layout.missing:
            result.file_errors.append(
                _("表头缺少这些列:%(cols)s。请在“对应表头”里指出是哪一列。")
                % {"cols": joined(layout.missing)}
            )
        return result
    body = table.rows[layout.index + 1 :]
    if not body:
        result.file_errors.append(_("表头下面没有数据行。"))
        return result
    words = selectors.community_skills(draft.workshop)
    if draft.kind == ImportKind.WISHES:
        _check_wishes(result, scope, body, layout, words)
    else:
        _check_demands(result, scope, body, layout, words, today or timezone.localdate())
    result.errors.sort(key=_sheet_order)
    result.warnings.sort(key=_sheet_order)
    return result


def _sheet_order(p: Problem) -> tuple[int, int, str]:
    return p.row, len(p.column), p.column
