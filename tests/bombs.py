"""Upload bombs for the fault suite, and the peak memory a reader takes on one, measured in a fresh process.

:func:`peak_growth` runs a snippet in a new Python process (Django set up, no database): the file is read
into memory first (an upload's bytes are the request's, not the reader's), then the process's resident
size is taken (``VmRSS``), the snippet runs, and the peak (``VmHWM``) minus that is the growth. A fresh
process is the honest way: a peak cannot be reset inside the test run's own process.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent

_RUNNER = r"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.core.exceptions import ValidationError

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB

with open(sys.argv[1], "rb") as f:
    data = f.read()
name = os.path.basename(sys.argv[1])
before = status("VmRSS")
refused = ""
try:
    exec(sys.argv[2])
except ValidationError as exc:
    refused = " ".join(exc.messages)
print(json.dumps({"refused": refused, "growth_mb": (status("VmHWM") - before) / 1024}))
"""


def peak_growth(path: Path, snippet: str) -> dict:
    """Run ``snippet`` (Python; ``data`` holds the file's bytes, ``name`` its name) in a fresh process and
    return ``{"refused": the ValidationError's words or "", "growth_mb": peak resident growth in MB}``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(path), snippet],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def huge_png(path: Path, side: int = 12_000) -> Path:
    """A solid one-bit PNG of ``side`` × ``side`` pixels: a few tens of KB on disk, 144 megapixels."""
    Image.new("1", (side, side), 1).save(path, "PNG")
    return path


_NS = "http://schemas.openxmlformats.org"
_XML = '<?xml version="1.0" encoding="UTF-8"?>'
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELS = f"{_NS}/officeDocument/2006/relationships"
_SHEET_HEAD = f'{_XML}<worksheet xmlns="{_NS}/spreadsheetml/2006/main">'.encode()


def _relationships(*links: tuple[str, str]) -> str:
    """A relationships part: ``links`` as (type, target), numbered rId1, rId2, …"""
    rows = "".join(
        f'<Relationship Id="rId{n}" Type="{_RELS}/{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(links, 1)
    )
    return f'{_XML}<Relationships xmlns="{_NS}/package/2006/relationships">{rows}</Relationships>'


def _package_parts(shared_strings) -> dict[str, str]:
    """The parts of a one-sheet workbook besides the sheet: content types, relationships, the workbook and,
    when ``shared_strings`` is given, its shared-strings part."""
    kinds = {"/xl/workbook.xml": "sheet.main+xml", "/xl/worksheets/sheet1.xml": "worksheet+xml"}
    links = [("worksheet", "worksheets/sheet1.xml")]
    parts = {
        "_rels/.rels": _relationships(("officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": (
            f'{_XML}<workbook xmlns="{_NS}/spreadsheetml/2006/main" xmlns:r="{_RELS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
    }
    if shared_strings is not None:
        kinds["/xl/sharedStrings.xml"] = "sharedStrings+xml"
        links.append(("sharedStrings", "sharedStrings.xml"))
        n, items = len(shared_strings), "".join(f"<si><t>{text}</t></si>" for text in shared_strings)
        parts["xl/sharedStrings.xml"] = (
            f'{_XML}<sst xmlns="{_NS}/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{items}</sst>'
        )
    overrides = "".join(
        f'<Override PartName="{name}" ContentType="{_OFFICE}.{kind}"/>' for name, kind in kinds.items()
    )
    parts["[Content_Types].xml"] = (
        f'{_XML}<Types xmlns="{_NS}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
    )
    parts["xl/_rels/workbook.xml.rels"] = _relationships(*links)
    return parts


def raw_xlsx(out, sheet_body, *, shared_strings=None) -> None:
    """Write a real one-sheet .xlsx to ``out`` (a path or a binary file) by hand, streaming the sheet: its
    XML is the worksheet element around the byte chunks of ``sheet_body`` (an iterable), so a sheet of
    hundreds of MB or a million rows is made without holding it. ``shared_strings``: texts for ``t="s"``
    cells. openpyxl could not write such a file: it would build it in memory first."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in _package_parts(shared_strings).items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD)
            for chunk in sheet_body:
                sheet.write(chunk)
            sheet.write(b"</worksheet>")


def xlsx_bomb(path: Path, *, cell_mb: int = 400) -> Path:
    """A real .xlsx (under 1 MB) whose one sheet holds one inline-string cell of ``cell_mb`` MB of the same
    letter: openpyxl would build that string, and the sheet's XML, in memory."""
    chunk = b"A" * (1 << 20)
    body = [
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
        *([chunk] * cell_mb),
        b"</t></is></c></row></sheetData>",
    ]
    raw_xlsx(path, body)
    return path


def long_csv(path: Path, rows: int = 1_000_000) -> Path:
    """A CSV of ``rows`` short rows (about 4 MB for a million: under the 5 MB upload limit)."""
    out = io.StringIO()
    out.write("a,b\n")
    for _ in range(rows):
        out.write("x,1\n")
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
