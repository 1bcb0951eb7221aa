"""The QR codes the product prints (bundle tickets, the head's sign-in sheet) as inline SVG.

The SVG has a ``viewBox`` and no width or height of its own (segno's ``omitsize``), so the page's CSS
sets its printed size and the whole code, quiet zone included, scales into that box: nothing is cut off,
whatever the size. Every code on a printed sheet is decoded in the tests at print size.
"""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe

# Four modules of white around the code: the quiet zone the QR standard asks for and scanners need.
QUIET_ZONE = 4


def qr_svg(data: str, *, error: str = "m", css_class: str = "qr") -> SafeString:
    """``data`` (a URL) as an inline SVG QR code that fills the box its CSS gives it."""
    code = segno.make(data, error=error)
    svg = code.svg_inline(
        scale=1, border=QUIET_ZONE, omitsize=True, dark="#000", light="#fff", svgclass=css_class
    )
    return mark_safe(svg)  # noqa: S308 - segno's own SVG of our URL, no user markup
