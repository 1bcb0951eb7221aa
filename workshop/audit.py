"""A worker's record audit (坊工档案记录, ``WorkerEvent``): what a change stores and how it reads back.

A change is stored as ``{"field", "old", "new"}`` strings with personal data masked before it is written
(phone ``138****1234``, ID number ``330***********123X``, bank account ``**** 1234``), choices as their
codes, skills as codes joined by commas, yes/no as "1"/"0", dates ISO. Reading it back puts codes into
the reader's words; a low-income change reads only for those who may see it (``Scope.sees_low_income``).
A leaf module: models and validators only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from .models import Employment, ProcessKind, Worker, WorkerEvent, WorkPlace
from .text import joined
from .validators import mask_bank_account, mask_id_number, mask_phone

# The fields the audit lists, in this order.
RECORD_FIELDS = (
    "name",
    "phone",
    "id_number",
    "employment",
    "work_place",
    "skills",
    "hours_per_week",
    "home_area",
    "joined_on",
    "low_income",
    "active",
    "bank_account",
    "bank_name",
)
_MASKS = {"phone": mask_phone, "id_number": mask_id_number, "bank_account": mask_bank_account}
_CHOICES = {"employment": Employment, "work_place": WorkPlace}


def stored(field: str, value) -> str:
    """``value`` of ``field`` as the audit stores it: masked, coded, never the clear personal datum."""
    if field in _MASKS:
        return _MASKS[field](value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _plain(value):
    if isinstance(value, PhoneNumber):
        return value.as_e164
    if isinstance(value, list | tuple):
        return sorted(value)
    return value


def changes_of(worker: Worker | None, new: dict) -> list[dict]:
    """What writing ``new`` (``{field: value}``) over ``worker`` changes, as stored audit changes in
    ``RECORD_FIELDS`` order: each field whose value differs; for a new worker (None), each field set."""
    out = []
    for field in sorted(new, key=RECORD_FIELDS.index):
        value = new[field]
        if worker is None:
            if value in ("", None, False, [], ()):
                continue
            out.append({"field": field, "old": "", "new": stored(field, value)})
            continue
        old = getattr(worker, field)
        if _plain(old) != _plain(value):
            out.append({"field": field, "old": stored(field, old), "new": stored(field, value)})
    return out


@dataclass(frozen=True)
class ChangeLine:
    """One changed field in words: its label, and the old and new values (masked as stored)."""

    label: str
    old: str
    new: str


def _words(field: str, value: str) -> str:
    if value == "":
        return "—"
    if field in _CHOICES:
        return str(dict(_CHOICES[field].choices).get(value, value))
    if field == "skills":
        labels = dict(ProcessKind.choices)
        return joined(labels.get(code, code) for code in value.split(","))
    if field in ("low_income",):
        return _("是") if value == "1" else _("否")
    if field == "active":
        return _("在岗") if value == "1" else _("已停用")
    return value


def change_lines(event: WorkerEvent, *, sees_low_income: bool) -> list[ChangeLine]:
    """``event``'s changes in the reader's words, low-income status left out unless the reader may see
    it."""
    lines = []
    for change in event.changes or []:
        field = change.get("field", "")
        if field == "low_income" and not sees_low_income:
            continue
        try:
            label = _("状态") if field == "active" else str(Worker._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:  # a field renamed since: its stored name
            label = field
        old, new = change.get("old", ""), change.get("new", "")
        lines.append(ChangeLine(label, _words(field, old), _words(field, new)))
    return lines
