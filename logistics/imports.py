"""Importing a community's places (楼栋、村民小组、集中收发点、企业收货处) from its xlsx, all or nothing.

Two steps, and nothing is written until the second:

1. :func:`places_preview` reads the workbook (openpyxl, read-only, first sheet with content), finds the
   header row among the first rows by the column names communities use (名称/地点/楼栋, 类别/类型,
   纬度/lat/latitude/北纬, 经度/lng/lon/longitude/东经, 备注/说明, 企业), checks every row with the same
   rules as the form (``services.places.coordinate``: "30.5312°", numbers, China's bounds) and returns the
   rows and every bad row and cell in words ("第 7 行 C7 纬度:……").
2. :func:`places_import` takes the same cells back (signed, from the preview page: :meth:`PlacePreview.
   payload` / :func:`payload_rows`), checks them all again and writes every row with ``place_save`` in one
   transaction, or none. A place with a name already in the community's table is updated (re-import).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workshop.models import PartnerFirm, Workshop
from workshop.uploads import xlsx_zip_check

from .models import Place, PlaceKind
from .services.places import CHINA_LAT, CHINA_LNG, coordinate, place_save

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
HEADER_SCAN_ROWS = 10
PAYLOAD_SALT = "nuanxin.logistics.places"
PAYLOAD_MAX_AGE = 2 * 3600  # seconds a preview stays good for

# Field → the header words communities write (compared without spaces, case or a bracketed unit).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "名称",
        "地点",
        "地点名称",
        "楼栋",
        "楼栋/村组",
        "村组",
        "楼号",
        "楼幢",
        "幢",
        "栋",
        "小区",
        "门牌",
        "name",
        "place",
        "building",
    ),
    "kind": ("类别", "类型", "地点类别", "kind", "type"),
    "lat": ("纬度", "北纬", "lat", "latitude"),
    "lng": ("经度", "东经", "lng", "lon", "long", "longitude"),
    "note": ("备注", "说明", "note"),
    "firm": ("企业", "企业名称", "firm"),
}
LABELS = {
    "name": gettext_lazy("名称"),
    "kind": gettext_lazy("类别"),
    "lat": gettext_lazy("纬度"),
    "lng": gettext_lazy("经度"),
    "note": gettext_lazy("备注"),
    "firm": gettext_lazy("企业"),
}
# Cell words → kind; an empty cell is a building.
KIND_WORDS = {
    "楼栋": PlaceKind.BUILDING,
    "楼": PlaceKind.BUILDING,
    "小区": PlaceKind.BUILDING,
    "building": PlaceKind.BUILDING,
    "村民小组": PlaceKind.VILLAGE_GROUP,
    "村组": PlaceKind.VILLAGE_GROUP,
    "组": PlaceKind.VILLAGE_GROUP,
    "village_group": PlaceKind.VILLAGE_GROUP,
    "集中收发点": PlaceKind.COLLECTION_POINT,
    "收发点": PlaceKind.COLLECTION_POINT,
    "collection_point": PlaceKind.COLLECTION_POINT,
    "企业收货处": PlaceKind.FIRM_GATE,
    "收货处": PlaceKind.FIRM_GATE,
    "firm_gate": PlaceKind.FIRM_GATE,
}


def norm(value) -> str:
    """A cell as text: NFKC (full-width digits to half-width), stripped; integral floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _key(text: str) -> str:
    text = re.sub(r"\s+|\*", "", norm(text)).lower()
    return re.sub(r"\(.*?\)", "", text)


def map_header(cells: list[str]) -> dict[str, int]:
    """Field → column index for a header row (the first column wins for a field)."""
    table = {_key(s): name for name, words in HEADERS.items() for s in words}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = table.get(_key(cell))
        if name and name not in found:
            found[name] = i
    return found


def read_sheet(data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet with content of an .xlsx, as (row number, cells as text), blank rows dropped.
    Raises ValidationError for a file too big or not an xlsx, one that unpacks too big (a zip bomb,
    ``workshop.uploads.xlsx_zip_check``), or too many rows (counted while streaming: rows past the limit
    are never read)."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件太大(超过2MB),请拆分后再导入。"))
    from openpyxl import load_workbook

    stream = io.BytesIO(data)
    xlsx_zip_check(stream)  # a zip bomb is refused from the zip's directory, before anything unpacks
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValidationError(_("无法读取这个 Excel 文件,请确认是 .xlsx 格式。")) from exc
    try:
        for sheet in book.worksheets:
            rows = []
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                text = [norm(c) for c in cells]
                if any(text):
                    rows.append((number, text))
                if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
                    raise ValidationError(_("一次最多导入%(n)d行,请拆分后再导入。") % {"n": MAX_ROWS})
            if rows:
                return rows
    finally:
        book.close()
    return []


@dataclass
class PlaceRow:
    """One checked row: what ``place_save`` gets, and whether it updates a place of that name."""

    row: int
    name: str
    kind: str
    lat: object
    lng: object
    note: str
    firm: PartnerFirm | None = None
    existing: bool = False

    @property
    def kind_label(self) -> str:
        return str(PlaceKind(self.kind).label)


@dataclass
class PlacePreview:
    """What an import would do: ``rows`` (checked), ``errors`` (every bad cell, in sheet order)."""

    workshop: Workshop
    cells: list[tuple[int, list[str]]] = field(default_factory=list)
    rows: list[PlaceRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if not r.existing)

    @property
    def updated(self) -> int:
        return len(self.rows) - self.created

    def payload(self) -> str:
        """The sheet's cells, signed, for the confirm form: the import checks them all again."""
        return signing.dumps({"w": self.workshop.pk, "c": self.cells}, salt=PAYLOAD_SALT, compress=True)


