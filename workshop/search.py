"""Search keys: one normalised text per row, so that finding a person, a firm or a demand is one query.

A row's key (``SearchKeyField``, a column named ``search_text``) holds, lower-case and space separated:
its texts as written (a name, a title, a credit code), every pinyin reading of its Chinese names as
initials (``张秀梅`` → ``zxm``) and as full spelling (``zhangxiumei``; characters with several readings
give each, ``曾`` → ``zeng`` and ``ceng``), and the last 4 digits of its phone between ``#`` marks
(``#5678#``), never more of the number. A search is then a ``contains`` on that one column
(:func:`needle` turns what was typed into the text to look for): a trigram GIN index answers it on
PostgreSQL (``pg_trgm``, created by the migrations only there), a scan on SQLite.

The key is computed in ``pre_save`` from the row's own fields, so every writer that saves the row (the
services, the imports, the admin, ``bulk_create``) keeps it current. A writer that changes a source field
with ``QuerySet.update`` or ``save(update_fields=...)`` must write ``search_text`` too (``key_of``).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

import phonenumbers
from django.db import models
from django.utils import translation
from pypinyin import Style, pinyin

MAX_PINYIN_READINGS = 16
PHONE_TAIL = 4  # digits of a phone number a key holds (what ``mask_phone`` shows: 138****1234)
MAX_QUERY = 50  # characters of a query that are read
CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")  # spaces between Chinese characters
WHOLE_NUMBER = 11  # digits from which a query is a whole number (a mobile, a landline with its area code)


@functools.lru_cache(maxsize=20000)
def name_keys(name: str) -> tuple[str, ...]:
    """Lower-case pinyin search keys of a Chinese name: every reading's initials (``张三`` → ``zs``) and
    full spelling (``zhangsan``). Characters with several readings (曾 zeng/ceng, 单 shan/dan) give each
    reading, up to ``MAX_PINYIN_READINGS`` combinations per style; other characters (latin letters,
    digits) count one by one, lower-cased."""
    initials = pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors=lambda s: list(s.lower()))
    full = pinyin(name, style=Style.NORMAL, heteronym=True, errors=lambda s: list(s.lower()))
    keys: set[str] = set()
    for readings in (initials, full):
        for combo in itertools.islice(itertools.product(*readings), MAX_PINYIN_READINGS):
            keys.add("".join(combo).lower().replace(" ", ""))
    return tuple(sorted(keys))


def _digits(value) -> str:
    return re.sub(r"\D", "", str(getattr(value, "national_number", value) or ""))


def phone_tail_token(phone) -> str:
    """``#5678#``: the last ``PHONE_TAIL`` digits of a phone number between marks; "" without one."""
    digits = _digits(phone)
    return f"#{digits[-PHONE_TAIL:]}#" if len(digits) >= PHONE_TAIL else ""


def search_key(*, names=(), plain=(), phone=None) -> str:
    """The key of a row: ``names`` (texts with pinyin keys), ``plain`` (texts as written: codes, labels)
    and ``phone`` (its tail only). Starts and ends with a space, so that `` z`` finds a word starting
    with z. Blank parts are skipped."""
    words: list[str] = []
    for text in names:
        text = " ".join(str(text or "").split()).lower()
        if text:
            words.append(text)
            joined = CJK_GAP.sub("", text)  # "陆 阿 毛", spaced out to line up in a register, is 陆阿毛 too
            if joined != text:
                words.append(joined)
            words.extend(k for k in name_keys(text) if k != text)
    for text in plain:
        text = " ".join(str(text or "").split()).lower()
        if text:
            words.append(text)
    tail = phone_tail_token(phone)
    if tail:
        words.append(tail)
    return f" {' '.join(dict.fromkeys(words))} " if words else ""


