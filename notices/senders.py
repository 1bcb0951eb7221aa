"""Notification senders. A sender is a callable taking a ``Notification``; settings list the active ones.

The console sender logs only ids and the kind: never a phone, name or text that could hold personal data.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("nuanxin.notify")


def console_sender(notification) -> None:
    logger.info(
        "notification %s kind=%s to user %s", notification.pk, notification.kind, notification.recipient_id
    )


# A sender that only writes in this process (a log line, the inbox row itself) sends as fast as a Celery task
# is queued: it is marked ``in_request`` and a request delivers its messages itself after commit
# (``notices.services._Batch``). A sender that calls out (SMS, push) is not, and a worker sends for it.
console_sender.in_request = True


def senders() -> list[Callable]:
    """The configured senders (``NUANXIN_NOTIFICATION_SENDERS``), imported once per list of paths: every
    message made asks (``all_in_request``), so the lookup stays off the hot path."""
    return list(_loaded(tuple(settings.NUANXIN_NOTIFICATION_SENDERS)))


@functools.cache
def _loaded(paths: tuple[str, ...]) -> tuple[Callable, ...]:
    return tuple(import_string(path) for path in paths)


def all_in_request() -> bool:
    """Whether every configured sender may run in a request (``in_request``): then a request delivers its
    own messages after commit instead of queueing a task for them."""
    return all(getattr(send, "in_request", False) for send in senders())
