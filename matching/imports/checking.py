"""Checking an import's rows against the forms' validators and the database as it is: the preview.

:func:`preview` takes a :class:`~.parsing.Table`, maps its header, parses every cell (``parsing``),
matches residents by phone and firms by credit code (and a firm's open demand by workshop and process
kind), runs the models' ``full_clean`` and returns a :class:`Preview`: the rows to create or update and
the row errors in Chinese. It writes nothing. :meth:`Preview.payload` signs the table for the confirm
form and :func:`preview_payload` checks it all again from that payload (``writing`` does, at commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop.models import PartnerFirm, Workshop, WorkWish
from workshop.roles import Scope, scope_for

from ..models import OPEN_DEMAND_STATES, DemandEntry, DemandPlace, DemandStatus, ImportKind, SkillLevel
from .parsing import (
    CellError,
    Table,
    find_header,
    parse_choice,
    parse_contact_phone,
    parse_credit_code,
    parse_date,
    parse_int,
    parse_kind,
    parse_mobile,
    parse_skills,
    parse_yes_no,
)
from .vocabulary import (
    DEMAND_HEADERS,
    DEMAND_KEY,
    DEMAND_PLACE_WORDS,
    DEMAND_REQUIRED,
    LABELS,
    SKILL_LEVEL_WORDS,
    WISH_HEADERS,
    WISH_KEY,
    WISH_PLACE_WORDS,
    WISH_REQUIRED,
)

PAYLOAD_SALT = "nuanxin.matching.import"
PAYLOAD_MAX_AGE = 2 * 3600  # seconds a preview stays good for
IMPORT_CONSENT_VERSION = f"{WorkWish.CONSENT_VERSION}/import"


class ImportRefused(Exception):
    """The file (or, at commit, the database as it is now) refuses at least one row: nothing was written."""

    def __init__(self, preview: Preview):
        self.preview = preview
        super().__init__("; ".join(preview.messages[:5]))


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


def _check_wishes(preview: Preview, scope: Scope, body, columns) -> None:
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


def _check_demands(preview: Preview, scope: Scope, body, columns) -> None:
    parsed: list[tuple[int, dict]] = []
    for number, cells in body:
        c = _cells(cells, columns)
        problems, row = [], {"row": number}
        for key, fn in (
            ("credit_code", parse_credit_code),
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
