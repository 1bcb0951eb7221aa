"""A courier who leaves (停用) from the head's delivery settings page: her phone, signed in before, is
signed out at its next page and told she was stopped; no run is planned for her vehicle; brought back
(恢复在岗) she signs in with the PIN she had, her lockout lifted. Only her workshop's head or community
admin may do either (another head's ids are a 404, firm staff a 403), and a refusal writes nothing: it goes
back to the settings page with its words, so a reload there posts nothing again."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from logistics import services as logistics
from logistics.models import Run, RunState
from tests.factories import UserFactory, WorkshopFactory
from tests.mobile.conftest import PIN
from tests.mobile.courier_day import COURIER_PHONE, make_courier
from workshop import services as people
from workshop.models import Courier, CourierAction, CourierEvent

pytestmark = pytest.mark.django_db


STOP = {"stop": "1", "reason": "回老家了"}


def url(courier) -> str:
    return f"/dashboard/logistics/couriers/{courier.pk}/active/"


def settings_url(courier) -> str:
    return f"/dashboard/logistics/settings/?workshop={courier.workshop_id}"


def refused(client, courier, data: dict) -> str:
    """Post ``data``, see it sent back to the settings page, and return that page (with the words)."""
    response = client.post(url(courier), data)
    assert response.status_code == 302 and response["Location"] == settings_url(courier)
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


def state(courier) -> tuple:
    courier.refresh_from_db()
    return courier.active, get_user_model().objects.get(pk=courier.user_id).is_active


def test_the_head_stops_a_courier_and_her_phone_is_told_why_at_its_next_page(client, cast):
    courier = make_courier(cast)
    logistics.depot_set(actor=cast.head, workshop=cast.ws, lat="30.530000", lng="120.940000")
    logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="三轮车", capacity=200, courier=courier)
    phone = client.__class__()
    assert phone.post("/m/login/", {"phone": COURIER_PHONE, "pin": PIN}).status_code == 302
    assert phone.get("/m/run/").status_code == 200
    client.force_login(cast.head)

    page = client.post(url(courier), STOP, follow=True).content.decode()

    assert "已停用:不能再登录" in page and 'data-action="courier-restore"' in page
    assert "data-courier-stopped" in page  # her vehicle's usual courier is marked stopped
    assert "停用原因:回老家了" in page  # beside her name on the delivery settings page
    assert state(courier) == (False, False)
    told = phone.get("/m/run/", follow=True).content.decode()
    assert "账号已停用" in told and phone.get("/m/run/").status_code == 302
    again = phone.post("/m/login/", {"phone": COURIER_PHONE, "pin": PIN}).content.decode()
    assert "账号已停用" in again and "_auth_user_id" not in phone.session


def test_brought_back_she_signs_in_with_her_pin_at_once(client, cast):
    courier = make_courier(cast)
    people.courier_deactivate(actor=cast.head, courier=courier, reason="回老家了")
    phone = client.__class__()
    for _ in range(5):  # her own PIN while stopped: tries all the same, up to the lockout
        phone.post("/m/login/", {"phone": COURIER_PHONE, "pin": PIN})
    client.force_login(cast.head)

    page = client.post(url(courier), {"stop": "0"}, follow=True).content.decode()

    assert "已恢复在岗" in page and state(courier) == (True, True)
    response = phone.post("/m/login/", {"phone": COURIER_PHONE, "pin": PIN})
    assert response.status_code == 302 and response["Location"].startswith("/m/run/")


def test_a_post_that_says_neither_stop_nor_bring_back_changes_nothing(client, cast):
    courier = make_courier(cast)
    people.courier_deactivate(actor=cast.head, courier=courier, reason="回老家了")
    client.force_login(cast.head)

    for value in ("yes", ""):
        assert "请点“停用”或“恢复在岗”" in refused(client, courier, {"stop": value})
    assert state(courier) == (False, False)


def test_stopping_twice_is_said_in_words_and_changes_nothing(client, cast):
    courier = make_courier(cast)
    people.courier_deactivate(actor=cast.head, courier=courier, reason="回老家了")
    client.force_login(cast.head)

    assert "已经停用了" in refused(client, courier, STOP)
    assert state(courier) == (False, False)
    with pytest.raises(ValidationError, match="现在就在岗"):
        people.courier_reactivate(actor=cast.head, courier=make_courier(cast, phone="13900007777"))


def test_only_her_workshops_managers_stop_her(client, cast):
    courier = make_courier(cast)
    other_head = UserFactory(username="otherhead")
    WorkshopFactory(name="别的坊", head=other_head)
    for actor in (other_head, cast.clerk, cast.alice.user):
        with pytest.raises(PermissionDenied):
            people.courier_deactivate(actor=actor, courier=courier, reason="回老家了")
    client.force_login(other_head)
    assert client.post(url(courier), STOP).status_code == 404
    client.force_login(cast.clerk)
    assert client.post(url(courier), STOP).status_code == 403
    assert state(courier) == (True, True)
    assert Courier.objects.filter(active=False).count() == 0
    assert not CourierEvent.objects.exists()


def test_the_stop_message_speaks_of_her_runs_today_only_when_she_has_one(client, cast):
    courier = make_courier(cast)
    logistics.depot_set(actor=cast.head, workshop=cast.ws, lat="30.530000", lng="120.940000")
    vehicle = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="三轮车", courier=courier)
    client.force_login(cast.head)

    def stop_says() -> str:
        said = client.post(url(courier), STOP, follow=True).content.decode()
        people.courier_reactivate(actor=cast.head, courier=courier)
        return said

    page = stop_says()  # no run today
    assert "小周 已停用:不能再登录,也不会再排配送。" in page and "趟次" not in page.split("已停用")[1][:80]
    run = Run.objects.create(workshop=cast.ws, day=timezone.localdate(), vehicle=vehicle, courier=courier)
    assert "还没出发,请到配送趟次页重新排线" in stop_says()
    Run.objects.filter(pk=run.pk).update(state=RunState.UNDER_WAY)
    page = stop_says()
    assert "已经出发,请到配送趟次页把没走完的站交给别的配送员" in page and "重新排线" not in page


def test_stopping_her_needs_a_reason_and_both_changes_are_kept_on_her_record(client, cast):
    courier = make_courier(cast)
    client.force_login(cast.head)

    for blank in ({"stop": "1"}, {"stop": "1", "reason": "  "}):
        # A trial: left on the POST's URL, a reload posted the stop again; now back on the settings page.
        page = refused(client, courier, blank)
        assert "请写明停用的原因" in page and 'data-action="courier-restore"' not in page
        assert "请写明停用的原因" not in client.get(settings_url(courier)).content.decode()  # said once
    assert state(courier) == (True, True) and not CourierEvent.objects.exists()

    client.post(url(courier), STOP)
    client.post(url(courier), {"stop": "0"})
    client.post(url(courier), {"stop": "1", "reason": "摔伤了,休息一个月"})

    record = list(CourierEvent.objects.filter(courier=courier).values_list("action", "reason", "actor"))
    assert record == [
        (CourierAction.STOPPED, "摔伤了,休息一个月", cast.head.pk),
        (CourierAction.RESTORED, "", cast.head.pk),
        (CourierAction.STOPPED, "回老家了", cast.head.pk),
    ]
    page = client.get(f"/dashboard/logistics/settings/?workshop={cast.ws.pk}").content.decode()
    assert "停用原因:摔伤了,休息一个月" in page and "回老家了" not in page  # her latest stop's reason
