"""The courier's phone pages (/m/run/): who may open them, what the run shows, and each check-off through
the real services (the materials ledger, collections, the key that makes a resend count once)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics.models import Collection, Residence, Run, RunState, Stop, StopState
from materials.models import Balance, Movement, MovementKind
from notices.models import Notification
from tests.mobile.conftest import PIN
from tests.mobile.courier_day import COURIER_PHONE, OTHER_COURIER_PHONE, courier_day, make_courier
from tickets.models import BundleTicket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_planner(settings):
    settings.NUANXIN_ROUTE_TIME_LIMIT_S = 0.2


@pytest.fixture
def day(cast, issue_job):
    """小周's run today: one delivery, one collection (one bundle reported by ticket), one hand-over."""
    return courier_day(cast, issue_job, deliver=1, collect=1, handover=True)


@pytest.fixture
def courier_client(client, day):
    client.force_login(day.courier.user)
    return client


def snapshot() -> dict:
    return {
        "stops": list(Stop.objects.order_by("pk").values("pk", "state", "key", "done_at")),
        "runs": list(Run.objects.order_by("pk").values("pk", "state")),
        "movements": Movement.objects.count(),
        "collections": Collection.objects.count(),
        "notes": Notification.objects.count(),
    }


def done_form(stop, key: str = "k-1", **extra) -> dict:
    return {"key": key, "outcome": "done", **extra}


# --- who may open the pages ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_nothing_is_written(client, day):
    before = snapshot()
    r = client.get("/m/run/")
    assert r.status_code == 302 and r["Location"] == "/m/login/?next=/m/run/"
    for url in (f"/m/run/stop/{day.deliver[0].pk}/", "/m/run/start/", "/m/run/finish/"):
        r = client.post(url, done_form(day.deliver[0]))
        assert r.status_code == 302 and r["Location"].startswith("/m/login/?next=")
    assert snapshot() == before


def test_courier_signs_in_with_phone_and_pin_and_lands_on_her_run(client, day):
    r = client.post("/m/login/", {"phone": COURIER_PHONE, "pin": PIN})
    assert r.status_code == 302 and r["Location"] == "/m/run/"
    page = client.get("/m/run/")
    assert page.status_code == 200 and "小周,今天的路线" in page.content.decode()


def test_courier_opening_a_workers_page_or_the_front_door_is_sent_to_her_run(courier_client):
    for url in ("/m/", "/m/earnings/", "/"):
        r = courier_client.get(url)
        assert r.status_code == 302 and r["Location"] == "/m/run/", url


@pytest.mark.parametrize("who", ["alice", "head", "clerk"])
def test_another_role_gets_the_not_for_you_page_and_writes_nothing(client, cast, day, who):
    before = snapshot()
    user = getattr(cast, who)
    client.force_login(getattr(user, "user", user))
    r = client.get("/m/run/")
    assert r.status_code == 403 and "这是配送员的页面" in r.content.decode()
    for stop in day.stops:
        r = client.post(f"/m/run/stop/{stop.pk}/", done_form(stop, key=f"x-{stop.pk}"))
        assert r.status_code == 403
    assert client.post("/m/run/start/").status_code == 403
    assert client.post("/m/run/finish/").status_code == 403
    assert snapshot() == before


def test_another_courier_gets_404_for_every_stop_and_writes_nothing(client, cast, day):
    other = make_courier(cast, phone=OTHER_COURIER_PHONE, name="小陈")
    client.force_login(other.user)
    before = snapshot()
    page = client.get("/m/run/").content.decode()
    assert "今天没有排给您的路线" in page and "新街小区" not in page
    for stop in day.stops:
        for outcome in ("done", "nobody_home", "refused"):
            data = {"key": f"o-{stop.pk}-{outcome}", "outcome": outcome, "reason": "不要了"}
            assert client.post(f"/m/run/stop/{stop.pk}/", data).status_code == 404
        r = client.post(f"/m/run/stop/{stop.pk}/", data, HTTP_ACCEPT="application/json")
        assert r.status_code == 404 and r.json()["ok"] is False
    assert client.post("/m/run/start/").status_code == 404
    assert client.post("/m/run/finish/").status_code == 404
    assert snapshot() == before


