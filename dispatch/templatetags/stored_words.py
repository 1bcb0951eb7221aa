"""Words the system stores (a flow event's note, a share's reasons) shown in the reader's language.

The flow stores its own words as their Chinese msgids (``gettext_noop``), whoever's request wrote them,
and joins several with " · "; a person's own words (a decline reason, the firm's rejection reason) are
stored as typed. ``{{ e.note|words }}`` translates each part that is a msgid and leaves the rest as it is.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()

SEPARATOR = " · "


@register.filter
def words(value) -> str:
    """``value``'s parts (joined by " · ") in the reader's language where the catalogue has them."""
    if not value:
        return ""
    return SEPARATOR.join(gettext(part) if part else part for part in str(value).split(SEPARATOR))