def payload_cells(payload: str, workshop: Workshop) -> list[tuple[int, list[str]]]:
    """The cells a preview signed for ``workshop``; ValidationError when forged, expired or another's."""
    try:
        data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError(_("预览已过期,请重新上传文件。")) from None
    if data.get("w") != workshop.pk:
        raise ValidationError(_("预览已过期,请重新上传文件。"))
    return [(int(n), [str(c) for c in cells]) for n, cells in data.get("c", [])]


def _cell_ref(column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column + 1)}{row}"


def check_cells(
    cells: list[tuple[int, list[str]]], *, workshop: Workshop, firms: list[PartnerFirm]
) -> PlacePreview:
    """Check a sheet's cells (header row included) as places of ``workshop``'s community; ``firms``: the
    firms a firm's gate may name. Writes nothing."""
    preview = PlacePreview(workshop=workshop, cells=cells)
    header_at, columns = None, {}
    for index, (_n, row) in enumerate(cells[:HEADER_SCAN_ROWS]):
        columns = map_header(row)
        if "name" in columns and ("lat" in columns or "lng" in columns or "kind" in columns):
            header_at = index
            break
    if header_at is None:
        preview.errors.append(_("没有找到表头行:前10行里应有一行写着“名称”“纬度”“经度”等列名。"))
        best = max((map_header(row) for _n, row in cells[:HEADER_SCAN_ROWS]), key=len, default={})
        if best and "name" not in best:
            # The likeliest header row names the points but not the place: say which column is missing.
            preview.errors.append(_("表头里没有这些列:%(c)s。") % {"c": f"{LABELS['name']}(楼栋/楼号/地点)"})
        return preview
    missing = [str(LABELS[k]) for k in ("lat", "lng") if k not in columns]
    if missing:
        preview.errors.append(_("表头里没有这些列:%(c)s。") % {"c": "、".join(missing)})
        return preview
    firms_by_name = {f.name: f for f in firms}
    existing = set(
        Place.objects.filter(
            county=workshop.county, subdistrict=workshop.subdistrict, community=workshop.community
        ).values_list("name", flat=True)
    )
    seen: dict[str, int] = {}
    body = cells[header_at + 1 :]
    if not body:
        preview.errors.append(_("表头下面没有地点。"))
    for number, row in body:
        problems: list[str] = []

        def cell(key: str, row=row) -> str:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else ""

        def bad(key: str, message: str, number=number, problems=problems) -> None:
            ref = _cell_ref(columns[key], number) if key in columns else ""
            problems.append(f"{ref} {LABELS[key]}:{message}".strip())

        name = cell("name")
        if not name:
            bad("name", _("请填写名称"))
        elif len(name) > 100 or not name.isprintable():
            bad("name", _("名称最多100字"))
        elif name in seen:
            bad("name", _("和第 %(n)d 行重名") % {"n": seen[name]})
        else:
            seen[name] = number
        word = cell("kind")
        kind = KIND_WORDS.get(word.lower() if word.isascii() else word) if word else PlaceKind.BUILDING
        if kind is None:
            bad("kind", _("“%(v)s”不是楼栋、村民小组、集中收发点或企业收货处") % {"v": word})
        firm = None
        if kind == PlaceKind.FIRM_GATE:
            firm = firms_by_name.get(cell("firm"))
            if firm is None:
                bad("firm", _("企业收货处要填结对企业的名称") if cell("firm") == "" else _("不是结对企业"))
        points = {}
        for key, bounds in (("lat", CHINA_LAT), ("lng", CHINA_LNG)):
            try:
                points[key] = coordinate(cell(key), str(LABELS[key]), bounds)
            except ValidationError as exc:
                bad(key, " ".join(exc.messages))
        if len(points) == 2 and (points["lat"] is None) != (points["lng"] is None):
            bad("lat" if points["lat"] is None else "lng", _("纬度和经度要一起填"))
        if problems:
            preview.errors.append(_("第 %(n)d 行 %(m)s") % {"n": number, "m": ";".join(problems)})
            continue
        preview.rows.append(
            PlaceRow(
                number,
                name,
                kind,
                points["lat"],
                points["lng"],
                cell("note")[:200],
                firm,
                existing=name in existing,
            )
        )
    return preview


def places_preview(*, workshop: Workshop, data: bytes, firms: list[PartnerFirm]) -> PlacePreview:
    """Read an uploaded xlsx and check it (:func:`check_cells`). Writes nothing. Raises ValidationError for
    a file that is not a readable xlsx."""
    return check_cells(read_sheet(data), workshop=workshop, firms=firms)


@transaction.atomic
def places_import(
    *, actor, workshop: Workshop, cells: list[tuple[int, list[str]]], firms: list[PartnerFirm]
) -> PlacePreview:
    """Check ``cells`` again and write every row with ``place_save`` (add, or update by name) in one
    transaction; nothing when any row is refused (ValidationError listing them). ``actor``: a head or a
    community admin of ``workshop``'s community (PermissionDenied otherwise, nothing written)."""
    preview = check_cells(cells, workshop=workshop, firms=firms)
    if not preview.ok:
        raise ValidationError(preview.errors or [_("文件里没有地点。")])
    for r in preview.rows:
        place_save(
            actor=actor,
            workshop=workshop,
            name=r.name,
            kind=r.kind,
            lat=r.lat,
            lng=r.lng,
            firm=r.firm,
            note=r.note,
        )
    return preview
