"""Search keys (``search_text``): what a row's key holds, how a typed query is read, and that every way a
row is written keeps its key current (save, bulk_create, the lists' services), while the key never holds
more of a phone number than its last 4 digits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from matching import services as matching_services
from matching.models import DemandEntry
from tests.factories import CommunityAdminFactory, FirmFactory, UserFactory, WorkerFactory
from tests.matching.conftest import DemandFactory, WishFactory
from workshop.models import PartnerFirm, ProcessKind, Worker, WorkWish
from workshop.search import name_keys, needle, refresh_keys, search_key

pytestmark = pytest.mark.django_db


def test_a_key_holds_the_name_its_pinyin_and_only_the_phone_tail():
    key = search_key(names=["张秀梅"], phone="+8613912345678")
    assert " 张秀梅 " in key and " zxm " in key and " zhangxiumei " in key
    assert "#5678#" in key
    assert "1391234" not in key and "12345678" not in key


def test_a_name_spaced_out_in_a_register_is_found_without_its_spaces():
    # Found trying it as a new user: "陆 阿 毛" (spaced to line up) was not found by 陆阿毛.
    worker = WorkerFactory(name="陆 阿 毛")
    assert list(Worker.objects.filter(search_text__contains=needle("陆阿毛").text)) == [worker]


def test_names_with_several_readings_give_each():
    assert {"zl", "cl", "zengli", "cengli"} <= set(name_keys("曾丽"))


@pytest.mark.parametrize(
    "typed, text, kind",
    [
        ("zxm", "zxm", "pinyin"),
        ("ZXM", "zxm", "pinyin"),
        ("zhang xiumei", "zhangxiumei", "pinyin"),
        ("z", " z", "pinyin"),  # one letter: words starting with it
        ("5678", "#5678#", "phone"),
        ("678", "678#", "phone"),  # a number ending with 678
        ("21", "21#", "phone"),  # ending with 21: not the 21 inside a tail 3214
        ("7", "7#", "phone"),
        ("(+86)139 1234 5678", "#5678#", "phone"),  # brackets as on a business card
        ("（+86）13912345678", "#5678#", "phone"),
        ("139 1234 5678", "#5678#", "phone"),  # a whole number: by its last 4 digits
        ("+86 139-1234-5678", "#5678#", "phone"),
        ("330424", "330424", "text"),  # part of a credit code, not a phone
        ("秀梅", "秀梅", "text"),
        ("  嘉禾  电器 ", "嘉禾 电器", "text"),
    ],
)
def test_a_query_is_read_as_pinyin_a_phone_tail_or_text(typed, text, kind):
    found = needle(typed)
    assert (found.text, found.kind) == (text, kind)


def test_a_blank_query_looks_for_nothing():
    assert needle("") is None and needle("   ") is None and needle(None) is None


def test_saving_a_worker_keeps_her_key_current(cast):
    alice = cast.alice
    assert "#" in alice.search_text and " alice " in alice.search_text
    alice.name = "张秀梅"
    alice.save()
    stored = Worker.objects.values_list("search_text", flat=True).get(pk=alice.pk)
    assert " zxm " in stored and " alice " not in stored


def test_bulk_created_rows_get_their_keys(cast):
    user_model = get_user_model()
    users = user_model.objects.bulk_create([user_model(username="bulk-1")])
    Worker.objects.bulk_create(
        [Worker(user=users[0], workshop=cast.ws, name="王芳", phone="+8613700001111", employment="fixed")]
    )
    assert " wf " in Worker.objects.get(name="王芳").search_text


def test_a_firms_key_holds_its_name_contact_credit_code_and_phone_tail():
    firm = FirmFactory(name="海盐嘉禾电器有限公司", contact="沈经理", phone="+8613570000001")
    key = PartnerFirm.objects.values_list("search_text", flat=True).get(pk=firm.pk)
    assert "嘉禾" in key and " hyjhdqyxgs " in key and " sjl " in key
    assert firm.credit_code.lower() in key and "#0001#" in key


def test_a_demands_key_holds_its_title_and_its_process_kind_in_chinese(cast):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm, title="童装辅料缝制", process_kind="fabric")
    key = DemandEntry.objects.values_list("search_text", flat=True).get(pk=demand.pk)
    assert "童装辅料缝制" in key and " tzflfz " in key and "布料加工" in key


def test_the_lists_services_write_keys(cast):
    admin = CommunityAdminFactory(user=UserFactory(username="admin")).user
    wish, _ = matching_services.wish_enter(
        actor=admin,
        name="李桂英",
        phone="+8613600002468",
        skills=[ProcessKind.ASSEMBLY],
        hours_per_week=20,
        work_place="home",
        area="新街小区",
        workshop=cast.ws,
    )
    assert " lgy " in WorkWish.objects.get(pk=wish.pk).search_text
    demand = matching_services.demand_create(
        actor=admin,
        workshop=cast.ws,
        firm=cast.firm,
        process_kind="packaging",
        title="礼盒折叠",
        pieces_per_week=500,
        starts_on=dt.date(2025, 9, 1),
    )
    matching_services.demand_update(actor=admin, demand=demand, title="毛巾折叠")
    key = DemandEntry.objects.values_list("search_text", flat=True).get(pk=demand.pk)
    assert " mjzd " in key and "礼盒" not in key


def test_refresh_rewrites_keys_left_stale_by_an_update(cast):
    WishFactory(name="赵敏")
    WorkWish.objects.update(name="钱红")  # QuerySet.update goes around save: the key is stale
    assert " zm " in WorkWish.objects.get().search_text
    assert refresh_keys(WorkWish) == 1
    assert " qh " in WorkWish.objects.get().search_text
    assert refresh_keys(WorkWish) == 0


def test_worker_factory_rows_are_found_by_their_phone_tail(cast):
    worker = WorkerFactory(workshop=cast.ws, name="周丽", phone="+8613912340007")
    assert Worker.objects.filter(search_text__contains=needle("0007").text).get() == worker


@pytest.mark.parametrize("typed, found", [("21", True), ("4321", True), ("32", False), ("43", False)])
def test_two_digits_find_a_number_ending_with_them_not_holding_them(cast, typed, found):
    worker = WorkerFactory(workshop=cast.ws, name="周丽", phone="+8613912344321")
    hits = Worker.objects.filter(pk=worker.pk, search_text__contains=needle(typed).text)
    assert hits.exists() is found


def test_a_whole_number_finds_that_number_only_not_another_with_its_tail(cast):
    """Two workers share the tail 4651: her whole number finds her alone (its last 4 digits alone found
    both); the tail still finds both."""
    from workshop.search import lookup

    hu = WorkerFactory(workshop=cast.ws, name="胡桂珍", phone="+8613700004651")
    other = WorkerFactory(workshop=cast.ws, name="蒋美华", phone="+8615800004651")
    mine = Worker.objects.filter(pk__in=[hu.pk, other.pk])

    for typed in ("13700004651", "+86 137-0000-4651", "(+86)13700004651", "008613700004651"):
        assert list(mine.filter(lookup(typed, phone_field="phone"))) == [hu], typed
    assert not mine.filter(lookup("13800004651", phone_field="phone")).exists()
    assert set(mine.filter(lookup("4651", phone_field="phone"))) == {hu, other}
    assert needle("13700004651").number == "+8613700004651" and needle("4651").number == ""


@pytest.mark.parametrize("typed", ["#", "##", " # | "])
def test_the_keys_own_separators_alone_look_for_nothing(typed):
    """``#`` delimits a key's parts: typed alone it matched every key (the whole roster)."""
    assert needle(typed) is None
