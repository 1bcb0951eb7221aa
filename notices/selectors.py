"""The inbox's reads, each scoped to its user."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _

from workshop.frozen import frozen

from .models import Notification

INBOX_SIZE = 50


@frozen(int)
def _inbox(user_id):
    """The newest ``INBOX_SIZE`` of a user's notifications; the inbox is read on every visit of the
    Messages page, so compiled once (``workshop.frozen``)."""
    return Notification.objects.filter(recipient_id=user_id)[:INBOX_SIZE]


def inbox_for_user(user, *, limit: int = INBOX_SIZE) -> list[Notification]:
    """``user``'s newest ``limit`` inbox notifications, read and unread, each with ``kind_label``: its kind
    in the reader's language. A kind's label is translated once per call, not once per row (a page of 50
    messages spent a fifth of its time translating the same few labels; issue 15). One query."""
    if limit == INBOX_SIZE:
        notes = _inbox(user.pk)
    else:
        notes = list(Notification.objects.filter(recipient=user)[:limit])
    labels: dict[str, str] = {}
    for n in notes:
        if n.kind not in labels:
            labels[n.kind] = n.get_kind_display()
        n.kind_label = labels[n.kind]
    return notes


@frozen(int)
def _unread(user_id):
    return (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )


def unread_count(user) -> int:
    """How many of ``user``'s notifications are unread (int, 0 for a user without any). On every page
    of hers: compiled once (``workshop.frozen``)."""
    counts = _unread(user.pk)
    return counts[0] if counts else 0


def notification_link(user, pk: int) -> str:
    """Where notification ``pk`` of ``user`` points; ``Http404`` when it is not ``user``'s."""
    link = Notification.objects.filter(recipient=user, pk=pk).values_list("link", flat=True).first()
    if link is None:
        raise Http404(_("没有这条消息。"))
    return link
