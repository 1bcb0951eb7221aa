"""Words the system stores (a flow event's note, a share's reasons) shown in the reader's language.

The flow stores its own words as their Chinese msgids (``gettext_noop``), whoever's request wrote them,
and joins several with " · "; a person's own words (a decline reason, the firm's rejection reason) are
stored as typed. ``{{ e.note|words }}`` translates each part that is a msgid and leaves the rest as it is.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext, gettext_noop

from dispatch.optimiser import NUMBERED_REASONS

register = template.Library()

SEPARATOR = " · "


def _pattern(msgid: str) -> tuple[re.Pattern, str, str]:
    # A stored word with a number in it (``optimiser.NUMBERED_REASONS`` filled in: "准时率 96%",
    # "手头120件"): its msgid, the number's name, and a pattern that finds the number.
    name = re.search(r"%\((\w+)\)d", msgid).group(1)
    before, after = msgid.replace("%%", "%").split(f"%({name})d")
    return re.compile(rf"^{re.escape(before)}(\d{{1,9}}){re.escape(after)}$"), msgid, name


NUMBERED = [_pattern(msgid) for msgid in NUMBERED_REASONS]


# Stored words followed by figures or a name the flow wrote after them ("更正验收 王秀英 10→8").
PREFIXED = frozenset((gettext_noop("撤销报工"), gettext_noop("更正报工"), gettext_noop("更正验收")))


def _part(part: str) -> str:
    head, space, rest = part.partition(" ")
    if space and head in PREFIXED:
        return f"{gettext(head)} {rest}"
    for pattern, msgid, name in NUMBERED:
        found = pattern.match(part)
        if found:
            return gettext(msgid) % {name: int(found.group(1))}
    return gettext(part) if part else part


@register.filter
def words(value) -> str:
    """``value``'s parts (joined by " · ") in the reader's language where the catalogue has them."""
    if not value:
        return ""
    return SEPARATOR.join(_part(part) for part in str(value).split(SEPARATOR))
