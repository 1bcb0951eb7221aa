"""Small display filters for the dashboard: percentages, progress-bar widths, yuan with separators."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def pct(value, places: int = 1) -> str:
    """A ratio (0..1, or None) as a percentage: ``0.9512`` → ``95.1%``; None → ``—``."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(places)}f}%"


@register.filter
def bar(value) -> int:
    """A ratio as a progress-bar width in whole percent, 0..100."""
    try:
        return max(0, min(100, round(float(value or 0) * 100)))
    except (TypeError, ValueError):
        return 0


@register.filter
def yuan(value) -> str:
    """Yuan with thousands separators and two places: ``12345.6`` → ``12,345.60``."""
    try:
        return f"{Decimal(value or 0):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def share(part, whole) -> int:
    """``part`` of ``whole`` as a bar width in whole percent (0 when whole is 0)."""
    try:
        return max(0, min(100, round(int(part or 0) * 100 / int(whole)))) if whole else 0
    except (TypeError, ValueError, ZeroDivisionError):
        return 0


@register.filter
def cell(value, kind: str = "") -> str:
    """A report cell by its column kind: money as ``yuan``, a percentage (70.3) as ``70.3%``, text (a
    suppressed "<3" or "—") as it is."""
    if isinstance(value, str) or value is None:
        return "—" if value is None else value
    if kind == "money":
        return yuan(value)
    if kind == "pct":
        return f"{value}%"
    return str(value)


@register.filter
def who(worker, scope) -> str:
    """How the page's reader sees ``worker`` (``Scope.worker_label``): her name, or her number for the staff
    of a firm that the head shows workers to by number. Without a scope, her name."""
    if worker is None:
        return ""
    return scope.worker_label(worker) if scope is not None else worker.name


@register.filter
def unnamed(text, scope) -> str:
    """Free words a person typed (a correction's reason, an inspection's note) as the page's reader may
    read them (``Scope.unname``): a firm that sees a workshop's workers by number reads her number where
    her name was written. Without a scope, the text."""
    if not text or scope is None:
        return text or ""
    return scope.unname(str(text))
