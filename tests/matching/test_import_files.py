"""Large and odd files: a workbook saved by WPS whose sheet says it is A1 though it holds 200 rows, a stray
control character in a name (csv and xlsx), 5,000 rows read within bounded memory, and a sheet of a
million rows refused from its zip directory, or (past it) after reading no more than the limit."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from matching import imports
from matching.imports import reading
from matching.models import ImportKind
from tests.bombs import raw_xlsx
from tests.matching.conftest import WISH_HEADER, csv_bytes, xlsx
from workshop import uploads
from workshop.models import WorkWish


def run_preview(user, ws, data, *, name="表.xlsx"):
    table = imports.read_table(name, data)
    draft = imports.draft_create(actor=user, kind=ImportKind.WISHES, workshop=ws, filename=name, table=table)
    return imports.preview(actor=user, draft=draft)


def resident(i: int) -> list:
    return [f"居民{i}", f"137{i:08d}", "装配", "20", "到坊", "新街小区", "否", ""]


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's ``<dimension ref>`` rewritten, as WPS leaves it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), content)
            dst.writestr(item, content)
    return out.getvalue()


def test_a_wps_workbook_whose_sheet_says_a1_is_read_to_its_last_row(cast, admin):
    data = with_dimension(xlsx([WISH_HEADER] + [resident(i) for i in range(200)]), "A1")
    # What the sheet claims, and what a reader that trusts it gets: one cell.
    trusting = load_workbook(io.BytesIO(data), read_only=True).active
    assert trusting.calculate_dimension() == "A1:A1"
    assert len(list(trusting.iter_rows(values_only=True))) == 1

    table = imports.read_table("wps.xlsx", data)
    assert len(table.rows) == 201 and table.rows[-1] == (201, resident(199)[:6] + ["否"])
    preview = run_preview(admin, cast.ws, data, name="wps.xlsx")
    assert preview.ok, preview.messages
    assert len(preview.rows) == 200
    imports.commit(actor=admin, draft=preview.draft)
    assert WorkWish.objects.count() == 200


def test_a_control_character_in_a_name_in_a_csv_is_refused_with_its_row(cast, admin):
    bad = ["王\x07秀英", "13800138000", "装配", "20", "到坊", "新街\u200b小区", "", ""]
    rows = [WISH_HEADER, resident(1), bad]
    preview = run_preview(admin, cast.ws, csv_bytes(rows), name="名单.csv")
    assert not preview.ok
    assert [str(e) for e in preview.errors] == [
        "第3行 A列“姓名”:第2个字处有看不见的控制字符(U+0007),请在表格里删掉后再导入",
        "第3行 F列“片区”:第3个字处有看不见的控制字符(U+200B),请在表格里删掉后再导入",
    ]
    with pytest.raises(imports.ImportRefused):
        imports.commit(actor=admin, draft=preview.draft)
    assert not WorkWish.objects.exists()


def test_a_control_character_excel_escaped_in_an_xlsx_is_refused_with_its_row(cast, admin):
    # Excel writes a control character in a cell as _x0007_ (openpyxl refuses to write the character).
    escaped = ["李_x001B_桂兰", "13900139001", "缝纫", "12", "在家", "望海新村"]
    rows = [WISH_HEADER, resident(1), resident(2), escaped]
    preview = run_preview(admin, cast.ws, xlsx(rows))
    assert [str(e) for e in preview.errors] == [
        "第4行 A列“姓名”:第2个字处有看不见的控制字符(U+001B),请在表格里删掉后再导入"
    ]
    assert not WorkWish.objects.exists()


def _5000_rows() -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(WISH_HEADER)
    for i in range(imports.MAX_ROWS):
        sheet.append(resident(i))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A peak this low needs streaming: openpyxl's ordinary mode holds every cell as an object (about 17 MB
# for this sheet), where read-only mode holds one row at a time, and the table of text about 4–5 MB.
PEAK_BYTES = 8 * 1024 * 1024


def test_5000_rows_are_read_in_streaming_mode_within_bounded_memory():
    data = _5000_rows()
    tracemalloc.start()
    try:
        table = imports.read_table("五千人.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(table.rows) == imports.MAX_ROWS + 1
    assert table.rows[-1][1][0] == f"居民{imports.MAX_ROWS - 1}"
    assert peak < PEAK_BYTES, f"peak {peak / 1e6:.1f} MB"


def _million_row_sheet() -> bytes:
    """A real .xlsx whose sheet has a million rows (one shared string each), about 100 KB zipped, and whose
    dimension says A1."""
    out = io.BytesIO()
    row = b'<row><c t="s"><v>1</v></c></row>'
    body = [b'<dimension ref="A1"/><sheetData><row><c t="s"><v>0</v></c></row>', *([row * 1000] * 1000)]
    raw_xlsx(out, [*body, b"</sheetData>"], shared_strings=["姓名", "王秀英"])
    return out.getvalue()


def _counting(monkeypatch, name: str) -> list[int]:
    pulled = [0]
    original = getattr(reading, name)

    def counted(data):
        for item in original(data):
            pulled[0] += 1
            yield item

    monkeypatch.setattr(reading, name, counted)
    return pulled


def test_a_million_row_sheet_is_refused_from_its_zip_directory_before_any_row_is_read(monkeypatch):
    pulled = _counting(monkeypatch, "_xlsx_rows")
    with pytest.raises(ValidationError, match="压缩比超过 100 倍"):
        imports.read_table("一百万行.xlsx", _million_row_sheet())
    assert pulled[0] == 0


def test_a_million_row_sheet_is_refused_after_reading_no_more_than_the_limit(monkeypatch):
    # Past the zip check (which alone refuses this sheet), the rows are still counted while streaming.
    monkeypatch.setattr(uploads, "XLSX_MAX_RATIO", 10_000)
    monkeypatch.setattr(uploads, "XLSX_MAX_UNCOMPRESSED", 1 << 30)
    data = _million_row_sheet()
    assert len(data) < imports.MAX_BYTES
    pulled = _counting(monkeypatch, "_xlsx_rows")
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match="一次最多导入5000行"):
            imports.read_table("一百万行.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert pulled[0] <= imports.MAX_ROWS + reading.HEADER_SCAN_ROWS + 1
    assert peak < PEAK_BYTES


def test_a_long_csv_is_streamed_and_refused_at_the_limit(monkeypatch):
    data = csv_bytes([WISH_HEADER] + [resident(i) for i in range(60_000)])
    assert len(data) < imports.MAX_BYTES
    pulled = _counting(monkeypatch, "_csv_rows")
    with pytest.raises(ValidationError, match="一次最多导入5000行"):
        imports.read_table("长.csv", data)
    assert pulled[0] <= imports.MAX_ROWS + reading.HEADER_SCAN_ROWS + 1
