"""The migrations that add the search keys fill them for the rows already there: a database of the layout
before them (workshop 0009, matching 0001) gets every worker, wish, firm and demand findable, and going
back and forth again works on SQLite and PostgreSQL alike (pg_trgm and the GIN indexes on PostgreSQL
only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from matching.models import DemandEntry
from workshop.models import PartnerFirm, Worker, WorkWish

BEFORE = [("workshop", "0009_operator_fee"), ("matching", "0001_initial")]


def write_rows(apps) -> None:
    User = apps.get_model("auth", "User")
    Workshop = apps.get_model("workshop", "Workshop")
    firm = apps.get_model("workshop", "PartnerFirm").objects.create(
        name="海盐嘉禾电器有限公司", credit_code="91330100MA27XL1X2Q", phone="+8613570000001"
    )
    ws = Workshop.objects.create(name="暖心坊", community="新街社区", subdistrict="望海街道", county="海盐县")
    user = User.objects.create(username="zxm", password="!")
    apps.get_model("workshop", "Worker").objects.create(
        user=user, workshop=ws, name="张秀梅", phone="+8613912345678", employment="fixed"
    )
    apps.get_model("workshop", "WorkWish").objects.create(
        name="李桂英", phone="+8613700002468", hours_per_week=20, work_place="home", area="新街小区"
    )
    apps.get_model("matching", "DemandEntry").objects.create(
        workshop=ws,
        firm=firm,
        process_kind="fabric",
        title="童装辅料缝制",
        pieces_per_week=100,
        starts_on=dt.date(2025, 9, 1),
        created_by=user,
    )


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_fills_the_keys_of_existing_rows():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        executor.loader.build_graph()
        write_rows(executor.loader.project_state(BEFORE).apps)
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert " zxm " in Worker.objects.get().search_text
        assert "#5678#" in Worker.objects.get().search_text
        assert " lgy " in WorkWish.objects.get().search_text
        assert " hyjhdqyxgs " in PartnerFirm.objects.get().search_text
        assert "布料加工" in DemandEntry.objects.get().search_text
        assert PartnerFirm.objects.get().industry == ""  # not classified until someone says
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
