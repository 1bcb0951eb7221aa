"""Prepared statements for a page's hot reads on PostgreSQL (issue 15).

PostgreSQL plans a statement each time it is sent, and a read that joins five or six tables (a worker's
month of results with their job, line, firm and pay line) spent 1–2 ms planning and 0.1 ms running at
county size: more than the rest of the page. Within ``prepared()``, the ORM's statements are sent with
their parameters bound by the server and prepared on the connection (psycopg's ``prepare=True``): the
connection (kept for ``CONN_MAX_AGE`` seconds) plans each one once, with its generic plan
(``plan_cache_mode=force_generic_plan``, set on the connections in config/settings.py; it touches only
prepared statements, and these are the only ones), then only runs it.

Only for reads whose plan does not depend on the values: each is an index lookup of one worker's or one
user's rows. Not for a county's aggregates over date ranges: a generic plan there can be much slower than
one made for the dates (the community admin's home page ran at half speed when every statement was
prepared). Statements pass through Django's cursor as any other (counted by ``CaptureQueriesContext`` and
``connection.execute_wrapper``; logged with ``$1``, ``$2`` for their values, which the server binds). On
SQLite, and with
``NUANXIN_DB_PREPARE=0``, ``prepared()`` changes nothing."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

_cursor_class = None


def _preparing_cursor_class():
    global _cursor_class
    if _cursor_class is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            """Django's server-binding cursor whose every statement is prepared on its connection."""

            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

        _cursor_class = PreparingCursor
    return _cursor_class


@contextlib.contextmanager
def prepared() -> Iterator[None]:
    """Within the block, the default database's statements are prepared (PostgreSQL; see the module)."""
    if connection.vendor != "postgresql" or not getattr(settings, "DB_PREPARE", True):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.cursor_factory, raw.prepare_threshold
    # Django turns psycopg's preparing off on its connections (threshold None: for poolers); a statement
    # sent with prepare=True is prepared only when the connection has a threshold.
    raw.cursor_factory, raw.prepare_threshold = _preparing_cursor_class(), 5
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = before


def prepared_reads(view):
    """A view whose statements run within ``prepared()``: a page of one person's rows, read many times a
    day (a worker's Today, Earnings, Messages)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with prepared():
            return view(*args, **kwargs)

    return wrapped
