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


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def xlsx_bomb(path: Path, *, cell_mb: int = 400) -> Path:
    """A real .xlsx (under 1 MB) whose one sheet holds one inline-string cell of ``cell_mb`` MB of the same
    letter: openpyxl would build that string, and the sheet's XML, in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in _XLSX_PARTS.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
            )
            chunk = b"A" * (1 << 20)
            for _ in range(cell_mb):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return path


def long_csv(path: Path, rows: int = 1_000_000) -> Path:
    """A CSV of ``rows`` short rows (about 4 MB for a million: under the 5 MB upload limit)."""
    out = io.StringIO()
    out.write("a,b\n")
    for _ in range(rows):
        out.write("x,1\n")
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
