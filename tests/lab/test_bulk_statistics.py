"""A bulk load reads its rows back in aggregate (the month rollups, the day rows) only after PostgreSQL has
taken their statistics: a table last analysed while empty, as between tests or on a new install, was
planned as if it still were, and the demo's season load once ran for minutes in nested loops."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dispatch.models import WorkReport
from workshop.upsert import refresh_statistics

pytestmark = pytest.mark.django_db


def planned_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_the_season_load_takes_the_statistics_of_what_it_wrote(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dispatch_workreport, dispatch_assignment, dispatch_job")  # empty now
    assert planned_rows("dispatch_workreport") <= 0

    call_command("seed_demo", stdout=StringIO())

    reports = WorkReport.objects.count()
    assert reports > 1000
    assert planned_rows("dispatch_workreport") >= reports * 0.5  # sampled, so near, not exact
    assert planned_rows("dispatch_assignment") > 0 and planned_rows("dispatch_job") > 0


def test_refreshing_statistics_sends_nothing_on_sqlite(db):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite side of refresh_statistics")
    with CaptureQueriesContext(connection) as sent:
        refresh_statistics(WorkReport)
    assert sent.captured_queries == []
