"""Words the system stores (a flow event's note, a share's reasons) shown in the reader's language.

The flow stores its own words as their Chinese msgids (``gettext_noop``), whoever's request wrote them,
and joins several with " · "; a person's own words (a decline reason, the firm's rejection reason) are
stored as typed. ``{{ e.note|words }}`` translates each part that is a msgid and leaves the rest as it is.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext, gettext_noop, ngettext

from dispatch.optimiser import NUMBERED_REASONS
from dispatch.services.inspections import LOT_NOTE
from dispatch.services.offers import GROWN_NOTE
from dispatch.services.takeback import PASS_ON_NOTE, TAKE_BACK_NOTE

register = template.Library()

SEPARATOR = " · "


def _pattern(msgid: str) -> tuple[re.Pattern, str]:
    # Stored words with numbers in them (``optimiser.NUMBERED_REASONS`` filled in: "准时率 96%",
    # "手头120件"; a lot's inspection, ``LOT_NOTE``; an offer grown, ``GROWN_NOTE``): a pattern that finds
    # each number by its name.
    pattern = re.escape(msgid.replace("%%", "%"))
    pattern = re.sub(r"%\\\((\w+)\\\)d", r"(?P<\1>-?\\d{1,9})", pattern)
    return re.compile(f"^{pattern}$"), msgid


NUMBERED = [
    _pattern(msgid) for msgid in (*NUMBERED_REASONS, LOT_NOTE, GROWN_NOTE, TAKE_BACK_NOTE, PASS_ON_NOTE)
]


def _taken_back(n: int) -> str:
    """A take-back's count ("收回 70 件"), "1 piece" in English: the plural msgid of ``TAKE_BACK_NOTE``."""
    return ngettext("收回 %(n)d 件", "收回 %(n)d 件", n) % {"n": n}


def _passed_on(n: int) -> str:
    """A rework share's rest passed on ("转出返工 12 件"): the plural msgid of ``PASS_ON_NOTE``."""
    return ngettext("转出返工 %(n)d 件", "转出返工 %(n)d 件", n) % {"n": n}


# Stored words whose figure is a count of pieces, said in the reader's plural form.
COUNTED = {
    TAKE_BACK_NOTE: lambda values: _taken_back(values["n"]),
    PASS_ON_NOTE: lambda values: _passed_on(values["n"]),
}


# Stored words followed by figures or a name the flow wrote after them ("更正验收 王秀英 10→8").
PREFIXED = frozenset((gettext_noop("撤销报工"), gettext_noop("更正报工"), gettext_noop("更正验收")))


def _part(part: str) -> str:
    head, space, rest = part.partition(" ")
    if space and head in PREFIXED:
        return f"{gettext(head)} {rest}"
    for pattern, msgid in NUMBERED:
        found = pattern.match(part)
        if found:
            values = {k: int(v) for k, v in found.groupdict().items()}
            if msgid in COUNTED:
                return COUNTED[msgid](values)
            return gettext(msgid) % values
    return gettext(part) if part else part


@register.filter
def words(value) -> str:
    """``value``'s parts (joined by " · ") in the reader's language where the catalogue has them."""
    if not value:
        return ""
    return SEPARATOR.join(_part(part) for part in str(value).split(SEPARATOR))
