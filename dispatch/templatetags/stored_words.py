"""Words the system stores (a flow event's note, a share's reasons) shown in the reader's language.

The flow stores its own words as their Chinese msgids (``gettext_noop``), whoever's request wrote them,
and joins several with " · "; a person's own words (a decline reason, the firm's rejection reason) are
stored as typed. ``{{ e.note|words }}`` translates each part that is a msgid and leaves the rest as it is.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext

from dispatch.optimiser import ON_TIME_REASON

register = template.Library()

SEPARATOR = " · "
# The one stored word with a number in it (``optimiser.ON_TIME_REASON`` filled in: "准时率 96%").
_BEFORE, _AFTER = ON_TIME_REASON.replace("%%", "%").split("%(p)d")
ON_TIME = re.compile(rf"^{re.escape(_BEFORE)}(\d{{1,3}}){re.escape(_AFTER)}$")


def _part(part: str) -> str:
    on_time = ON_TIME.match(part)
    if on_time:
        return gettext(ON_TIME_REASON) % {"p": int(on_time.group(1))}
    return gettext(part) if part else part


@register.filter
def words(value) -> str:
    """``value``'s parts (joined by " · ") in the reader's language where the catalogue has them."""
    if not value:
        return ""
    return SEPARATOR.join(_part(part) for part in str(value).split(SEPARATOR))
