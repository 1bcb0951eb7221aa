"""The inbox's writes: ``notify`` (the one call other apps make) and marking messages read."""

from __future__ import annotations

import logging

from celery import current_app, current_task
from django.db import transaction
from django.utils import timezone

from outbox.services import outbox_enqueue
from workshop.upsert import insert_once

from .delivery import deliver
from .messages import render
from .models import Notification

logger = logging.getLogger("nuanxin.flow")

# Queued by name, so this module does not import ``notices.tasks`` (the tasks are registered in every
# process by ``NoticesConfig.ready``).
DELIVER_TASK = "notices.tasks.deliver_notification"


class _Deliver:
    """After commit, deliver one notification made by a Celery task at once (it is already on a worker, and
    a second task per message would double the broker traffic of the flow). A failure is logged with ids
    only; the flow's beat sweep redelivers what stays unsent."""

    def __init__(self, note: Notification):
        self.note = note
        self.args = (note.pk,)

    @property
    def task(self):
        """The registered ``deliver_notification`` task (what the sweep would queue instead)."""
        return current_app.tasks[DELIVER_TASK]

    def __call__(self) -> None:
        try:
            deliver(self.note.pk, fresh=self.note)
        except Exception:  # noqa: BLE001 - a database error here must not fail the task's committed work
            logger.warning("could not deliver notification %s; sweep_stalled_flow will redo it", self.note.pk)


def notify(*, recipient, kind: str, params: dict, link: str = "", dedupe_key: str) -> Notification:
    """Put a message of ``kind`` in ``recipient``'s inbox once per ``dedupe_key`` and deliver it after
    commit. ``params`` (JSON: names and titles as str, counts as int, money as a decimal str) fill the
    kind's template (``notices.messages``), which is rendered in the reader's language when shown or sent,
    never here. Raises KeyError when ``params`` lacks one the template needs (before anything is written).
    Runs in the caller's transaction: one INSERT for a new key; a key already used writes nothing and
    returns the message stored under it."""
    render(kind, params)  # a template that cannot be filled fails now, not when a phone shows it
    key = dedupe_key[:100]
    note = Notification(recipient=recipient, kind=kind, params=params, link=link, dedupe_key=key)
    # One statement (``workshop.upsert``) where get_or_create sent four; a key already used reads its message.
    created = insert_once(note, key="dedupe_key")
    if not created:
        note = Notification.objects.get(dedupe_key=key)
    if created and current_task:
        transaction.on_commit(_Deliver(note))
    elif created:
        # Outside a worker: ``deliver_notification`` through the outbox (written now, sent after commit).
        outbox_enqueue(DELIVER_TASK, args=(note.pk,))
    return note


@transaction.atomic
def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark ``user``'s inbox read: one notification (``notification_id``) or, with None, all of them.

    Scoped to ``user``: another user's notification id marks nothing (the caller turns 0 into a 404).
    Idempotent: an already read notification keeps its first read time. Returns how many rows changed.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
