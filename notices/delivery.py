"""Delivery of a message through the configured senders (``notices.senders``), once per channel.

A delivery claims the message by setting ``sent_at``. A sender that raises is logged (ids only) and the
message is unclaimed, so the sweep (``notices.tasks.redeliver_stalled``) retries it later through the
failed senders only: a working channel never repeats it. After ``MAX_DELIVERY_ATTEMPTS`` the message stays
in the inbox alone.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connections, router
from django.utils import timezone

from . import senders as channels
from .models import Notification

logger = logging.getLogger("nuanxin.flow")

MAX_DELIVERY_ATTEMPTS = 3


def notification_deliver(*, notification: Notification | int) -> bool:
    """Send a notification through every configured sender that has not delivered it yet. Returns True
    when every sender has now delivered it, False when nothing was due (already sent, or claimed by a
    concurrent delivery) or a sender failed."""
    return deliver(notification.pk if isinstance(notification, Notification) else notification)


def deliver(pk: int, *, fresh: Notification | None = None) -> bool:
    """``notification_deliver`` by id. ``fresh``: the message as this process created it a moment ago
    (never tried, nothing sent), so it need not be read again after the claim.

    A fresh message costs one UPDATE when every sender works: its claim (still unclaimed and never tried,
    ``attempts`` 0) also writes every configured sender into ``sent_via``. That claims no more than the
    claim alone did: ``sent_at`` is set before any sender runs, so a process that dies mid-send left the
    message marked sent and never retried, before as now. Only ``sent_via`` then names senders it did not
    reach, and nothing reads ``sent_via`` but a retry, which a message marked sent never gets. A sender
    that fails costs a second UPDATE writing what really happened (the senders that delivered, ``sent_at``
    back to None for the sweep's retry), as every delivery did before. A message that is not fresh (made
    by another process, as a request's is, or tried meanwhile) is claimed and read in one statement
    (``_claim``); when it was never tried, that claim writes every sender too, as a fresh one's does, and
    it costs one statement when every sender works. One tried before is sent through the senders that
    have not delivered it and written back: two statements."""
    now = timezone.now()
    sends = [(f"{send.__module__}.{send.__qualname__}", send) for send in channels.senders()]
    note = None
    if fresh is not None and fresh.attempts == 0 and not fresh.sent_via:
        everyone = list(dict.fromkeys(name for name, _send in sends))
        if Notification.objects.filter(pk=pk, sent_at__isnull=True, attempts=0).update(
            sent_at=now, attempts=1, sent_via=everyone
        ):
            note, delivered = fresh, []
            note.attempts = 1
    if note is None:  # not fresh, or tried meanwhile (the sweep): the claim and read of any message
        everyone = list(dict.fromkeys(name for name, _send in sends))
        note = _claim(pk, now, senders=everyone)
        if note is None:
            return False
        if note.attempts == 1:  # never tried before: the claim wrote every sender, as a fresh one's does
            delivered = []
        else:
            delivered, everyone = list(note.sent_via or []), None
    note.sent_at = now
    failed = []
    for name, send in sends:
        if name in delivered:
            continue
        try:
            send(note)
        except Exception:  # noqa: BLE001 - any sender error: retry that sender later, never the others
            failed.append(name)
            logger.warning("sender %s failed for notification %s (attempt %s)", name, pk, note.attempts)
            continue
        delivered.append(name)
    retry = bool(failed) and note.attempts < MAX_DELIVERY_ATTEMPTS
    if failed and not retry:
        logger.error("gave up sending notification %s through %s", pk, ", ".join(failed))
    if delivered != everyone:  # the claim did not already write this
        Notification.objects.filter(pk=pk).update(sent_via=delivered, sent_at=None if retry else now)
    note.sent_via, note.sent_at = delivered, None if retry else now
    return not failed


def _claim(pk: int, now: dt.datetime, *, senders: list[str]) -> Notification | None:
    """Claim message ``pk`` (``sent_at`` = ``now``, one more attempt) if it is unclaimed, and read it as
    claimed, in one statement (``UPDATE … RETURNING``, PostgreSQL and SQLite alike, where the ORM's
    update and get sent two). A message never tried (``attempts`` 0: nothing sent it yet, for only a
    delivery writes ``sent_via`` and it counts an attempt) gets ``senders`` as its ``sent_via`` in the same
    statement, so it reads back with ``attempts`` 1; one tried before keeps its own. None when it is
    claimed already or gone."""
    meta = Notification._meta
    using = router.db_for_write(Notification)
    connection = connections[using]
    qn = connection.ops.quote_name
    fields = meta.concrete_fields
    sent_at, attempts = qn(meta.get_field("sent_at").column), qn(meta.get_field("attempts").column)
    sent_via = qn(meta.get_field("sent_via").column)
    # The right-hand sides read the row as it was: ``attempts`` 0 is a message never tried.
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {sent_at} = %s, {attempts} = {attempts} + 1,"
        f" {sent_via} = CASE WHEN {attempts} = 0 THEN %s ELSE {sent_via} END"
        f" WHERE {qn(meta.pk.column)} = %s AND {sent_at} IS NULL"
        f" RETURNING {', '.join(qn(f.column) for f in fields)}"
    )
    params = [
        meta.get_field("sent_at").get_db_prep_save(now, connection),
        meta.get_field("sent_via").get_db_prep_save(senders, connection),
        pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for field, value in zip(fields, row, strict=True):
        col = field.cached_col  # converted as a queryset converts its columns (JSON text, SQLite times)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = convert(value, col, connection)
        values.append(value)
    return Notification.from_db(using, [f.attname for f in fields], values)


def stalled(before: dt.datetime) -> list[int]:
    """Ids of messages made before ``before`` and not delivered (nor given up on): the sweep's work."""
    return list(
        Notification.objects.filter(sent_at__isnull=True, created_at__lte=before).values_list("pk", flat=True)
    )
