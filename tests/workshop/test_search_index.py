"""On PostgreSQL the search keys carry trigram GIN indexes (pg_trgm, made by the migrations) and a search
is answered from them; on SQLite the migrations make no such index and a search scans."""

from __future__ import annotations

import pytest
from django.db import connection

from matching.models import DemandEntry
from tests.factories import WorkerFactory
from workshop.models import PartnerFirm, Worker, WorkWish
from workshop.search import needle

pytestmark = pytest.mark.django_db

INDEXES = {
    Worker: "workshop_worker_search_trgm",
    WorkWish: "workshop_workwish_search_trgm",
    PartnerFirm: "workshop_partnerfirm_search_trgm",
    DemandEntry: "matching_demand_search_trgm",
}


def indexes_of(model) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, model._meta.db_table)


def test_each_search_key_has_a_trigram_gin_index_on_postgres(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
    for model, name in INDEXES.items():
        index = indexes_of(model)[name]
        assert index["type"] == "gin" and index["columns"] == ["search_text"], model


def test_a_search_is_answered_from_the_trigram_index(postgres_only, cast):
    for i in range(50):
        WorkerFactory(workshop=cast.ws, name=f"坊工{i}")
    WorkerFactory(workshop=cast.ws, name="张秀梅", phone="+8613912345678")
    qs = Worker.objects.filter(search_text__contains=needle("zxm").text)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a 50-row table would be scanned anyway
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert INDEXES[Worker] in plan, plan
    assert [w.name for w in qs] == ["张秀梅"]


def test_sqlite_gets_no_postgres_index_and_still_finds(cast):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite side of the migrations")
    assert INDEXES[Worker] not in indexes_of(Worker)
    WorkerFactory(workshop=cast.ws, name="张秀梅")
    assert Worker.objects.filter(search_text__contains="zxm").count() == 1
