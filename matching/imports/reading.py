"""Reading an uploaded .xlsx or .csv into a :class:`Table` of text, streamed, within bounded memory.

- xlsx: openpyxl in read-only mode (rows parsed one at a time from the sheet's XML, never the whole
  sheet in memory), with the sheet's own size thrown away first (``reset_dimensions``): WPS and some
  exporters write ``<dimension ref="A1"/>`` on a sheet of 200 rows, and read-only openpyxl trusts it
  and would read one cell. Formulas as their cached values, date cells as dates, and Excel's escapes of
  control characters (``_x0007_``) turned back into the characters, so the check can name them.
- csv: decoded as it is read (UTF-8 with or without BOM, UTF-16 with BOM as Excel's "Unicode text", else
  GB18030, the superset of the GBK that Chinese Excel and WPS save), comma, tab or semicolon.

Before openpyxl opens an xlsx, its zip directory is checked (``workshop.uploads.xlsx_zip_check``): a
file that would unpack to more than 50 MB, or a member packed more than 100 to 1 (a zip bomb), is refused
before anything is unpacked. Reading stops at ``MAX_ROWS`` rows with content (below up to
``HEADER_SCAN_ROWS`` title and header rows) and refuses the file: a sheet of a million rows is never read
to its end. A run of ``BLANK_RUN`` empty rows ends the sheet (formatted but empty rows to the bottom of
the grid).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from workshop.uploads import xlsx_zip_check

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SCAN_ROWS = 20
BLANK_RUN = 1000


def norm(value) -> str:
    """A cell as text: NFKC (full-width digits and letters to half-width, ideographic spaces to spaces),
    stripped; integral numbers without ``.0``; dates as ISO; None as "". Control characters stay, for
    the check to refuse by name."""
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


@dataclass
class Table:
    """A sheet as text: ``rows`` are (spreadsheet row number, cells), blank rows already dropped."""

    rows: list[tuple[int, list[str]]]


def read_table(filename: str, data: bytes) -> Table:
    """Read an .xlsx (the first sheet with content) or a .csv into text. Raises ValidationError for
    another format, a file that cannot be read, more than 5 MB or more than ``MAX_ROWS`` rows."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件太大(超过5MB),请拆分后再导入。"), code="too_big")
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        raw = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        raw = _csv_rows(data)
    elif name.endswith((".xls", ".et", ".wps")):
        raise ValidationError(
            _("不支持旧版 .xls 文件,请在 Excel/WPS 里另存为 .xlsx 或 .csv 后再导入。"), code="xls"
        )
    else:
        raise ValidationError(_("只能导入 .xlsx 或 .csv 文件。"), code="format")
    rows: list[tuple[int, list[str]]] = []
    blank = 0
    for number, cells in raw:
        text = [norm(c) for c in cells]
        while text and not text[-1]:
            text.pop()
        if not text:
            blank += 1
            if blank >= BLANK_RUN and rows:
                break
            continue
        blank = 0
        rows.append((number, text))
        if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
            raw.close()
            raise ValidationError(
                _("一次最多导入%(n)d行,请拆分后再导入。") % {"n": MAX_ROWS}, code="too_many_rows"
            )
    return Table(rows=rows)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    stream = io.BytesIO(data)
    xlsx_zip_check(stream)  # a zip bomb is refused from the zip's directory, before anything unpacks
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValidationError(_("无法读取这个 Excel 文件,请确认是 .xlsx 格式。"), code="unreadable") from exc
    try:
        for sheet in book.worksheets:
            if not hasattr(sheet, "reset_dimensions"):
                continue
            sheet.reset_dimensions()  # WPS: a sheet of 200 rows may say it is A1
            found = False
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                values = tuple(unescape(c) if isinstance(c, str) else c for c in cells)
                found = found or any(c not in (None, "") for c in values)
                yield number, values
            if found:
                return
    except ValidationError:
        raise
    except Exception as exc:  # a damaged sheet part
        raise ValidationError(_("无法读取这个 Excel 文件,请确认是 .xlsx 格式。"), code="unreadable") from exc
    finally:
        book.close()


def _encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 16):
            decoder.decode(data[start : start + (1 << 16)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    encoding = _encoding(data)
    sample = data[:8192].decode(encoding, errors="ignore")
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="strict", newline="")
    reader = csv.reader(stream, dialect)
    number = 0  # records, as a spreadsheet numbers the rows (a quoted cell may span lines)
    try:
        for row in reader:
            number += 1
            yield number, row
    except UnicodeDecodeError as exc:
        raise ValidationError(_("无法识别文件编码,请另存为 UTF-8 的 CSV。"), code="encoding") from exc
    except csv.Error as exc:
        raise ValidationError(
            _("第%(n)d行无法读取(可能有看不见的特殊字符),请检查后再导入。") % {"n": number + 1},
            code="csv",
        ) from exc
