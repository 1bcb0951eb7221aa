"""The system checks (``manage.py check``): an evicting broker is health.E001, a broker without
persistence is health.E002 when required, an unreachable one a warning (health.W001), never a crash."""

from __future__ import annotations

from health.system import broker_checks


def _ids(settings, url: str) -> list[str]:
    settings.CELERY_BROKER_URL = url
    return [m.id for m in broker_checks()]


def test_the_test_runs_noeviction_redis_passes(settings, redis_server):
    settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE = False

    assert _ids(settings, settings.CELERY_BROKER_URL) == []


def test_an_evicting_broker_is_error_e001(settings, evicting_redis):
    assert _ids(settings, evicting_redis.url()) == ["health.E001"]


def test_a_broker_without_persistence_is_error_e002_only_when_required(settings, volatile_redis):
    settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE = False
    assert _ids(settings, volatile_redis.url()) == []

    settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE = True
    assert _ids(settings, volatile_redis.url()) == ["health.E002"]


def test_a_broker_as_deploy_sets_it_up_passes_when_persistence_is_required(settings, durable_redis):
    settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE = True

    assert _ids(settings, durable_redis.url()) == []


def test_an_unreachable_broker_is_only_warning_w001(settings):
    assert _ids(settings, "redis://127.0.0.1:1/0") == ["health.W001"]


def test_a_broker_that_never_answers_is_warning_w001(settings, hung_broker):
    assert _ids(settings, hung_broker.url) == ["health.W001"]
