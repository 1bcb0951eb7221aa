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


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_row_lock_held_too_long_is_a_try_again_page(client, cast, issue_job, postgres_only):
    import psycopg

    assert "lock_timeout=" in connection.settings_dict["OPTIONS"].get("options", "")  # set from the env
    job = issue_job(quantity=100)
    client.force_login(cast.head)
    s = connection.settings_dict
    holder = psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"],
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"],
    )
    holder.execute("SELECT id FROM dispatch_job WHERE id = %s FOR UPDATE", [job.pk])  # a transaction holds it
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")  # the setting's 20 s, shortened for the test
    try:
        response = client.post(f"/dashboard/jobs/{job.pk}/accept/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "请稍后再试" in response.content.decode()
    job.refresh_from_db()
    assert job.state == "issued"  # nothing half-written
