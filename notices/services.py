"""The inbox's writes: ``notify`` (the one call other apps make) and marking messages read."""

from __future__ import annotations

import logging

from celery import current_app, current_task
from django.db import router, transaction
from django.utils import timezone

from outbox.services import FastSend
from workshop.upsert import insert_many_once, insert_once

from . import senders as channels
from .delivery import deliver_many
from .messages import render
from .models import Notification

logger = logging.getLogger("nuanxin.flow")

# Sent by name, so this module does not import ``notices.tasks`` (the tasks are registered in every
# process by ``NoticesConfig.ready``).
DELIVER_TASK = "notices.tasks.deliver_notification"


class _Batch:
    """After commit, deliver every message one transaction made, together.

    Made by a Celery task (already on a worker), or in a request when every configured sender runs in
    this process (``senders.all_in_request``: the console log; no network call): delivered at once here
    (``delivery.deliver_many``: one claim for all of them; a task for them would cost a broker round trip
    and a worker's turn to do the same UPDATE). Made in a request with a sender that calls out (SMS, push):
    one ``deliver_notification`` task for all of them, sent on the outbox's fast path without an outbox
    row of its own (``outbox.services.FastSend``), so a slow sender never holds the request. Either way the
    messages are their own record, and the flow's beat sweep queues any still unsent after its grace. A
    failure is logged with ids only. ``name``, ``args`` and ``task`` say what a request's batch sends."""

    def __init__(self):
        self.ids: list[int] = []
        self.here = self.delivers_here()
        self.send = None if self.here else FastSend(DELIVER_TASK, self.ids)
        self.name = DELIVER_TASK

    @staticmethod
    def delivers_here() -> bool:
        """Whether a batch made now is delivered in this process (on a worker, or with in-request senders
        only) rather than by a task."""
        return bool(current_task) or channels.all_in_request()

    @property
    def args(self) -> tuple:
        return tuple(self.ids)

    @property
    def task(self):
        """The registered ``deliver_notification`` task (what a request's batch sends, the sweep too)."""
        return current_app.tasks[DELIVER_TASK]

    def __call__(self) -> None:
        if self.send is not None:
            self.send()
            return
        try:
            deliver_many(self.ids)
        except Exception:  # noqa: BLE001 - a database error here must not fail the committed work
            logger.warning("could not deliver notifications %s; sweep_stalled_flow will redo them", self.ids)

    @classmethod
    def add(cls, using: str, pk: int) -> None:
        """Deliver message ``pk`` with the batch the current transaction on ``using`` has registered to run
        after its commit, or with a new one registered now (run at once outside a transaction). A message
        of a savepoint rolled back inside the batch's block is gone, and the batch's claim skips it."""
        connection = transaction.get_connection(using)
        here = cls.delivers_here()
        if connection.in_atomic_block:
            open_now = set(connection.savepoint_ids)
            for sids, func, _robust in reversed(connection.run_on_commit):
                # Registered in this block or one around it that is still open: a rollback of either
                # drops the batch and this message together (a batch of a savepoint released since is
                # not joined: its block is over, though its callback waits for the same commit).
                if isinstance(func, cls) and func.here == here and sids <= open_now:
                    func.ids.append(pk)
                    return
        batch = cls()
        batch.ids.append(pk)
        transaction.on_commit(batch, using=using)


def notify(*, recipient, kind: str, params: dict, link: str = "", dedupe_key: str) -> Notification:
    """Put a message of ``kind`` in ``recipient``'s inbox once per ``dedupe_key`` and deliver it after
    commit, with the other messages of the same transaction (``_Batch``). ``params`` (JSON: names and
    titles as str, counts as int, money as a decimal str) fill the kind's template
    (``notices.messages``), which is rendered in the reader's language when shown or sent, never here.
    Raises KeyError when ``params`` lacks one the template needs (before anything is written). Runs in the
    caller's transaction: one INSERT for a new key; a key already used writes nothing and returns the
    message stored under it."""
    render(kind, params)  # a template that cannot be filled fails now, not when a phone shows it
    key = dedupe_key[:100]
    note = Notification(recipient=recipient, kind=kind, params=params, link=link, dedupe_key=key)
    # One statement (``workshop.upsert``) where get_or_create sent four; a key already used reads its message.
    created = insert_once(note, key="dedupe_key")
    if not created:
        return Notification.objects.get(dedupe_key=key)
    _Batch.add(router.db_for_write(Notification), note.pk)
    return note


def notify_many(messages: list[dict]) -> list[Notification]:
    """``notify`` of several messages in one INSERT (``insert_many_once``): each dict holds ``notify``'s
    keyword arguments. Returns the messages in the order given (a key already used gives the message
    stored under it, read in one more query). Raises KeyError, before anything is written, when a
    message's params do not fill its template."""
    notes = []
    for m in messages:
        render(m["kind"], m["params"])
        notes.append(
            Notification(
                recipient=m["recipient"],
                kind=m["kind"],
                params=m["params"],
                link=m.get("link", ""),
                dedupe_key=m["dedupe_key"][:100],
            )
        )
    using = router.db_for_write(Notification)
    for note in insert_many_once(notes, key="dedupe_key"):
        _Batch.add(using, note.pk)
    taken = [n.dedupe_key for n in notes if n.pk is None]
    if taken:
        stored = Notification.objects.in_bulk(taken, field_name="dedupe_key")
        notes = [n if n.pk is not None else stored[n.dedupe_key] for n in notes]
    return notes


@transaction.atomic
def notifications_settled(*, dedupe_keys) -> int:
    """Mark read the messages of ``dedupe_keys`` (their senders' keys, e.g. ``offer:<id>``) that are still
    unread: what they asked for is gone (an offer taken back when she was stopped), so they no longer wait
    for her as new. Idempotent; returns how many rows changed."""
    keys = list(dedupe_keys)
    if not keys:
        return 0
    return Notification.objects.filter(dedupe_key__in=keys, read_at__isnull=True).update(
        read_at=timezone.now()
    )


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
