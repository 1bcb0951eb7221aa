"""Each health check on real parts: the test run's Redis, throwaway Redis servers set up wrongly on
purpose, the test database and the outbox table."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from health import broker, checks
from health.tasks import beat_heartbeat
from outbox.models import OutboxMessage


def test_broker_is_ok_on_the_test_runs_noeviction_redis(redis_server):
    result = checks.check_broker()

    assert result.status == "ok"
    assert result.detail["reachable"] is True and result.detail["maxmemory_policy"] == "noeviction"


def test_broker_fails_when_its_policy_may_evict_queued_tasks(evicting_redis, broker_at):
    broker_at(evicting_redis.url())

    result = checks.check_broker()

    assert result.status == "fail"
    assert result.detail["maxmemory_policy"] == "allkeys-lru"


def test_broker_fails_when_nothing_listens(broker_at):
    broker_at("redis://127.0.0.1:1/0")

    result = checks.check_broker()

    assert result.status == "fail" and result.detail == {"reachable": False, "error": "ConnectionError"}


def test_persistence_off_is_only_reported_when_not_required(volatile_redis, broker_at, settings):
    settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE = False
    broker_at(volatile_redis.url())

    result = checks.check_persistence()

    assert result.status == "ok"
    assert result.detail == {"required": False, "aof": False, "rdb_save": False, "persistent": False}


def test_persistence_off_fails_when_required(volatile_redis, broker_at, settings):
    settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE = True
    broker_at(volatile_redis.url())

    assert checks.check_persistence().status == "fail"


@pytest.mark.parametrize("how", ["aof", "rdb"])
def test_persistence_by_aof_or_rdb_save_passes_when_required(volatile_redis, broker_at, settings, how):
    settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE = True
    if how == "aof":
        volatile_redis.client.config_set("appendonly", "yes")
    else:
        volatile_redis.client.config_set("save", "900 1")
    broker_at(volatile_redis.url())

    result = checks.check_persistence()

    assert result.status == "ok" and result.detail["persistent"] is True
    assert result.detail["aof" if how == "aof" else "rdb_save"] is True


def test_database_answers_select_one_and_names_its_vendor(db):
    from django.db import connection

    result = checks.check_database()

    assert result.status == "ok" and result.detail["vendor"] == connection.vendor


def test_queue_depths_count_each_queues_waiting_tasks(redis_server):
    redis_server.delete("celery", "exports")
    try:
        redis_server.rpush("celery", *[b"{}"] * 3)
        redis_server.rpush("celery\x06\x166", b"{}")  # kombu's list for a priority step counts too
        redis_server.rpush("exports", b"{}")

        result = checks.check_queues()
    finally:
        redis_server.delete("celery", "celery\x06\x166", "exports")

    assert result.status == "ok"
    assert result.detail["depths"] == {"celery": 4, "exports": 1}


def test_a_queue_deeper_than_the_limit_is_a_warning(redis_server, settings):
    settings.NUANXIN_HEALTH_QUEUE_WARN = 2
    redis_server.delete("celery")
    try:
        redis_server.rpush("celery", *[b"{}"] * 3)
        result = checks.check_queues()
    finally:
        redis_server.delete("celery")

    assert result.status == "warn" and result.detail["depths"]["celery"] == 3


def test_outbox_is_ok_with_nothing_unsent(db):
    OutboxMessage.objects.update(sent_at=timezone.now())

    result = checks.check_outbox()

    assert result.status == "ok" and result.detail["oldest_unsent_s"] is None


def test_an_old_unsent_outbox_row_is_a_warning_with_its_age(db, settings):
    settings.NUANXIN_HEALTH_OUTBOX_WARN_S = 60
    row = OutboxMessage.objects.create(task_name="nuanxin.noop")
    OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(seconds=300))

    result = checks.check_outbox()

    assert result.status == "warn"
    assert 299 <= result.detail["oldest_unsent_s"] <= 330


def test_beat_is_a_warning_until_a_heartbeat_is_written(redis_server):
    redis_server.delete(broker.HEARTBEAT_KEY)

    assert checks.check_beat().status == "warn"
    assert checks.check_beat().detail["last_beat_s"] is None


def test_beat_is_ok_right_after_the_heartbeat_task_ran(redis_server):
    written = beat_heartbeat()

    result = checks.check_beat()

    assert result.status == "ok" and result.detail["last_beat_s"] < 60
    assert float(redis_server.get(broker.HEARTBEAT_KEY)) == written


def test_a_heartbeat_older_than_two_minutes_is_a_warning(redis_server):
    redis_server.set(broker.HEARTBEAT_KEY, repr(time.time() - 150))

    result = checks.check_beat()

    assert result.status == "warn" and result.detail["last_beat_s"] >= 150


def test_without_a_reachable_broker_the_broker_checks_are_skipped_not_waited_for(db, broker_at):
    broker_at("redis://127.0.0.1:1/0")

    report = checks.run_all()

    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses == {
        "broker": "fail",
        "persistence": "warn",
        "database": "ok",
        "workers": "fail",
        "queues": "warn",
        "outbox": statuses["outbox"],
        "beat": "warn",
    }
    assert report["status"] == "fail"


def test_an_old_heartbeat_names_the_missing_worker_not_beat_when_no_worker_runs_it(redis_server):
    # Found by a fresh-user trial: with only the worker stopped, /healthz said beat was behind.
    redis_server.set(broker.HEARTBEAT_KEY, repr(time.time() - 150))
    none = checks.Result("workers", "fail", {"workers": 0, "consumers": {"celery": 0, "exports": 0}})
    some = checks.Result("workers", "ok", {"workers": 1, "consumers": {"celery": 1, "exports": 1}})

    assert checks.check_beat(workers=none).detail["cause"] == "no_worker"
    assert checks.check_beat(workers=some).detail["cause"] == "beat"
    assert checks.check_beat().detail["cause"] == "beat"
    redis_server.set(broker.HEARTBEAT_KEY, repr(time.time()))
    assert "cause" not in checks.check_beat(workers=none).detail


def test_the_whole_report_says_no_worker_runs_the_heartbeat_when_none_is_up(db, redis_server):
    redis_server.delete(broker.HEARTBEAT_KEY)

    report = checks.run_all()

    found = {c["name"]: c for c in report["checks"]}
    assert found["workers"]["status"] == "fail"
    assert found["beat"]["detail"]["cause"] == "no_worker"