def test_yesterdays_run_is_not_reachable(courier_client, day):
    Run.objects.filter(pk=day.run.pk).update(day=timezone.localdate() - dt.timedelta(days=1))
    before = snapshot()
    assert "今天没有排给您的路线" in courier_client.get("/m/run/").content.decode()
    assert (
        courier_client.post(f"/m/run/stop/{day.deliver[0].pk}/", done_form(day.deliver[0])).status_code == 404
    )
    assert snapshot() == before


# --- what the run shows --------------------------------------------------------------------------------


def _clock_at(monkeypatch, at: dt.time) -> None:
    """The current time is ``at`` today (Asia/Shanghai) for the rest of the test."""
    fixed = timezone.make_aware(dt.datetime.combine(timezone.localdate(), at))
    monkeypatch.setattr(timezone, "now", lambda: fixed)


def test_run_shows_each_stop_with_address_phone_goods_and_arrival(courier_client, day, monkeypatch):
    _clock_at(monkeypatch, dt.time(7, 40))  # she looks at her run before the depot's 08:30
    page = courier_client.get("/m/run/").content.decode()
    deliver, collect = day.deliver[0], day.collect[0]
    worker = deliver.worker
    # Her own stop: the address, the planned arrival (08:30 + arrive_min), the home window, a call link.
    assert "新街小区1幢 2单元301" in page
    arrive = (dt.datetime(2000, 1, 1, 8, 30) + dt.timedelta(minutes=deliver.arrive_min)).strftime("%H:%M")
    assert arrive in page
    assert "08:00–12:00" in page
    assert f'href="tel:{worker.phone.as_e164}"' in page
    national = str(worker.phone.national_number)
    assert f"{national[:3]}****{national[-4:]}" in page
    assert page.count(national) == page.count(f"tel:{worker.phone.as_e164}")  # in full only in the link
    # What to hand over (the kit), to collect (pieces and reported tickets), the lot for the firm.
    assert "面板 20个、螺丝 80个" in page
    ticket = day.tickets[day.shares[collect.worker_id].pk][0]
    assert "要收 20 件" in page and f'value="{ticket.token}"' in page
    assert "第 1 批,40 件" in page
    # The firm's gate has no map point: call first.
    assert "没有地图位置,排在最后;请先打电话约好" in page
    assert [int(n) for n in re.findall(r'id="stop-(\d+)"', page)] == [s.pk for s in day.stops]
    assert page.count('name="key"') == 3
    assert len(set(re.findall(r'name="key" value="([0-9a-f]{32})"', page))) == 3


def test_a_run_planned_in_the_afternoon_shows_arrivals_from_when_it_was_planned(
    courier_client, day, monkeypatch
):
    """A trial: a run planned at 14:00 showed her first door at 08:4x, the depot's morning time; and, once
    shown from the clock now, 40 minutes later when she opened it at 14:40."""
    two_pm = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(14, 0)))
    Run.objects.filter(pk=day.run.pk).update(leaves_at=two_pm)  # as planned at 14:00
    _clock_at(monkeypatch, dt.time(14, 40))
    first = day.stops[0]

    page = courier_client.get("/m/run/").content.decode()

    arrive = (dt.datetime(2000, 1, 1, 14, 0) + dt.timedelta(minutes=first.arrive_min)).strftime("%H:%M")
    morning = (dt.datetime(2000, 1, 1, 8, 30) + dt.timedelta(minutes=first.arrive_min)).strftime("%H:%M")
    assert arrive in page and morning not in page


@pytest.mark.parametrize("size", [(1, 1), (5, 6)], ids=["3-stops", "12-stops"])
def test_run_page_queries_do_not_grow_with_the_stops(client, cast, issue_job, size):
    day = courier_day(cast, issue_job, deliver=size[0], collect=size[1], handover=True)
    client.force_login(day.courier.user)
    client.get("/m/run/")  # the session's first read
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/m/run/")
    assert r.status_code == 200 and r.content.decode().count('class="card stop') == sum(size) + 1
    # session, user with her courier row; run, stops, lines; rooms, materials, the kits' running totals,
    # tickets, depot start
    assert len(ctx.captured_queries) == 10, [q["sql"] for q in ctx.captured_queries]


# --- check-offs ----------------------------------------------------------------------------------------


