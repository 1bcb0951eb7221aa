"""One cell into a checked value, before anything is looked up in the database.

Text (refused with a control character in it: a bell or a zero-width space in a name breaks exports and
searches later), mobiles (``workshop.validators.parse_mainland_mobile``, the one rule of the forms and
models), firms' contact phones, ID numbers (GB 11643 by ``workshop.validators.check_id_number``: refused
when malformed, a warning when the area code is newer than the birth year), credit codes, process kinds
and skills (the built-in words and the community's own), the words for places, levels, yes and no.
Numbers, money and dates are in ``quantities`` and ``periods``. Each parser raises ``CellError`` with the
problem in words, without the column's name (the preview names the row and the column).
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from workshop.models import ProcessKind
from workshop.text import joined
from workshop.validators import (
    check_id_number,
    is_mainland_mobile,
    parse_mainland_mobile,
    validate_credit_code,
)

from .periods import parse_date, parse_end_date, parse_period
from .quantities import (
    HOUR_UNITS,
    PEOPLE_UNITS,
    CellError,
    Parsed,
    parse_count,
    parse_hours_per_day,
    parse_pieces_per_week,
    parse_rate,
)
from .vocabulary import KIND_HINTS, KIND_WORDS, NO, YES

__all__ = [
    "HOUR_UNITS",
    "PEOPLE_UNITS",
    "CellError",
    "Parsed",
    "UnknownSkills",
    "check_text",
    "guess_kind",
    "known_kind",
    "parse_choice",
    "parse_contact_phone",
    "parse_count",
    "parse_credit_code",
    "parse_date",
    "parse_end_date",
    "parse_id_number",
    "parse_kind",
    "parse_mobile",
    "parse_period",
    "parse_hours_per_day",
    "parse_pieces_per_week",
    "parse_rate",
    "parse_skills",
    "parse_yes_no",
]

# Categories of characters a cell may not hold: controls (Cc), format characters such as zero-width
# spaces and direction marks (Cf), private-use and lone surrogates. A line break is allowed in notes.
REFUSED_CATEGORIES = ("Cc", "Cf", "Co", "Cs")


class UnknownSkills(CellError):
    """Words of a skills (or process kind) cell that no skill word of the community knows: offered on the
    preview as new skills, not refused outright."""

    def __init__(self, words: list[str]):
        self.words = words
        super().__init__(_("“%(v)s”还不是已知的技能") % {"v": joined(words)})


def check_text(text: str, *, multiline: bool = False, max_length: int | None = None) -> str:
    """``text`` unchanged, or CellError naming the first control character and where it is."""
    for position, ch in enumerate(text, start=1):
        if unicodedata.category(ch) in REFUSED_CATEGORIES and not (multiline and ch in "\n\r\t"):
            raise CellError(
                _("第%(i)d个字处有看不见的控制字符(%(code)s),请在表格里删掉后再导入")
                % {"i": position, "code": f"U+{ord(ch):04X}"}
            )
    if max_length is not None and len(text) > max_length:
        raise CellError(_("太长了(最多%(n)d个字)") % {"n": max_length})
    return text


def parse_mobile(text: str) -> str:
    """A resident's phone as E.164, by the one mobile rule of the forms and models."""
    if not text:
        raise CellError(_("没有填写"))
    try:
        return parse_mainland_mobile(text).as_e164
    except ValidationError as exc:
        raise CellError(_("“%(v)s”不是11位大陆手机号") % {"v": check_text(text)}) from exc


def parse_contact_phone(text: str) -> str:
    """A firm's contact phone (a mobile by the one rule, or a landline with its area code) as E.164,
    or "" when blank."""
    if not text:
        return ""
    if is_mainland_mobile(text):
        return parse_mainland_mobile(text).as_e164
    compact = re.sub(r"[\s\-—–()()]", "", text)
    try:
        number = PhoneNumber.from_string(compact, region="CN")
    except phonenumbers.NumberParseException as exc:
        raise CellError(_("“%(v)s”不是有效的电话号码") % {"v": text}) from exc
    if not number.is_valid():
        raise CellError(_("“%(v)s”不是有效的电话号码") % {"v": text})
    return number.as_e164


def parse_id_number(text: str) -> Parsed:
    """A resident ID number (GB 11643), upper-case, or "" when blank; the note holds the warnings (an area
    code newer than the birth year). The error never repeats the number (it is masked everywhere)."""
    if not text:
        return Parsed("")
    number = re.sub(r"[\s\-]", "", text).upper()
    try:
        warnings = check_id_number(number)
    except ValidationError as exc:
        raise CellError(";".join(exc.messages)) from exc
    return Parsed(number, ";".join(warnings))


def parse_credit_code(text: str) -> str:
    code = re.sub(r"\s", "", text).upper()
    if not code:
        raise CellError(_("没有填写"))
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        raise CellError(_("“%(v)s”无效(应为18位,校验位正确)") % {"v": text}) from exc
    return code


def known_kind(word: str) -> str | None:
    """The process kind a built-in word names ("缝纫" → fabric), or None."""
    return KIND_WORDS.get(word) or KIND_WORDS.get(word.lower())


def _word_kind(word: str, words: dict[str, str]) -> str | None:
    return known_kind(word) or words.get(word) or words.get(word.lower())


def parse_kind(text: str, words: dict[str, str]) -> str:
    """A demand's process kind from a built-in word or one of the community's skills (``words``: name →
    kind). Raises UnknownSkills for a word nobody knows yet."""
    if not text:
        raise CellError(_("没有填写"))
    kind = _word_kind(text, words)
    if kind is None:
        check_text(text, max_length=20)
        raise UnknownSkills([text])
    return kind


SKILL_SPLIT = re.compile(r"[,,、;;/\s和及+]+")


def parse_skills(text: str, words: dict[str, str]) -> tuple[list[str], list[str]]:
    """(process kinds, the skill words as written) of a resident's skills cell ("缝纫、钉扣"). Raises
    UnknownSkills with every word nobody knows yet."""
    if not text:
        raise CellError(_("没有填写"))
    check_text(text)
    kinds, named, unknown = set(), [], []
    for word in (w for w in SKILL_SPLIT.split(text) if w):
        kind = _word_kind(word, words)
        if kind is None:
            if len(word) > 20:
                raise CellError(_("“%(v)s”太长,技能请用简短的词,用顿号分开") % {"v": word})
            unknown.append(word)
        else:
            kinds.add(kind)
            named.append(word)
    if unknown:
        raise UnknownSkills(unknown)
    return sorted(kinds), named


def guess_kind(word: str) -> str:
    """The process kind a new skill word most likely belongs to ("钉扣" → fabric), else "other"."""
    for kind, marks in KIND_HINTS.items():
        if any(mark in word for mark in marks):
            return kind
    return ProcessKind.OTHER


def parse_choice(text: str, words: dict[str, str], *, default: str | None = None) -> str:
    if not text:
        if default is not None:
            return default
        raise CellError(_("没有填写"))
    value = words.get(text) or words.get(text.lower())
    if value is None:
        raise CellError(_("“%(v)s”看不懂(可填:%(w)s)") % {"v": text, "w": joined(list(words)[:6])})
    return value


def parse_yes_no(text: str) -> bool | None:
    """True, False, or None for a blank cell."""
    if not text:
        return None
    low = text.lower()
    if low in YES:
        return True
    if low in NO:
        return False
    raise CellError(_("“%(v)s”请填“是”或“否”") % {"v": text})
