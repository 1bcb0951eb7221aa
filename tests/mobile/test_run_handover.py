"""A courier stopped in the middle of her run (停用): the head hands what is left of it to another courier on
the runs page (交接), who finishes it from her phone. The stops done before stay done by the first courier,
what was on the first courier's vehicle moves to the second's in the materials ledger (nothing counted twice,
nothing left on a stopped courier), and each refusal is said in words with nothing written. Another
workshop's head, with real ids, gets a 404 and a PermissionDenied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from logistics import selectors as logistics_reads
from logistics import services as logistics
from logistics.models import Collection, Run, RunHandover, RunState, Stop, StopState
from materials.models import Balance, Movement, MovementKind
from tests.factories import UserFactory, WorkshopFactory
from tests.mobile.conftest import PIN
from tests.mobile.courier_day import OTHER_COURIER_PHONE, courier_day, make_courier
from workshop import services as people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick_planner(settings):
    settings.NUANXIN_ROUTE_TIME_LIMIT_S = 0.2


@pytest.fixture
def day(cast, issue_job):
    """小周's run today: two deliveries and a collection (one bundle reported by its ticket)."""
    return courier_day(cast, issue_job, deliver=2, collect=1, handover=False)


def stop_her(cast, courier) -> None:
    people.courier_deactivate(actor=cast.head, courier=courier, reason="离岗")


def held(courier) -> Decimal:
    total = Balance.objects.filter(holder_key=f"courier:{courier.pk}").aggregate(q=Sum("quantity"))["q"]
    return total or Decimal("0")


def snapshot() -> dict:
    return {
        "runs": list(Run.objects.order_by("pk").values_list("pk", "state", "courier_id")),
        "stops": list(Stop.objects.order_by("pk").values_list("pk", "state", "done_by_id")),
        "movements": Movement.objects.count(),
        "handovers": RunHandover.objects.count(),
    }


def test_the_head_hands_a_stopped_couriers_run_to_another_who_finishes_it_from_her_phone(client, cast, day):
    first, second = day.deliver
    zhou = client.__class__()
    zhou.force_login(day.courier.user)
    assert zhou.post(f"/m/run/stop/{first.pk}/", {"key": "d-1", "outcome": "done"}).status_code == 302
    on_vehicle = held(day.courier)
    assert on_vehicle > 0  # the second kit is still on her vehicle
    stop_her(cast, day.courier)
    li = make_courier(cast, phone=OTHER_COURIER_PHONE, name="小李")
    client.force_login(cast.head)

    page = client.get("/dashboard/runs/").content.decode()
    assert "data-hand-over" in page and f'<option value="{li.pk}">小李</option>' in page
    page = client.post(
        f"/dashboard/runs/run/{day.run.pk}/hand-over/", {"courier": li.pk}, follow=True
    ).content.decode()

    assert "已经交给 小李" in page and "由 小周 交给 小李" in page and "data-hand-over" not in page
    run = Run.objects.get(pk=day.run.pk)
    assert (run.state, run.courier_id) == (RunState.UNDER_WAY, li.pk)
    first.refresh_from_db()
    assert (first.state, first.done_by_id) == (StopState.DELIVERED, day.courier.user_id)  # stays hers
    # Her vehicle's load is now 小李's, written as new rows; nothing is left on a stopped courier.
    assert held(day.courier) == 0 and held(li) == on_vehicle
    assert Movement.objects.filter(kind=MovementKind.UNLOAD, courier=day.courier).count() == 2
    assert Movement.objects.filter(kind=MovementKind.LOAD, courier=li).count() == 2

    phone = client.__class__()
    assert phone.post("/m/login/", {"phone": OTHER_COURIER_PHONE, "pin": PIN}).status_code == 302
    mine = phone.get("/m/run/").content.decode()
    assert f"stop-{second.pk}" in mine and second.worker.name in mine
    assert phone.post(f"/m/run/stop/{second.pk}/", {"key": "d-2", "outcome": "done"}).status_code == 302
    collect = day.collect[0]
    share = day.shares[collect.worker_id]
    assert phone.post(f"/m/run/stop/{collect.pk}/", {"key": "c-1", "outcome": "done"}).status_code == 302
    assert phone.post("/m/run/finish/").status_code == 302

    second.refresh_from_db()
    assert (second.state, second.done_by_id) == (StopState.DELIVERED, li.user_id)
    assert Collection.objects.filter(assignment=share).aggregate(n=Sum("pieces"))["n"] == 20  # once
    assert [a.pk for a, _g in logistics_reads.home_shares_to_collect(cast.ws.pk)] == []
    assert held(day.courier) == held(li) == 0
    kits = Balance.objects.filter(holder_key__in=[f"worker:{s.worker_id}" for s in day.deliver])
    assert sorted(kits.values_list("quantity", flat=True)) == [20, 20, 80, 80]  # each kit delivered once
    assert Run.objects.get(pk=day.run.pk).state == RunState.DONE


