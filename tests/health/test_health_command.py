"""``manage.py health [--json]``: the same report for an operator, exit status 0 or 1."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.celery


def _run(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("health", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def test_health_prints_a_line_per_check_and_exits_0_with_a_worker(celery_worker):
    out, status = _run()

    assert status == 0, out
    names = [line.split()[0] for line in out.splitlines()]
    assert names == ["broker", "persistence", "database", "workers", "queues", "outbox", "beat", "overall"]
    assert "maxmemory_policy noeviction" in out
    assert "consumers celery 1, exports 1" in out


def test_health_json_is_the_healthz_report_and_exits_1_without_a_worker(transactional_db, redis_server):
    out, status = _run("--json")

    report = json.loads(out)
    assert status == 1
    assert report["status"] == "fail"
    assert {c["name"]: c["status"] for c in report["checks"]}["workers"] == "fail"


def test_health_exits_1_naming_the_broker_when_it_is_down(db, broker_at):
    broker_at("redis://127.0.0.1:1/0")

    with pytest.raises(CommandError, match="broker") as raised:
        call_command("health", stdout=io.StringIO())

    assert raised.value.returncode == 1
