"""The arrival times once the courier sets off (出发): counted from when she really left, and never before a
worker is home (her home hours are the planner's time windows), the wait carried to the doors after it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from logistics.models import Stop

from .courier_day import courier_day

pytestmark = pytest.mark.django_db

LATE = "在家时间(10:00–12:00)这趟赶不到"


@pytest.fixture(autouse=True)
def _quick_planner(settings):
    settings.NUANXIN_ROUTE_TIME_LIMIT_S = 0.2


@pytest.fixture
def day(cast, issue_job):
    """小周's run planned at 07:30 from the depot's 08:30: first 张桂兰's kit (home 10:00–12:00 only, so the
    plan waits at her door until 10:00), then a collection and the firm's gate, neither with home hours."""
    day = courier_day(cast, issue_job, home=("10:00", "12:00"))
    day.deliver[0].worker.name = "张桂兰"
    day.deliver[0].worker.save(update_fields=["name"])
    assert [s.kind for s in day.stops] == ["deliver", "collect", "handover"]
    return day


def _clock_at(monkeypatch, at: dt.time) -> None:
    fixed = timezone.make_aware(dt.datetime.combine(timezone.localdate(), at))
    monkeypatch.setattr(timezone, "now", lambda: fixed)


def _shown(client, cast, day) -> tuple[list[str], list[str], str, str]:
    """The arrival times on her phone and on the head's runs page, in the run's order, and both pages."""
    client.force_login(day.courier.user)
    phone = client.get("/m/run/")
    client.force_login(cast.head)
    runs = client.get(f"/dashboard/runs/{timezone.localdate().isoformat()}/")
    on_runs = runs.context["workshops"][0].day_runs[0].ordered
    return (
        [s.arrive for s in phone.context["run"].ordered],
        [s.arrive_at for s in on_runs],
        phone.content.decode(),
        runs.content.decode(),
    )


def test_setting_off_early_she_is_told_to_be_at_the_door_when_the_worker_is_home(
    client, cast, day, monkeypatch
):
    """A trial: set off at 07:22 instead of 08:30, and 张桂兰's door (home 10:00–12:00) moved from 10:00 to
    08:53, before she is home."""
    planned = [
        (dt.datetime(2000, 1, 1, 8, 30) + dt.timedelta(minutes=s.arrive_min)).strftime("%H:%M")
        for s in day.stops
    ]
    assert planned[0] == "10:00"
    _clock_at(monkeypatch, dt.time(7, 22))
    client.force_login(day.courier.user)
    assert "出发了" in client.post("/m/run/start/", follow=True).content.decode()

    phone, runs, phone_page, runs_page = _shown(client, cast, day)

    # She waits at 张桂兰's door until 10:00; the doors after it follow from there, as planned.
    assert phone == runs == planned
    assert "08:53" not in phone_page and "08:53" not in runs_page
    assert LATE not in phone_page and LATE not in runs_page


def test_setting_off_too_late_for_her_hours_shows_the_honest_time_and_says_so(client, cast, day, monkeypatch):
    """Set off at 12:00, she reaches 张桂兰's door a minute after her home hours (the ride, not the plan's
    wait until 10:00): that time is shown, with the planner's words for a door it cannot reach in time."""
    _clock_at(monkeypatch, dt.time(12, 0))
    client.force_login(day.courier.user)
    client.post("/m/run/start/")

    phone, runs, phone_page, runs_page = _shown(client, cast, day)

    assert phone[0] == runs[0] == "12:01"
    assert phone == runs and phone[1:] == ["12:05", "12:08"]
    assert LATE in phone_page and LATE in runs_page
    assert Stop.objects.get(pk=day.deliver[0].pk).seq == 1  # still on her run: she may still find her home