def test_a_courier_who_finished_her_own_run_gets_the_handed_one_on_her_phone(cast, day, issue_job):
    li = make_courier(cast, phone=OTHER_COURIER_PHONE, name="小李")
    spare = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="电瓶车", courier=li)
    own = Run.objects.create(workshop=cast.ws, day=day.run.day, vehicle=spare, courier=li, state="done")
    later = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="小货车")
    Run.objects.filter(pk=day.run.pk).update(vehicle=later)  # her own run's vehicle comes first by id
    logistics.run_start(actor=day.courier.user, run=day.run)
    stop_her(cast, day.courier)

    logistics.run_hand_over(actor=cast.head, run=day.run, courier=li)

    assert logistics_reads.courier_run(li).pk == day.run.pk != own.pk
    assert logistics_reads.courier_runs(li).first().pk == day.run.pk


def test_each_refusal_is_said_in_words_and_writes_nothing(cast, day):
    li = make_courier(cast, phone=OTHER_COURIER_PHONE, name="小李")

    def refused(words: str, courier=li, run=None) -> None:
        before = snapshot()
        with pytest.raises(ValidationError, match=words):
            logistics.run_hand_over(actor=cast.head, run=run or day.run, courier=courier)
        assert snapshot() == before

    refused("不在路上")  # still planned: plan the day again instead
    logistics.run_start(actor=day.courier.user, run=day.run)
    refused("还在岗,这趟由本人跑完")
    stop_her(cast, day.courier)
    other_head = UserFactory(username="otherhead")
    other_ws = WorkshopFactory(name="别的坊", head=other_head)
    theirs = people.courier_create(
        actor=other_head, workshop=other_ws, name="外坊", phone="13700003333", pin=PIN
    )
    refused("只能交给本工坊的配送员", courier=theirs)
    wu = make_courier(cast, phone="13700004444", name="小吴")
    people.courier_deactivate(actor=cast.head, courier=wu, reason="离岗")
    refused("小吴 已经停用了", courier=wu)
    spare = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="电瓶车", courier=li)
    busy = Run.objects.create(workshop=cast.ws, day=day.run.day, vehicle=spare, courier=li)
    refused("小李 今天自己的趟次还没跑完", courier=li)
    busy.delete()
    Run.objects.filter(pk=day.run.pk).update(day=day.run.day - dt.timedelta(days=1))
    refused("只能交接今天的趟次")


def test_the_page_names_a_courier_who_cannot_take_it_in_words(client, cast, day):
    logistics.run_start(actor=day.courier.user, run=day.run)
    stop_her(cast, day.courier)
    client.force_login(cast.head)
    page = client.get("/dashboard/runs/").content.decode()
    assert "data-no-free-courier" in page  # nobody else to hand it to: said, no empty form

    before = snapshot()
    for value in ("", "abc", str(day.courier.pk), "99999999999999999999"):
        page = client.post(
            f"/dashboard/runs/run/{day.run.pk}/hand-over/", {"courier": value}, follow=True
        ).content.decode()
        assert "请选一位本工坊在岗的配送员" in page or "已经停用了" in page
    assert snapshot() == before


def test_another_workshops_head_with_real_ids_is_refused_and_nothing_is_written(client, cast, day):
    logistics.run_start(actor=day.courier.user, run=day.run)
    stop_her(cast, day.courier)
    li = make_courier(cast, phone=OTHER_COURIER_PHONE, name="小李")
    other_head = UserFactory(username="otherhead")
    WorkshopFactory(name="别的坊", head=other_head)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        logistics.run_hand_over(actor=other_head, run=day.run, courier=li)
    client.force_login(other_head)
    assert client.post(f"/dashboard/runs/run/{day.run.pk}/hand-over/", {"courier": li.pk}).status_code == 404
    client.force_login(cast.clerk)
    assert client.post(f"/dashboard/runs/run/{day.run.pk}/hand-over/", {"courier": li.pk}).status_code == 403
    assert snapshot() == before
