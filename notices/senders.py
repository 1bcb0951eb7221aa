"""Notification senders. A sender is a callable taking a ``Notification``; settings list the active ones.

The console sender logs only ids and the kind: never a phone, name or text that could hold personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("nuanxin.notify")


def console_sender(notification) -> None:
    logger.info(
        "notification %s kind=%s to user %s", notification.pk, notification.kind, notification.recipient_id
    )


def senders() -> list[Callable]:
    return [import_string(path) for path in settings.NUANXIN_NOTIFICATION_SENDERS]
