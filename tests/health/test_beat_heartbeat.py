"""The beat heartbeat: on the schedule every 30 s, run by a real worker, read back by the beat check."""

from __future__ import annotations

import pytest
from django.conf import settings

from health import broker, checks
from health.tasks import beat_heartbeat

pytestmark = pytest.mark.celery


def test_the_heartbeat_is_on_beats_schedule_every_30_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]

    assert entry["task"] == "health.tasks.beat_heartbeat" and entry["schedule"] == 30.0


def test_a_heartbeat_queued_as_beat_does_is_run_by_a_real_worker_and_read_by_the_check(celery_worker):
    from config.celery import wait_until_idle

    client = broker.client(checks.broker_url(), timeout=1.0)
    client.delete(broker.HEARTBEAT_KEY)
    assert checks.check_beat().status == "warn"

    beat_heartbeat.apply_async()
    wait_until_idle(timeout=30)

    result = checks.check_beat()
    assert result.status == "ok", result
    assert 0 <= result.detail["last_beat_s"] < 30
