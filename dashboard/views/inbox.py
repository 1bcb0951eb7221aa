"""The staff's messages (消息): what the flow told the head or the firm's staff, in the reader's language."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notices import selectors as inbox_reads
from notices import services as notices

from .common import dashboard_view, page_context


@dashboard_view
def inbox(request: HttpRequest) -> HttpResponse:
    """The signed-in user's newest messages, read and unread (only their own)."""
    notes = inbox_reads.inbox_for_user(request.user)
    unread = sum(1 for n in notes if n.read_at is None)
    return render(request, "dashboard/inbox.html", page_context(request, notes=notes, unread=unread))


@require_POST
@dashboard_view
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
@dashboard_view
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    n = notices.notifications_mark_read(user=request.user)
    messages.success(request, _("%(n)d 条消息标为已读。") % {"n": n})
    return redirect("dashboard:inbox")