class SearchKeyField(models.TextField):
    """A row's search key, computed from its own fields whenever the row is saved (``pre_save``, like
    ``auto_now``; ``bulk_create`` too). ``names``: fields read with their pinyin; ``plain``: fields read
    as written (a field with choices gives its Chinese label); ``phone``: the field whose last 4 digits
    are kept. Not editable; blank for a row with nothing to find."""

    def __init__(self, *args, names=(), plain=(), phone=None, **kwargs):
        self.names, self.plain, self.phone = tuple(names), tuple(plain), phone
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for attr in ("names", "plain"):
            if getattr(self, attr):
                kwargs[attr] = list(getattr(self, attr))
        if self.phone:
            kwargs["phone"] = self.phone
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, "workshop.search.SearchKeyField", args, kwargs

    def key_of(self, instance) -> str:
        """The key ``instance``'s fields give now (no query: only its own columns are read)."""
        with translation.override(None):  # a choice's label as its Chinese source text
            plain = [self._text(instance, name) for name in self.plain]
        return search_key(
            names=[getattr(instance, name) for name in self.names],
            plain=plain,
            phone=getattr(instance, self.phone) if self.phone else None,
        )

    @staticmethod
    def _text(instance, name: str) -> str:
        field = instance._meta.get_field(name)
        value = getattr(instance, field.attname)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value or ""))
        return str(value or "")

    def pre_save(self, model_instance, add):
        value = self.key_of(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def refresh_keys(model, *, batch_size: int = 500) -> int:
    """Recompute ``search_text`` for every row of ``model`` (a model or a migration's historical model
    with a ``SearchKeyField`` named ``search_text``); returns the rows rewritten. For data migrations and
    rows written around ``save`` (``QuerySet.update``)."""
    field = model._meta.get_field("search_text")
    changed = []
    for row in model.objects.order_by("pk").iterator(chunk_size=batch_size):
        key = field.key_of(row)
        if row.search_text != key:
            row.search_text = key
            changed.append(row)
    model.objects.bulk_update(changed, ["search_text"], batch_size=batch_size)
    return len(changed)


# --- what to look for ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Needle:
    """What a typed query looks for in the keys: ``text`` (a ``contains`` on ``search_text``) and how it
    was read (``kind``: ``phone`` a phone tail, ``pinyin`` letters, ``text`` anything else; ``shown``: the
    query as read, for the page to say "按手机尾号 5678 查找")."""

    text: str
    kind: str
    shown: str
    number: str = ""  # a whole mainland number typed (E.164, "+8613912345678"), else ""

    def q(self, field: str = "search_text", phone_field: str | None = None) -> models.Q:
        """The filter on ``field``; with ``phone_field`` (the row's own phone column), a whole number is
        matched exactly: its last 4 digits alone would also find another person with the same tail."""
        found = models.Q(**{f"{field}__contains": self.text})
        if self.number and phone_field:
            found &= models.Q(**{phone_field: self.number})
        return found


def needle(query: str | None) -> Needle | None:
    """Read a typed query, or None when there is nothing to look for (blank).

    - digits only (spaces, dashes, brackets and a leading +86 allowed): 1 to 4 digits are a phone tail (a
      number ending with them: ``21`` finds a tail 4321, never 3214 by the digits inside it); 11 or more,
      a whole number, found by its last 4 digits (keys hold no more of a number: the results show masked
      numbers to tell them apart); 5 to 10 digits are text (part of a credit code).
    - latin letters only: pinyin (initials or spelling). One letter finds words starting with it; two or
      more, words holding them (``xm`` finds 张秀梅 by ``zxm``).
    - anything else: the text itself (a name or part of one, a title, a credit code), lower-cased.

    Only the first ``MAX_QUERY`` characters are read."""
    # ``#`` and ``|`` delimit a key's parts (``#4321#``): typed, they would match every key.
    raw = " ".join((query or "").replace("#", " ").replace("|", " ").split())[:MAX_QUERY].lower()
    if not raw:
        return None
    compact = re.sub(r"[\s\-()（）]", "", raw)
    if compact.startswith("+86"):
        compact = compact[3:]
    if compact.isdigit() and (len(compact) <= PHONE_TAIL or len(compact) >= WHOLE_NUMBER):
        tail = compact[-PHONE_TAIL:]
        number = _e164(compact) if len(compact) >= WHOLE_NUMBER else ""
        text = f"#{tail}#" if len(tail) == PHONE_TAIL else f"{tail}#"
        return Needle(text=text, kind="phone", shown=number[3:] if number else tail, number=number)
    if re.fullmatch(r"[a-z]+", compact):
        return Needle(text=compact if len(compact) > 1 else f" {compact}", kind="pinyin", shown=compact)
    return Needle(text=raw, kind="text", shown=raw)


def _e164(digits: str) -> str:
    """A whole mainland number typed as digits (its +86 already taken off, or 0086 still on) in E.164,
    or "" when it is not a valid number (then its last 4 digits are all the search uses)."""
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def lookup(query: str | None, field: str = "search_text", phone_field: str | None = None) -> models.Q | None:
    """The filter for ``query`` on ``field`` (``firm__search_text`` reaches a related row's key), or None
    when there is nothing to look for. ``phone_field``: the rows' phone column, which a whole number
    typed must equal (``Needle.q``)."""
    found = needle(query)
    return None if found is None else found.q(field, phone_field)
