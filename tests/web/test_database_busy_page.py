"""A write that meets a database lock held elsewhere (SQLite "database is locked" after its busy timeout)
gets a 503 "请稍后再试" page with Retry-After, not a 500; the lock is held for real by another connection."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import OperationalError, connection

from workshop.busy import is_busy_error
from workshop.models import Worker


@pytest.fixture
def short_sqlite_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("the lock is held with the sqlite3 module")
    connection.close()
    options = connection.settings_dict.setdefault("OPTIONS", {})
    old = options.get("timeout")
    options["timeout"] = 0.2
    yield connection.settings_dict["NAME"]
    connection.close()
    options["timeout"] = old


@pytest.mark.django_db(transaction=True)
def test_a_head_whose_write_meets_a_held_lock_gets_a_try_again_page(client, cast, short_sqlite_timeout):
    client.force_login(cast.head)
    holder = sqlite3.connect(short_sqlite_timeout, timeout=0.1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.post(
            f"/dashboard/workers/{cast.alice.pk}/pin/", {"pin": "482915"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "请稍后再试" in response.content.decode()
    Worker.objects.get(pk=cast.alice.pk)  # the database answers again once the lock is gone


def test_only_busy_database_errors_count_as_busy():
    assert is_busy_error(OperationalError("database is locked"))
    assert not is_busy_error(OperationalError("no such table: x"))
    assert not is_busy_error(ValueError("database is locked"))
