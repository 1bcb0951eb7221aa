"""Which column is which: the header row under any merged title rows, its columns mapped to fields by the
synonyms in ``vocabulary``, the best guess for the columns no synonym names (the mapping page's
preselection), and the header row's signature by which a community's mapping is remembered.

Pure: no database. ``checking`` looks the signature up among the remembered mappings.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field

from ..models import ImportKind
from .reading import HEADER_SCAN_ROWS, Table, norm
from .vocabulary import DEMAND_KEY, WISH_KEY, WISH_REQUIRED, headers_for, hints_for, labels_for

# Fields a sheet must have, as groups (any one field of a group will do).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    ImportKind.WISHES: tuple(
        ("hours", "hours_day") if name == "hours" else (name,) for name in WISH_REQUIRED
    ),
    ImportKind.DEMANDS: (("credit_code",), ("kind",), ("starts_on", "period")),
}
KEYS = {ImportKind.WISHES: WISH_KEY, ImportKind.DEMANDS: DEMAND_KEY}


def header_key(text: str) -> str:
    """A header as compared: NFKC, no spaces, no "*" or "※", no "(选填)", no trailing colon, lower case."""
    text = norm(text).replace("*", "").replace("※", "")
    text = re.sub(r"\s+", "", text).rstrip(":")
    text = re.sub(r"\((?:选填|必填|可选|可不填|如有|必须)\)", "", text)
    return text.lower()


@functools.cache
def _lookup(kind: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for name, synonyms in headers_for(kind).items():
        for s in synonyms:
            table.setdefault(header_key(s), name)
    return table


def _candidates(key: str) -> list[str]:
    bare = re.sub(r"\(.*?\)", "", key)
    return [key, bare, *(p for p in re.split(r"[/、|]", bare) if p)]


def match_header(cells: list[str], kind: str) -> dict[str, int]:
    """Field → column index for the headers a synonym names. Each cell is tried whole, without a
    bracketed unit ("月需求量(件)"), then by each part of "手机号/联系电话"; the first column wins."""
    table = _lookup(kind)
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = header_key(cell)
        for c in _candidates(key) if key else ():
            name = table.get(c)
            if name and name not in found:
                found[name] = i
                break
    return found


def _hint_length(hint: str) -> int:
    return len(hint.replace("+", ""))


def guess_columns(cells: list[str], kind: str) -> dict[str, int]:
    """The recognised columns plus, for the rest, the field whose hint is the longest word inside the
    header ("每周大概能来几个钟头" → hours). A hint "每天+小时" needs both words, and counts them both, so it
    outweighs the plain "小时" ("每天工作几小时" → hours a day). A guess only: the mapping page shows it
    preselected."""
    found = match_header(cells, kind)
    taken = set(found.values())
    scored: list[tuple[int, int, str]] = []
    for i, cell in enumerate(cells):
        key = header_key(cell)
        if i in taken or not key:
            continue
        for name, hints in hints_for(kind).items():
            best = max(
                (_hint_length(h) for h in hints if all(part in key for part in h.split("+"))), default=0
            )
            if best and name not in found:
                scored.append((-best, i, name))
    for _score, i, name in sorted(scored):
        if name not in found and i not in taken:
            found[name] = i
            taken.add(i)
    return found


def missing(columns: dict[str, int], kind: str) -> list[str]:
    """The labels of the required fields (groups) that ``columns`` lacks, e.g. ["片区"]."""
    labels = labels_for(kind)
    return [
        "/".join(str(labels[name]) for name in group)
        for group in REQUIRED[kind]
        if not any(name in columns for name in group)
    ]


def signature(cells: list[str]) -> str:
    """The header row's fingerprint: sha256 of its compared cells, trailing blanks dropped."""
    keys = [header_key(c) for c in cells]
    while keys and not keys[-1]:
        keys.pop()
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


@dataclass
class Layout:
    """Where the header is (``index`` into ``table.rows``) and which column is which field.

    ``source``: "auto" (every required column named by a synonym), "remembered" (this community's
    mapping for this header row), "chosen" (on the mapping page for this upload) or "guess" (not good
    enough to import: the mapping page must be shown, with these columns preselected)."""

    index: int
    row: int
    headers: list[str]
    columns: dict[str, int]
    source: str
    missing: list[str] = field(default_factory=list)

    @property
    def ignored(self) -> list[str]:
        """Headers of the columns no field reads."""
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if h and i not in used]

    def header_of(self, name: str) -> str:
        i = self.columns.get(name)
        return self.headers[i] if i is not None and i < len(self.headers) else ""


def column_letter(index: int) -> str:
    """0 → "A", 26 → "AA": the column as the spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def find_header(table: Table, kind: str) -> Layout | None:
    """The first of the first 20 rows that names the key column and at least one other, if every required
    column is named too; else None."""
    for index, (number, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        columns = match_header(cells, kind)
        if KEYS[kind] in columns and len(columns) >= 2:
            gaps = missing(columns, kind)
            if not gaps:
                return Layout(index, number, cells, columns, "auto")
    return None


def guess_header(table: Table, kind: str, *, row: int | None = None) -> Layout:
    """The header row to offer on the mapping page (``row``: the sheet row the user picked; else the row
    of the first 20 with the most recognised and guessed columns, then the most text cells), with the
    guessed columns and what is still missing."""
    best: tuple | None = None
    for index, (number, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        if row is not None and number != row:
            continue
        named = match_header(cells, kind)
        guessed = guess_columns(cells, kind)
        texts = sum(1 for c in cells if c and not re.fullmatch(r"[\d.\-/: ]+", c))
        score = (len(named), len(guessed), texts, -index)
        if best is None or score > best[0]:
            best = (score, index, number, cells, guessed)
    if best is None:
        index, number, cells = (
            0,
            table.rows[0][0] if table.rows else 1,
            table.rows[0][1] if table.rows else [],
        )
        guessed = guess_columns(cells, kind)
    else:
        _score, index, number, cells, guessed = best
    return Layout(index, number, cells, guessed, "guess", missing(guessed, kind))
