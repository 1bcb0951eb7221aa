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


def deliver(pk: int) -> bool:
    """``notification_deliver`` by id: True when every sender delivered message ``pk`` now."""
    return deliver_many([pk]) == 1


def deliver_many(pks: list[int]) -> int:
    """Deliver messages ``pks`` (ids, as a transaction made them) through the configured senders; returns
    how many every sender has now delivered.

    The messages are claimed and read in one statement whatever their number (``_claim_many``): one
    UPDATE delivers every message of a transaction when every sender works (the planner's offers of a
    day, the pay of a job). The claim of a message never tried writes every sender into ``sent_via``
    too; that claims no more than the claim alone did: ``sent_at`` is set before any sender runs, so a
    process that dies mid-send leaves the message marked sent and never retried, as before. A sender that
    fails costs one more UPDATE for that message, writing what really happened (the senders that
    delivered, ``sent_at`` back to None for the sweep's retry). A message tried before is sent through the
    senders that have not delivered it and written back. A message already claimed (sent, or being sent
    by a concurrent delivery) is left alone."""
    if not pks:
        return 0
    now = timezone.now()
    sends = [(f"{send.__module__}.{send.__qualname__}", send) for send in channels.senders()]
    everyone = list(dict.fromkeys(name for name, _send in sends))
    done = 0
    for note in _claim_many(list(dict.fromkeys(pks)), now, senders=everyone):
        if note.attempts == 1:  # never tried before: the claim wrote every sender
            done += _send(note, sends, delivered=[], written=everyone, now=now)
        else:
            done += _send(note, sends, delivered=list(note.sent_via or []), written=None, now=now)
    return done


def _send(note: Notification, sends, *, delivered: list[str], written: list[str] | None, now) -> bool:
    """Send claimed ``note`` through each of ``sends`` not in ``delivered``; write back what happened
    unless the claim already wrote it (``written``). True when no sender failed."""
    note.sent_at = now
    failed = []
    for name, send in sends:
        if name in delivered:
            continue
        try:
            send(note)
        except Exception:  # noqa: BLE001 - any sender error: retry that sender later, never the others
            failed.append(name)
            logger.warning("sender %s failed for notification %s (attempt %s)", name, note.pk, note.attempts)
            continue
        delivered.append(name)
    retry = bool(failed) and note.attempts < MAX_DELIVERY_ATTEMPTS
    if failed and not retry:
        logger.error("gave up sending notification %s through %s", note.pk, ", ".join(failed))
    if delivered != written:  # the claim did not already write this
        Notification.objects.filter(pk=note.pk).update(sent_via=delivered, sent_at=None if retry else now)
    note.sent_via, note.sent_at = delivered, None if retry else now
    return not failed


def _claim(pk: int, now: dt.datetime, *, senders: list[str]) -> Notification | None:
    """``_claim_many`` of one message: the message as claimed, or None when it is claimed already or
    gone."""
    claimed = _claim_many([pk], now, senders=senders)
    return claimed[0] if claimed else None


def _claim_many(pks: list[int], now: dt.datetime, *, senders: list[str]) -> list[Notification]:
    """Claim the messages ``pks`` that are unclaimed (``sent_at`` = ``now``, one more attempt) and read
    them as claimed, in one statement (``UPDATE … RETURNING``, PostgreSQL and SQLite alike, where the
    ORM's update and get sent two). A message never tried (``attempts`` 0: nothing sent it yet, for only a
    delivery writes ``sent_via`` and it counts an attempt) gets ``senders`` as its ``sent_via`` in the
    same statement, so it reads back with ``attempts`` 1; one tried before keeps its own. Messages claimed
    already or gone are not returned; the rest come in id order."""
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
        f" WHERE {qn(meta.pk.column)} IN ({', '.join(['%s'] * len(pks))}) AND {sent_at} IS NULL"
        f" RETURNING {', '.join(qn(f.column) for f in fields)}"
    )
    params = [
        meta.get_field("sent_at").get_db_prep_save(now, connection),
        meta.get_field("sent_via").get_db_prep_save(senders, connection),
        *pks,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = [
        (
            field.cached_col,
            connection.ops.get_db_converters(field.cached_col)
            + field.cached_col.get_db_converters(connection),
        )
        for field in fields
    ]
    notes = []
    for row in rows:
        values = []
        for (col, convert_all), value in zip(converters, row, strict=True):
            for convert in convert_all:  # converted as a queryset converts its columns (JSON, SQLite times)
                value = convert(value, col, connection)
            values.append(value)
        notes.append(Notification.from_db(using, [f.attname for f in fields], values))
    return sorted(notes, key=lambda n: n.pk)


def stalled(before: dt.datetime) -> list[int]:
    """Ids of messages made before ``before`` and not delivered (nor given up on): the sweep's work."""
    return list(
        Notification.objects.filter(sent_at__isnull=True, created_at__lte=before).values_list("pk", flat=True)
    )