def test_delivered_moves_the_kit_from_the_courier_to_the_worker(courier_client, day):
    stop = day.deliver[0]
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", done_form(stop, key="deliver-1"))
    assert r.status_code == 302 and r["Location"] == f"/m/run/#stop-{stop.pk}"
    stop.refresh_from_db()
    assert (stop.state, stop.key, stop.done_by_id) == (StopState.DELIVERED, "deliver-1", day.courier.user_id)
    run = Run.objects.get(pk=day.run.pk)
    assert run.state == RunState.UNDER_WAY  # the first check-off sets her off: the kits were loaded
    loaded = Movement.objects.filter(kind=MovementKind.LOAD, courier=day.courier)
    delivered = Movement.objects.filter(kind=MovementKind.DELIVER, courier=day.courier, worker=stop.worker)
    assert sorted(m.quantity for m in loaded) == sorted(m.quantity for m in delivered) == [20, 80]
    assert {(m.source, m.target) for m in delivered} == {("courier", "worker")}
    held = Balance.objects.filter(holder_key=f"worker:{stop.worker_id}").values_list("quantity", flat=True)
    assert sorted(held) == [20, 80]
    page = courier_client.get("/m/run/").content.decode()
    assert f"第 {stop.seq} 站({stop.worker.name}):已送到。" in page  # the message in words


def test_collected_with_counts_and_a_ticket_writes_collection_rows(courier_client, day):
    stop = day.collect[0]
    share = day.shares[stop.worker_id]
    ticket = day.tickets[share.pk][0]
    data = done_form(stop, key="collect-1", ticket=[ticket.token], **{f"n{share.pk}": "18"})
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", data)
    assert r.status_code == 302
    rows = sorted(Collection.objects.filter(stop=stop).values_list("ticket_id", "pieces"), key=str)
    assert rows == sorted([(ticket.pk, 10), (None, 8)], key=str)
    stop.refresh_from_db()
    assert stop.state == StopState.COLLECTED
    # Collected short of what was reported (18 of 20): the head hears of it.
    assert Notification.objects.filter(recipient=day.run.workshop.head, kind="collection_short").exists()
    # And her own page says what she took and how many short, not only "collect 20 · Collected" (a trial).
    page = courier_client.get("/m/run/").content.decode()
    assert 'data-collected="18"' in page and "收到 18 件" in page and "(少 2 件)" in page


