"""``/healthz``: public JSON for a load balancer or monitor; 200 with a live worker, 503 when a check fails,
quick even on a broker that never answers, never a person's data, never cached."""

from __future__ import annotations

import json
import time

import pytest

from tests.health.conftest import by_name

pytestmark = pytest.mark.celery


def test_healthz_is_200_with_every_check_named_when_a_worker_consumes_both_queues(client, celery_worker):
    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    checks = by_name(response.json())
    assert list(checks) == ["broker", "persistence", "database", "workers", "queues", "outbox", "beat"]
    assert checks["workers"]["status"] == "ok"
    assert checks["workers"]["detail"]["consumers"] == {"celery": 1, "exports": 1}


def test_healthz_is_503_when_no_worker_consumes(client, transactional_db, redis_server):
    response = client.get("/healthz")

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "fail"
    assert by_name(report)["workers"]["detail"]["consumers"] == {"celery": 0, "exports": 0}


def test_healthz_answers_503_quickly_when_the_broker_never_answers(client, db, hung_broker, broker_at):
    broker_at(hung_broker.url)

    started = time.monotonic()
    response = client.get("/healthz")
    took = time.monotonic() - started

    assert response.status_code == 503
    assert by_name(response.json())["broker"]["detail"] == {"reachable": False, "error": "TimeoutError"}
    assert took < 3.0, took  # a generous bound for "does not hang", not a timing benchmark
    assert hung_broker.accepted  # it did reach the broker that never answers


def test_healthz_shows_no_persons_data_nor_where_the_services_run(client, cast, celery_worker):
    body = client.get("/healthz").content.decode()

    people = [cast.alice, cast.bob, cast.carol, cast.mallory]
    for secret in [str(w.phone) for w in people] + [w.name for w in people] + ["127.0.0.1", "redis://"]:
        assert secret not in body
    for check in json.loads(body)["checks"]:
        for value in check["detail"].values():
            assert value is None or isinstance(value, bool | int | float | str | dict)


def test_healthz_needs_no_sign_in_and_refuses_posts(client, db, redis_server):
    assert client.get("/healthz").status_code in (200, 503)  # not a redirect to the sign-in page
    assert client.post("/healthz").status_code == 405


def test_healthz_reuses_a_fresh_report_for_a_few_seconds(client, db, redis_server, settings, broker_at):
    settings.NUANXIN_HEALTHZ_CACHE_S = 60
    first = client.get("/healthz").json()
    broker_at("redis://127.0.0.1:1/0")  # the broker goes away: the reused report does not know yet

    second = client.get("/healthz").json()

    assert second == first
