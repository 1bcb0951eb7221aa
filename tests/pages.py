"""Reading a page for what it shows to people: without the random CSRF tokens, whose 64 letters and digits
may spell a name a test looks for ("bobwoHDF…" failed a firm's "no worker named bob" check once)."""

from __future__ import annotations

import re

_TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def without_tokens(html: str) -> str:
    """``html`` with every CSRF token's value emptied."""
    return _TOKENS.sub(r"\1\2", html)
