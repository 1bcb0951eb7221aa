"""The staff's messages (消息): what the flow told the head, the firm's staff, the community admin or the
county official, in the reader's language. Each reads and marks only their own."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notices import selectors as inbox_reads
from notices import services as notices
from workshop.roles import scope_for

from .common import page_context


def inbox_view(view):
    """Login and a desk role required: the dashboard's roles and the county official (whose inbox is her
    own, so marking it read is the one write her read-only role may make, ``workshop.middleware``). A
    worker or courier reads hers on the phone pages (403 here)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = scope_for(request.user)
        if not (scope.is_staff_role or scope.is_county):
            raise PermissionDenied(_("管理后台只对坊长、企业专员和社区管理员开放。"))
        request.scope = scope
        return view(request, *args, **kwargs)

    return wrapper


@inbox_view
def inbox(request: HttpRequest) -> HttpResponse:
    """The signed-in user's newest messages, read and unread (only their own)."""
    notes = inbox_reads.inbox_for_user(request.user)
    unread = sum(1 for n in notes if n.read_at is None)
    return render(request, "dashboard/inbox.html", page_context(request, notes=notes, unread=unread))


@require_POST
@inbox_view
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's messages read and go where it points (a dashboard page only); 404 when it is
    another user's."""
    link = inbox_reads.notification_link(request.user, pk)
    notices.notifications_mark_read(user=request.user, notification_id=pk)
    if link.startswith("/dashboard/") and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}
    ):
        return redirect(link)
    return redirect("dashboard:inbox")


@require_POST
@inbox_view
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    n = notices.notifications_mark_read(user=request.user)
    messages.success(request, _("%(n)d 条消息标为已读。") % {"n": n})
    return redirect("dashboard:inbox")
