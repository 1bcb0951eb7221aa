"""Small helpers shared by the pages (dashboard, matching, and the phone pages): how a refused change is put
into words, where a form goes back to, and how a list is cut into pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .models import IllegalTransition, JobState

PAGE_SIZE = 50


def refused_text(exc: Exception, states=JobState) -> str:
    """A refused change in words (Chinese by default): a ValidationError's messages, an illegal move
    named by ``states``' labels (the states of the object the view was moving), or a refusal's reason."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, IllegalTransition):
        labels = dict(states.choices)
        return _("操作没有完成:现在的状态是“%(cur)s”,不能变为“%(to)s”。请查看最新情况。") % {
            "cur": labels.get(exc.current, exc.current),
            "to": labels.get(exc.target, exc.target),
        }
    return str(exc) or _("没有权限做这个操作。")


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the form's ``next`` when it is a local URL, else to ``fallback``."""
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(nxt)
    return redirect(fallback)


def paginate(request: HttpRequest, rows, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``rows`` (a queryset or a list) named by ``?page=``: the first for a missing or
    malformed number, the last for one past the end."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


MAX_ID = 2**63 - 1  # the largest primary key a database column holds


def id_param(request: HttpRequest, name: str) -> int | None:
    """The query parameter ``name`` as a row id, or None when it is missing, not a whole number, or larger
    than any id (a filter on it would overflow the database column: a 500, not an empty list)."""
    raw = request.GET.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None
