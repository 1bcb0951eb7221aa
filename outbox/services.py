"""Writing outbox rows, and publishing them: the after-commit fast path and the relay.

A web request never waits on the broker longer than about 100 ms per connection step: the fast path
publishes on a connection whose connect and read timeouts are ``FAST_TIMEOUT`` seconds, with no publish
retries, and after a failure this process skips the fast path for ``FAST_PAUSE`` seconds (the relay sends
those rows). A row is marked sent by a conditional update (``sent_at IS NULL``), so it is marked once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time

from celery import current_app
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger("nuanxin.outbox")

FAST_TIMEOUT = 0.1  # seconds: the fast path's socket connect and read timeouts
FAST_PAUSE = 5.0  # seconds: after a broker failure, this process leaves its messages to the relay
RELAY_TIMEOUT = 2.0  # seconds: the relay's socket timeouts (it runs in beat, a worker or its own process)
RELAY_GRACE = dt.timedelta(seconds=2)  # the relay leaves younger rows to their own fast path

_state = threading.local()
_paused_until = 0.0  # time.monotonic() before which the fast path is skipped in this process


def broker_url() -> str:
    """The URL the Celery app sends to (read each time: a test or an operator may point it elsewhere)."""
    return current_app.conf.broker_write_url or current_app.conf.broker_url


def short_timeout_connection(timeout: float, url: str | None = None):
    """A Celery broker connection (to ``url``, default ``broker_url()``) whose socket connect and read
    timeouts are ``timeout`` seconds and that never retries: a broker that does not answer costs at most a
    few timeouts, never minutes. Lazy: nothing is opened until it is used."""
    return current_app.connection_for_write(
        url or broker_url(),
        transport_options={
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry_on_timeout": False,
            "max_retries": 0,
        },
        connect_timeout=timeout,
    )


def _connection(timeout: float):
    """This thread's ``short_timeout_connection`` (reused while the broker URL stays the same). A forked
    child makes its own."""
    key, url = f"conn_{timeout}", broker_url()
    held = getattr(_state, key, None)
    if held is None or held[:2] != (os.getpid(), url):
        if held is not None:
            _drop_connection(timeout)
        conn = short_timeout_connection(timeout, url)
        held = (os.getpid(), url, conn)
        setattr(_state, key, held)
    return held[2]


def _drop_connection(timeout: float) -> None:
    held = getattr(_state, f"conn_{timeout}", None)
    if held is not None:
        setattr(_state, f"conn_{timeout}", None)
        try:
            held[2].release()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail too; it is dropped anyway
            pass


def publish(message: OutboxMessage, *, timeout: float) -> None:
    """Send ``message`` to the broker once, with ``timeout``-second socket timeouts and no retries. The
    Celery task id is ``outbox-<row id>``, so a message sent twice (a crash between publish and mark) is
    recognisable. Raises whatever kombu/redis raise when the broker refuses or does not answer."""
    send_task(
        message.task_name,
        tuple(message.args),
        dict(message.kwargs),
        queue=message.queue,
        task_id=f"outbox-{message.pk}",
        timeout=timeout,
    )


def send_task(name: str, args: tuple, kwargs: dict, *, queue: str, task_id: str | None, timeout: float):
    """Send the Celery task ``name`` once on this thread's short-timeout connection (``publish``'s
    guarantees). Raises what kombu/redis raise when the broker refuses or does not answer."""
    options = {"connection": _connection(timeout), "retry": False}
    if task_id:
        options["task_id"] = task_id
    if queue:
        options["queue"] = queue
    task = current_app.tasks.get(name)
    try:
        if task is not None:
            task.apply_async(args, kwargs, ignore_result=True, **options)
        else:
            current_app.send_task(name, args, kwargs, ignore_result=True, **options)
    except Exception:
        _drop_connection(timeout)
        raise


def _mark_sent(pk: int) -> bool:
    """Mark row ``pk`` sent unless it already is; True when this call marked it."""
    return bool(
        OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def _note_failure(pk: int, exc: Exception) -> None:
    OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:1000]
    )


def fast_path_paused() -> bool:
    """True while this process skips the fast path after a broker failure."""
    return time.monotonic() < _paused_until


def resume_fast_path() -> None:
    """Forget a past broker failure: the next commit tries the fast path again (tests use this)."""
    global _paused_until
    _paused_until = 0.0


class FastSend:
    """An after-commit send of the task ``name`` with ``args`` for work whose own rows are its record: no
    outbox row, because a sweep re-reads those rows (a notification unsent after the sweep's grace is
    queued again by ``dispatch.tasks.sweep_stalled_flow``). A broker that refuses or does not answer
    within ``FAST_TIMEOUT`` costs the request at most a few of those timeouts; the failure is logged (the
    task's name only) and this process skips the fast path for ``FAST_PAUSE`` seconds. ``args`` may grow
    until the commit (one send for every message of a transaction). ``task`` and ``args`` name what it
    sends."""

    def __init__(self, name: str, args: list):
        self.name = name
        self._args = args

    @property
    def args(self) -> tuple:
        return tuple(self._args)

    @property
    def task(self):
        """The registered Celery task this callback sends (KeyError when none is registered)."""
        return current_app.tasks[self.name]

    def __call__(self) -> None:
        global _paused_until
        if fast_path_paused():
            return
        try:
            self._send()
        except Exception as exc:  # noqa: BLE001 - kombu/redis raise several types; all mean "not sent"
            _paused_until = time.monotonic() + FAST_PAUSE
            self._failed(exc)
            return
        self._sent()

    def _send(self) -> None:
        send_task(self.name, self.args, {}, queue="", task_id=None, timeout=FAST_TIMEOUT)

    def _failed(self, exc: Exception) -> None:
        logger.warning("could not send %s; the sweep will", self.name)

    def _sent(self) -> None:
        pass


class FastPublish(FastSend):
    """The after-commit callback of one outbox row: publish it at once, mark it sent (``FastSend``'s
    limits). On a failure the row stays for the relay, with the error noted."""

    def __init__(self, message: OutboxMessage):
        super().__init__(message.task_name, list(message.args))
        self.message = message

    def _send(self) -> None:
        publish(self.message, timeout=FAST_TIMEOUT)

    def _failed(self, exc: Exception) -> None:
        logger.warning("could not send %s (outbox %s); the relay will", self.name, self.message.pk)
        try:
            _note_failure(self.message.pk, exc)
        except Exception:  # noqa: BLE001 - a database error must not fail the committed change
            pass

    def _sent(self) -> None:
        try:
            _mark_sent(self.message.pk)
        except Exception:  # noqa: BLE001 - sent but not marked: the relay sends it again (idempotent tasks)
            logger.warning("sent %s (outbox %s) but could not mark it", self.name, self.message.pk)


def outbox_enqueue(task_name: str, *, args=(), kwargs: dict | None = None, queue: str | None = None):
    """Write a message for the Celery task named ``task_name`` in the caller's transaction, and publish it
    after commit (``FastPublish``); if the transaction rolls back, the message goes with it. ``args`` and
    ``kwargs`` must be JSON (ids, never objects or personal data); ``queue`` overrides the task's route.
    Returns the ``OutboxMessage``."""
    message = OutboxMessage.objects.create(
        task_name=task_name, args=list(args), kwargs=dict(kwargs or {}), queue=queue or ""
    )
    transaction.on_commit(FastPublish(message))
    return message


def relay(*, limit: int = 500, grace: dt.timedelta = RELAY_GRACE) -> dict:
    """Publish unsent rows oldest first (at most ``limit``; rows younger than ``grace`` are left to their
    fast path), each in its own transaction holding its row lock (``select_for_update(skip_locked=True)``
    on PostgreSQL, so two relays never send the same row), and mark each sent. Stops at the first broker
    failure (the row keeps its ``last_error``). Returns ``{"sent": n, "failed": 0 or 1}``."""
    sent = 0
    cutoff = timezone.now() - grace
    last_pk = 0
    while sent < limit:
        with transaction.atomic():
            rows = OutboxMessage.objects.filter(sent_at__isnull=True, created_at__lte=cutoff, pk__gt=last_pk)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            message = rows.order_by("id").first()
            if message is None:
                break
            last_pk = message.pk
            try:
                publish(message, timeout=RELAY_TIMEOUT)
            except Exception as exc:  # noqa: BLE001 - any broker failure: try again on the next run
                logger.warning("relay could not send %s (outbox %s)", message.task_name, message.pk)
                _note_failure(message.pk, exc)
                return {"sent": sent, "failed": 1}
            sent += _mark_sent(message.pk)
    return {"sent": sent, "failed": 0}


def purge_sent(*, keep: dt.timedelta = dt.timedelta(days=7), batch: int = 5000) -> int:
    """Delete rows sent more than ``keep`` ago, ``batch`` at a time (each batch its own short statement, so
    a big backlog never holds a long lock). Unsent rows are never deleted. Returns how many were deleted;
    running it again at once deletes nothing more."""
    cutoff = timezone.now() - keep
    deleted = 0
    while True:
        old = OutboxMessage.objects.filter(sent_at__lt=cutoff).order_by("id")
        pks = list(old.values_list("pk", flat=True)[:batch])
        if not pks:
            return deleted
        deleted += OutboxMessage.objects.filter(pk__in=pks).delete()[0]


def oldest_unsent_age() -> dt.timedelta | None:
    """How long the oldest unsent row has waited, or None when every row is sent."""
    oldest = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("id").values("created_at").first()
    return timezone.now() - oldest["created_at"] if oldest else None
