"""What every dashboard view shares: the login-and-role decorator, the permission check, the pager's
query string, the context every page gets (pagination itself is ``dispatch.web.paginate``), and the
workshop a money page is about (``pay_workshop``)."""

from __future__ import annotations

import functools
from functools import cached_property

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from dispatch.models import IllegalTransition
from dispatch.views import HOME_BY_ROLE
from notices import selectors as inbox_reads
from workshop.models import Workshop
from workshop.roles import scope_for

from .. import pay_selectors

REFUSED = (ValidationError, IllegalTransition, PermissionDenied)


def dashboard_view(view):
    """Login and a dashboard role required; puts the user's ``Scope`` on ``request.scope``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("dashboard.view_dashboard"):
            start = HOME_BY_ROLE.get(scope_for(request.user).role, "")
            if (
                request.method == "GET"
                and request.path == reverse("dashboard:home")
                and start.startswith("dashboard:")
            ):
                # The dashboard's own address (a bookmark, the site's link) opened by a role whose start page
                # is another dashboard page (the county official's figures, as the front door sends her; a
                # trial met a 403): that page. Other roles keep the refusal.
                return redirect(start)
            raise PermissionDenied(_("管理后台只对坊长、企业专员和社区管理员开放。"))
        request.scope = scope_for(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def require_perm(request: HttpRequest, perm: str, obj=None) -> None:
    """403 unless the user has ``dashboard.<perm>`` (on ``obj``, when given)."""
    if not request.user.has_perm(f"dashboard.{perm}", obj):
        raise PermissionDenied(_("没有权限做这个操作。"))


def query_without_page(request: HttpRequest) -> str:
    """The page's query string without ``page``, for the pager's links."""
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


class InboxBadge:
    """The unread count of the user's messages, for the header and the navigation: counted once, when a
    page first shows it (one query; none for a page that does not, like a print page)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return inbox_reads.unread_count(self.user)


def page_context(request: HttpRequest, **kw) -> dict:
    """The context every dashboard page gets (the user's scope and role, the inbox's unread count), plus
    ``kw``."""
    scope = request.scope
    badge = InboxBadge(request.user)
    return {"scope": scope, "role": scope.role, "is_firm": scope.is_firm, "inbox": badge, **kw}


def row_id(raw: str | None) -> int | None:
    """A form's or query's row id: a whole number (ASCII digits, under 12 of them), else None."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


def pay_workshop(request: HttpRequest) -> Workshop:
    """The workshop a money page is about: named by ``ws`` (GET or POST), or the user's first
    (``pay_selectors.pay_workshop_get``: 403 for a role that does not manage pay, 404 for a workshop not
    theirs), and ``dashboard.manage_pay`` on it. The workshops to choose from (shown when more than one)
    go on ``request.pay_workshops``."""
    source = request.POST if request.method == "POST" else request.GET
    ws, request.pay_workshops = pay_selectors.pay_workshop_get(request.scope, row_id(source.get("ws")))
    require_perm(request, "manage_pay", ws)
    return ws
