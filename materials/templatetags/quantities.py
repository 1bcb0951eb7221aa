"""Quantities of material as people write them: ``{{ q|qty }}`` shows 101.000 as 101 and 35.700 as 35.7
(None as —); ``{{ rate|pct_or_dash }}`` a loss rate in % (a Decimal, or None before anything was used)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def qty(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        return format(Decimal(value).normalize(), "f")
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def pct_or_dash(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{qty(value)}%"
