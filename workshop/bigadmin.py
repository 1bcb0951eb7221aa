"""Admin lists over the big tables (work reports, flow events, pay lines, notifications, shares): no
whole-table ``COUNT(*)`` and no date drill-down scanning the table on every page (issue 14: at 200,000
work reports the list counted the table twice and scanned it for its dates on each page)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

#: Above this many rows (by the planner's estimate) an unfiltered list shows the estimate, not a count.
ESTIMATE_ABOVE = 10_000


class EstimatedCountPaginator(Paginator):
    """A paginator whose count of an *unfiltered* list on PostgreSQL is the planner's row estimate
    (``pg_class.reltuples``, kept by autovacuum's ANALYZE) when that is above ``ESTIMATE_ABOVE``; exact
    ``COUNT(*)`` otherwise (filtered lists, small tables, a table never analysed, SQLite)."""

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if isinstance(qs, QuerySet) and not qs.query.where:
            estimate = _estimated_rows(qs)
            if estimate is not None and estimate > ESTIMATE_ABOVE:
                return estimate
        return super().count


def _estimated_rows(qs: QuerySet) -> int | None:
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [qs.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


class BigListMixin:
    """For a ``ModelAdmin`` over a table that grows with history: the filtered count only (Django's
    "show all N" total is skipped) and the estimated paginator. Use a ``DateFieldListFilter`` (links to
    today / 7 days / this month / this year, no query) instead of ``date_hierarchy``."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