def test_counts_above_what_is_left_are_refused_in_words_and_nothing_is_written(courier_client, day):
    stop = day.collect[0]
    share = day.shares[stop.worker_id]
    before = snapshot()
    r = courier_client.post(
        f"/m/run/stop/{stop.pk}/", done_form(stop, key="too-many", **{f"n{share.pk}": "25"})
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "还有 20 件没收,不能收 25 件" in page
    assert 'value="too-many"' in page and 'value="25"' in page  # her form as she sent it, same key
    assert snapshot() == before


def test_a_count_that_is_not_a_number_is_refused_in_words(courier_client, day):
    stop = day.collect[0]
    share = day.shares[stop.worker_id]
    before = snapshot()
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", done_form(stop, key="abc", **{f"n{share.pk}": "二十"}))
    assert r.status_code == 400 and "插头包装 的件数要填整数" in r.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("typed", ["-5", "−5", "- 5"])
def test_a_negative_count_is_said_to_be_negative_not_not_whole(courier_client, day, typed):
    stop = day.collect[0]
    share = day.shares[stop.worker_id]
    before = snapshot()
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", done_form(stop, key="neg", **{f"n{share.pk}": typed}))
    page = r.content.decode()
    assert r.status_code == 400 and "插头包装 的件数不能是负数" in page and "要填整数" not in page
    assert snapshot() == before


def test_twenty_nines_as_a_count_are_refused_as_too_large_not_as_no_whole_number(courier_client, day):
    stop = day.collect[0]
    share = day.shares[stop.worker_id]
    before = snapshot()
    r = courier_client.post(
        f"/m/run/stop/{stop.pk}/", done_form(stop, key="nines", **{f"n{share.pk}": "9" * 20})
    )
    page = r.content.decode()
    assert r.status_code == 400 and "插头包装 的件数太大了" in page and "要填整数" not in page
    # A superscript passes str.isdigit() but not int(): still words, not an error page.
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", done_form(stop, key="sq", **{f"n{share.pk}": "²"}))
    assert r.status_code == 400 and "插头包装 的件数要填整数" in r.content.decode()
    assert snapshot() == before


def test_the_same_key_twice_counts_once(courier_client, day):
    stop = day.collect[0]
    share = day.shares[stop.worker_id]
    data = done_form(stop, key="twice", **{f"n{share.pk}": "20"})
    assert courier_client.post(f"/m/run/stop/{stop.pk}/", data).status_code == 302
    after_first = snapshot()
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", data, follow=True)
    assert r.status_code == 200 and "刚才已经记上了,没有重复" in r.content.decode()
    assert snapshot() == after_first
    assert Collection.objects.filter(stop=stop).count() == 1
    # Another key on a stop already checked off is refused in words.
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", dict(data, key="again"))
    assert r.status_code == 400 and "已经是“已收件”了" in r.content.decode()
    assert snapshot() == after_first


def test_refused_needs_a_reason_in_words_then_tells_the_head(courier_client, day):
    stop = day.deliver[0]
    before = snapshot()
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", {"key": "no-1", "outcome": "refused", "reason": " "})
    assert r.status_code == 400 and "请说一下为什么拒收" in r.content.decode()
    assert Stop.objects.get(pk=stop.pk).state == StopState.PENDING
    assert snapshot()["stops"] == before["stops"] and snapshot()["collections"] == 0
    r = courier_client.post(
        f"/m/run/stop/{stop.pk}/", {"key": "no-1", "outcome": "refused", "reason": "料不对"}
    )
    assert r.status_code == 302
    stop.refresh_from_db()
    assert (stop.state, stop.courier_note) == (StopState.REFUSED, "料不对")
    assert not Movement.objects.filter(kind=MovementKind.DELIVER).exists()
    assert Notification.objects.filter(recipient=day.run.workshop.head, kind="stop_missed").count() == 1


def test_nobody_home_and_an_unknown_outcome(courier_client, day):
    stop = day.handover[0]
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", {"key": "x", "outcome": "maybe"})
    assert r.status_code == 400 and "请点“送到了”" in r.content.decode()
    r = courier_client.post(f"/m/run/stop/{stop.pk}/", {"key": "x", "outcome": "nobody_home"})
    assert r.status_code == 302
    assert Stop.objects.get(pk=stop.pk).state == StopState.NOBODY_HOME


def test_the_queue_gets_json_answers(courier_client, day):
    stop = day.handover[0]
    data = done_form(stop, key="q-1")
    first = courier_client.post(f"/m/run/stop/{stop.pk}/", data, HTTP_ACCEPT="application/json")
    assert first.status_code == 200
    assert first.json() == {
        "ok": True,
        "message": f"第 {stop.seq} 站({stop.firm.name}):已交企业。",
        "state": "handed_over",
        "created": True,
    }
    again = courier_client.post(f"/m/run/stop/{stop.pk}/", data, HTTP_ACCEPT="application/json")
    assert again.status_code == 200 and again.json()["created"] is False
    refused = courier_client.post(
        f"/m/run/stop/{day.deliver[0].pk}/",
        {"key": "q-2", "outcome": "refused"},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400 and refused.json() == {"ok": False, "error": "请说一下为什么拒收。"}


def test_start_loads_the_kits_and_finish_puts_back_what_is_left(courier_client, day):
    r = courier_client.post("/m/run/start/", follow=True)
    assert "出发了" in r.content.decode()
    assert Run.objects.get(pk=day.run.pk).state == RunState.UNDER_WAY
    assert Movement.objects.filter(kind=MovementKind.LOAD).count() == 2
    r = courier_client.post("/m/run/finish/", follow=True)
    assert "今天的路线结束了" in r.content.decode()
    assert Run.objects.get(pk=day.run.pk).state == RunState.DONE
    # The kit not delivered went back to the store; the stop stays pending for the next plan.
    assert Movement.objects.filter(kind=MovementKind.UNLOAD).count() == 2
    assert Stop.objects.get(pk=day.deliver[0].pk).state == StopState.PENDING
    assert "/m/run/stop/" not in courier_client.get("/m/run/").content.decode()  # no form left to tap
    r = courier_client.post(f"/m/run/stop/{day.deliver[0].pk}/", done_form(day.deliver[0], key="late"))
    assert r.status_code == 400 and "这趟已经结束了" in r.content.decode()


# --- a scanned bundle ticket ---------------------------------------------------------------------------


def test_a_scanned_ticket_on_her_run_opens_the_stop_with_it_ticked(courier_client, day):
    stop = day.collect[0]
    ticket = day.tickets[day.shares[stop.worker_id].pk][0]
    page = courier_client.get(f"/m/b/{ticket.token}/").content.decode()
    link = f"/m/run/?t={ticket.token}#stop-{stop.pk}"
    assert "收这一扎" in page and f'href="{link}"' in page
    run_page = courier_client.get(f"/m/run/?t={ticket.token}").content.decode()
    assert f'value="{ticket.token}" checked' in run_page


def test_a_bundle_reported_with_the_phones_form_is_collected_by_its_ticket(courier_client, day):
    """Of 收货1's 3 bundles of 10, the first was scanned and 10 more pieces reported with the form: the
    second bundle is reported too, though its ticket was never scanned."""
    stop = day.collect[0]
    share = day.shares[stop.worker_id]
    second = BundleTicket.objects.get(assignment=share, number=2)

    page = courier_client.get(f"/m/b/{second.token}/").content.decode()
    assert "还没有报工" not in page and "收这一扎" in page
    run_page = courier_client.get(f"/m/run/?t={second.token}").content.decode()
    assert f'value="{second.token}" checked' in run_page
    r = courier_client.post(
        f"/m/run/stop/{stop.pk}/", done_form(stop, key="collect-2", ticket=[second.token])
    )

    assert r.status_code == 302
    assert list(Collection.objects.filter(stop=stop).values_list("ticket_id", "pieces")) == [(second.pk, 10)]
    second.refresh_from_db()
    assert second.state == "open"  # a read of the share's reports: nothing of the ticket was written


def test_a_ticket_not_on_her_run_says_so_and_an_unknown_one_is_404(courier_client, cast, day):
    share = day.shares[day.collect[0].worker_id]
    # Of 3 bundles of 10, the first was scanned and 10 more pieces reported with the form (they cover the
    # second): the third is not reported yet.
    other = BundleTicket.objects.filter(assignment=share, state="open").last()
    page = courier_client.get(f"/m/b/{other.token}/").content.decode()
    assert "还没有报工" in page and "收这一扎" not in page
    r = courier_client.get("/m/b/NoSuchTicket12/")
    assert r.status_code == 404 and "找不到这张扎票" in r.content.decode()
    Stop.objects.filter(pk=day.collect[0].pk).update(state=StopState.NOBODY_HOME)
    reported = day.tickets[share.pk][0]
    page = courier_client.get(f"/m/b/{reported.token}/").content.decode()
    assert "不在您今天要收的站里" in page


# --- the worker's home hours ---------------------------------------------------------------------------


def test_a_worker_sets_her_home_hours_from_simple_choices(client, cast):
    client.force_login(cast.bob.user)  # bob works at the workshop: no home hours for him
    assert 'href="/m/home-hours/"' not in client.get("/m/").content.decode()
    r = client.post("/m/home-hours/", {"hours": "morning"}, follow=True)
    assert "不用设置在家时间" in r.content.decode()
    assert not Residence.objects.filter(worker=cast.bob).exists()
    cast.alice.work_place = "home"
    cast.alice.save(update_fields=["work_place"])
    client.force_login(cast.alice.user)
    assert 'href="/m/home-hours/"' in client.get("/m/").content.decode()
    page = client.get("/m/home-hours/").content.decode()
    assert 'value="any" checked' in page
    r = client.post("/m/home-hours/", {"hours": "morning"})
    assert r.status_code == 302 and r["Location"] == "/m/"
    home = Residence.objects.get(worker=cast.alice)
    assert (home.home_from, home.home_until) == (dt.time(8), dt.time(12))
    assert 'value="morning" checked' in client.get("/m/home-hours/").content.decode()
    r = client.post("/m/home-hours/", {"hours": "midnight"}, follow=True)
    assert "请选一个在家时间" in r.content.decode()
    client.post("/m/home-hours/", {"hours": "any"})
    home.refresh_from_db()
    assert (home.home_from, home.home_until) == (None, None)


def test_a_courier_cannot_set_home_hours(courier_client, day):
    before = list(Residence.objects.order_by("pk").values())
    r = courier_client.post("/m/home-hours/", {"hours": "afternoon"})
    assert r.status_code == 302 and r["Location"] == "/m/run/"
    assert list(Residence.objects.order_by("pk").values()) == before
