"""A busy database is a "try again" page, not a 500.

``DatabaseBusyMiddleware.process_exception`` answers a database ``OperationalError`` that means the
database is busy (SQLite "database is locked"/"database table is locked", PostgreSQL lock_not_available
55P03, serialization_failure 40001, deadlock_detected 40P01, query_canceled 57014 from a
statement/lock timeout) with ``templates/busy.html``, status 503 and ``Retry-After: RETRY_AFTER_SECONDS``.
Any other exception goes on to Django's handling. The page names no data from the request.
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.db.utils import InternalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
_BUSY_PGCODES = frozenset({"55P03", "40001", "40P01", "57014"})
_BUSY_SQLITE = ("database is locked", "database table is locked")


def is_busy_error(exc: BaseException) -> bool:
    """True for a database error that says "busy, try again" (lock or statement timeout, serialization
    failure, deadlock) rather than a fault in the code or the schema."""
    if not isinstance(exc, (OperationalError, InternalError)):
        return False
    cause = exc.__cause__ or exc
    pgcode = getattr(cause, "pgcode", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    if pgcode in _BUSY_PGCODES:
        return True
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in _BUSY_PGCODES:
        return True
    return any(text in str(exc).lower() for text in _BUSY_SQLITE)


class DatabaseBusyMiddleware:
    """Turn a busy-database error into a 503 "请稍后再试" page with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy_error(exception):
            return None
        logger.warning("database busy on %s %s: %s", request.method, request.path, type(exception).__name__)
        response = render(request, "busy.html", {"retry_after": RETRY_AFTER_SECONDS}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
