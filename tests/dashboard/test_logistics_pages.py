"""Door delivery (配送) settings on the dashboard: the community's places (list, form, xlsx import), the
depot, vehicles and couriers, a worker's home; who may open the logistics pages, runs included (a firm's
clerk: 403; a head of another community's workshop: 404 on ids that are not hers, and nothing written);
constant query counts. The day's runs and the printed delivery note: ``test_logistics_runs_pages``."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from logistics import services as logistics
from logistics.models import Depot, Place, Residence, Vehicle
from tests.dashboard.logistics_world import TODAY, depot_with_courier, run_by_hand, snapshot
from tests.factories import CommunityAdminFactory, UserFactory, WorkerFactory, WorkshopFactory
from tests.pages import without_tokens
from workshop.models import Courier
from workshop.services import courier_create


@pytest.fixture
def admin(cast):
    return CommunityAdminFactory(user=UserFactory(username="admin")).user


@pytest.fixture
def faraway(db):
    """A head of a workshop in another community (五星村), with her own worker, place and courier."""
    ws = WorkshopFactory(name="五星坊", community="五星村", head=UserFactory(username="faraway"))
    worker = WorkerFactory(workshop=ws, name="远方坊工")
    place, _c = logistics.place_save(actor=ws.head, workshop=ws, name="五星村3组", lat="30.6", lng="120.9")
    courier = courier_create(actor=ws.head, workshop=ws, name="远方配送员", phone="13700000001", pin="482915")
    return ws, worker, place, courier


def xlsx(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "places.xlsx"
    return out


# --- places --------------------------------------------------------------------------------------------


def test_head_adds_a_place_and_sees_it_listed(client, cast):
    client.force_login(cast.head)
    response = client.post(
        "/dashboard/places/",
        {
            "workshop": cast.ws.pk,
            "name": "新街小区3幢",
            "kind": "building",
            "lat": "30.5312°",
            "lng": "120.9401",
        },
    )
    assert response.status_code == 302
    place = Place.objects.get(name="新街小区3幢")
    assert (place.community, place.lat, place.lng) == (
        "新街社区",
        Decimal("30.531200"),
        Decimal("120.940100"),
    )
    page = client.get("/dashboard/places/")
    assert "新街小区3幢" in page.content.decode()


def test_a_swapped_point_is_refused_in_words_and_nothing_is_written(client, cast):
    client.force_login(cast.head)
    response = client.post(
        "/dashboard/places/",
        {"workshop": cast.ws.pk, "name": "3幢", "kind": "building", "lat": "120.9", "lng": "30.5"},
    )
    assert response.status_code == 400
    assert "是否把经纬度填反了" in response.content.decode()
    assert not Place.objects.exists()


def test_head_edits_a_places_point(client, cast):
    place, _c = logistics.place_save(actor=cast.head, workshop=cast.ws, name="五组", kind="village_group")
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/places/{place.pk}/",
        {"kind": "village_group", "lat": "30.51", "lng": "120.93", "note": "村口"},
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.lat, place.lng, place.note) == (Decimal("30.51"), Decimal("120.93"), "村口")


def test_the_places_list_costs_the_same_queries_with_3_and_30_places(client, cast, admin):
    def count(n: int) -> int:
        for i in range(Place.objects.count(), n):
            logistics.place_save(actor=cast.head, workshop=cast.ws, name=f"{i}幢", lat="30.5", lng="120.9")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/dashboard/places/").status_code == 200
        return len(ctx)

    client.force_login(admin)
    assert count(3) == count(30)


HEADERS_CN = ["名称", "类别", "纬度", "经度", "备注"]
HEADERS_EN = ["Name", "Type", "latitude", "lon", "说明"]


@pytest.mark.parametrize("headers", [HEADERS_CN, HEADERS_EN, ["楼栋", "类型", "北纬", "东经", "说明"]])
def test_places_import_reads_each_header_style_and_writes_after_confirming(client, cast, headers):
    logistics.place_save(actor=cast.head, workshop=cast.ws, name="新街小区3幢", lat="30.1", lng="120.1")
    book = xlsx(
        [
            ["新街社区地点表"],  # a title row above the header
            headers,
            ["新街小区3幢", "楼栋", "30.5312°", 120.9401, "东门"],
            ["五星村3组", "村民小组", 30.55, "120.95°", None],
            ["社区收发点", "集中收发点", None, None, "没有坐标"],
        ]
    )
    client.force_login(cast.head)

    preview = client.post("/dashboard/places/import/", {"workshop": cast.ws.pk, "file": book})

    assert preview.status_code == 200, preview.content.decode()
    assert Place.objects.count() == 1  # the preview writes nothing
    assert "新增 2 个,更新 1 个" in preview.content.decode()
    payload = preview.context["preview"].payload()
    done = client.post("/dashboard/places/import/", {"workshop": cast.ws.pk, "payload": payload})
    assert done.status_code == 302
    places = {p.name: p for p in Place.objects.all()}
    assert places["新街小区3幢"].lat == Decimal("30.531200")  # updated by name
    assert places["新街小区3幢"].note == "东门"
    assert (places["五星村3组"].kind, places["五星村3组"].lng) == ("village_group", Decimal("120.950000"))
    assert places["社区收发点"].lat is None and places["社区收发点"].kind == "collection_point"


def test_places_import_names_every_bad_row_and_cell_and_writes_nothing(client, cast):
    book = xlsx(
        [
            HEADERS_EN,
            ["1幢", "building", "30.53", "120.94", ""],
            ["2幢", "楼栋", "三十度", "120.94", ""],
            ["", "楼栋", "30.53", "200", ""],
            ["1幢", "仓库", "30.53", "", ""],
        ]
    )
    client.force_login(cast.head)

    response = client.post("/dashboard/places/import/", {"workshop": cast.ws.pk, "file": book})

    assert response.status_code == 400
    errors = response.context["preview"].errors
    assert len(errors) == 3
    assert errors[0].startswith("第 3 行 C3 纬度:") and "要填数字" in errors[0]
    assert "第 4 行" in errors[1] and "A4 名称:请填写名称" in errors[1] and "D4 经度" in errors[1]
    assert "第 5 行" in errors[2] and "和第 2 行重名" in errors[2] and "B5 类别" in errors[2]
    assert "D5 经度:纬度和经度要一起填" in errors[2]
    assert "确认导入" not in response.content.decode()
    assert not Place.objects.exists()


def test_a_forged_or_foreign_import_payload_writes_nothing(client, cast, faraway):
    ws, *_rest = faraway
    book = xlsx([HEADERS_CN, ["1幢", "楼栋", "30.53", "120.94", ""]])
    client.force_login(ws.head)
    preview = client.post("/dashboard/places/import/", {"workshop": ws.pk, "file": book})
    payload = preview.context["preview"].payload()
    client.force_login(cast.head)
    before = snapshot()
    # Her own workshop with another's payload: refused in words; another's workshop: 404.
    assert (
        client.post("/dashboard/places/import/", {"workshop": cast.ws.pk, "payload": payload}).status_code
        == 400
    )
    assert (
        client.post("/dashboard/places/import/", {"workshop": ws.pk, "payload": payload}).status_code == 404
    )
    assert (
        client.post("/dashboard/places/import/", {"workshop": cast.ws.pk, "payload": "x:y"}).status_code
        == 400
    )
    assert snapshot() == before


def test_places_import_reads_a_楼号_header_and_degrees_minutes_seconds(client, cast):
    # The header style a fresh user typed (楼号 / 北纬 / 东经 / 备注), with points as a surveyor writes them.
    book = xlsx(
        [
            ["楼号", "北纬", "东经", "备注"],
            ["望海新村2幢", "30°31′52″", "E120.9401", ""],
            ["望海新村3幢", "N30.5321", "120度56分45秒", "西门"],
        ]
    )
    client.force_login(cast.head)

    preview = client.post("/dashboard/places/import/", {"workshop": cast.ws.pk, "file": book})

    assert preview.status_code == 200, preview.content.decode()
    payload = preview.context["preview"].payload()
    client.post("/dashboard/places/import/", {"workshop": cast.ws.pk, "payload": payload})
    points = {p.name: (p.lat, p.lng) for p in Place.objects.all()}
    assert points == {
        "望海新村2幢": (Decimal("30.531111"), Decimal("120.940100")),
        "望海新村3幢": (Decimal("30.532100"), Decimal("120.945833")),
    }


def test_a_header_without_the_place_column_says_which_column_is_missing(client, cast):
    book = xlsx([["门牌号码", "北纬", "东经"], ["2幢", "30.53", "120.94"]])
    client.force_login(cast.head)

    page = client.post("/dashboard/places/import/", {"workshop": cast.ws.pk, "file": book}).content.decode()

    assert "没有找到表头行" in page and "表头里没有这些列:名称(楼栋/楼号/地点)" in page
    assert not Place.objects.exists()


# --- depot, vehicles, couriers -------------------------------------------------------------------------


def test_head_sets_the_depot_a_vehicle_and_a_courier(client, cast):
    client.force_login(cast.head)
    ws = cast.ws.pk
    assert (
        client.post(
            f"/dashboard/logistics/{ws}/depot/",
            {"lat": "30.53", "lng": "120.94", "plan_at": "07:00", "start_at": "08:00", "shift_min": "180"},
        ).status_code
        == 302
    )
    depot = Depot.objects.get(workshop=cast.ws)
    assert (depot.shift_min, depot.start_at, depot.auto_plan) == (180, dt.time(8, 0), False)
    response = client.post(
        f"/dashboard/logistics/{ws}/couriers/", {"name": "王师傅", "phone": "138 0000 1234", "pin": "482915"}
    )
    assert response.status_code == 302
    courier = Courier.objects.get(name="王师傅")
    assert check_password("482915", courier.pin_hash)
    response = client.post(
        f"/dashboard/logistics/{ws}/vehicles/",
        {
            "name": "一号三轮",
            "kind": "tricycle",
            "capacity": "10",
            "speed_kmh": "12",
            "courier": courier.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302
    vehicle = Vehicle.objects.get()
    assert (vehicle.capacity, vehicle.courier, vehicle.active) == (10, courier, True)
    page = client.get(f"/dashboard/logistics/settings/?workshop={ws}").content.decode()
    assert "138****1234" in page and "13800001234" not in page  # the phone is masked in the list
    assert (
        client.post(f"/dashboard/logistics/couriers/{courier.pk}/pin/", {"pin": "593716"}).status_code == 302
    )
    courier.refresh_from_db()
    assert check_password("593716", courier.pin_hash)


@pytest.mark.parametrize(
    "url, data, words",
    [
        ("depot", {"lat": "30.5", "lng": "120.9", "shift_min": "900"}, "每趟最长在30到720分钟之间"),
        ("vehicles", {"name": "车", "kind": "van", "capacity": "500", "speed_kmh": "12"}, "能装几箱请填1"),
        # Each wrong figure is named alone (one sentence for both left the head guessing).
        ("vehicles", {"name": "车", "kind": "van", "capacity": "8", "speed_kmh": "81"}, "平均时速请填1到80"),
        ("couriers", {"name": "王", "phone": "12345", "pin": "482915"}, "手机号"),
        ("couriers", {"name": "王", "phone": "13800001234", "pin": "123456"}, "PIN"),
    ],
)
def test_bad_settings_are_refused_in_words_and_nothing_is_written(client, cast, url, data, words):
    client.force_login(cast.head)
    before = snapshot()
    response = client.post(f"/dashboard/logistics/{cast.ws.pk}/{url}/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page
    if url == "vehicles":
        assert ("能装几箱" in page) != ("平均时速请填" in page)
    assert snapshot() == before


def test_a_vehicle_cannot_name_another_workshops_courier(client, cast, faraway):
    *_rest, courier = faraway
    client.force_login(cast.head)
    before = snapshot()
    response = client.post(
        f"/dashboard/logistics/{cast.ws.pk}/vehicles/",
        {"name": "车", "kind": "van", "capacity": "5", "speed_kmh": "12", "courier": courier.pk},
    )
    assert response.status_code == 400
    assert snapshot() == before


# --- a worker's home -----------------------------------------------------------------------------------


def test_head_sets_a_workers_home_on_her_page(client, cast):
    place, _c = logistics.place_save(actor=cast.head, workshop=cast.ws, name="3幢", lat="30.5", lng="120.9")
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/workers/{cast.alice.pk}/residence/",
        {"place": place.pk, "room": "2单元301", "home_from": "09:00", "home_until": "11:30"},
    )
    assert response.status_code == 302
    home = Residence.objects.get(worker=cast.alice)
    assert (home.place, home.room, home.home_from) == (place, "2单元301", dt.time(9, 0))
    page = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()
    assert "2单元301" in page
    # The form opens with what is saved, so changing only her hours keeps her building.
    assert f'<option value="{place.pk}" selected>' in page
    assert 'value="2单元301"' in page and 'value="09:00"' in page
    # The roster never shows an address.
    assert "2单元301" not in client.get("/dashboard/workers/").content.decode()


def test_bad_home_hours_or_another_communitys_place_are_refused(client, cast, faraway):
    _ws, _w, far_place, _c = faraway
    place, _c = logistics.place_save(actor=cast.head, workshop=cast.ws, name="3幢")
    client.force_login(cast.head)
    before = snapshot()
    url = f"/dashboard/workers/{cast.alice.pk}/residence/"
    client.post(url, {"place": place.pk, "home_from": "11:00", "home_until": "09:00"})
    client.post(url, {"place": far_place.pk, "room": "1"})
    assert snapshot() == before
    response = client.post(url, {"place": place.pk, "home_from": "11:00", "home_until": "09:00"}, follow=True)
    assert "在家时间的开始要早于结束" in response.content.decode()
    # A room too long is named as such, not as a building missing from the list (found in a trial).
    page = client.post(url, {"place": place.pk, "room": "门" * 51}, follow=True).content.decode()
    assert "单元/门牌最多 50 个字" in page and "请从列表里选择她住的楼栋或村组" not in page
    assert snapshot() == before


# --- who may open what ---------------------------------------------------------------------------------


def _urls(cast, world):
    place, courier, run = world["place"], world["courier"], world["run"]
    ws, day = cast.ws.pk, TODAY().isoformat()
    return [
        ("get", "/dashboard/places/", None),
        ("post", "/dashboard/places/", {"workshop": ws, "name": "新", "kind": "building"}),
        ("get", f"/dashboard/places/{place.pk}/", None),
        ("post", f"/dashboard/places/{place.pk}/", {"kind": "building", "lat": "30.1", "lng": "120.1"}),
        ("get", "/dashboard/places/import/", None),
        (
            "post",
            "/dashboard/places/import/",
            {"workshop": ws, "file": xlsx([HEADERS_CN, ["新", "楼栋", "", "", ""]])},
        ),
        ("get", "/dashboard/logistics/settings/", None),
        ("get", f"/dashboard/logistics/settings/?workshop={ws}", None),
        ("post", f"/dashboard/logistics/{ws}/depot/", {"lat": "30.1", "lng": "120.1", "shift_min": "60"}),
        (
            "post",
            f"/dashboard/logistics/{ws}/vehicles/",
            {"name": "新车", "kind": "van", "capacity": 3, "speed_kmh": 9},
        ),
        (
            "post",
            f"/dashboard/logistics/{ws}/couriers/",
            {"name": "新", "phone": "13900009999", "pin": "482915"},
        ),
        ("post", f"/dashboard/logistics/couriers/{courier.pk}/pin/", {"pin": "593716"}),
        ("post", f"/dashboard/workers/{cast.alice.pk}/residence/", {"place": place.pk, "room": "9"}),
        ("get", "/dashboard/runs/", None),
        ("get", f"/dashboard/runs/{day}/", None),
        ("post", f"/dashboard/runs/{day}/plan/", {"workshop": ws}),
        ("post", f"/dashboard/runs/run/{run.pk}/finish/", {}),
    ]


@pytest.fixture
def world(cast):
    courier, vehicle = depot_with_courier(cast)
    run = run_by_hand(cast, vehicle, courier, 3)
    place = Place.objects.get(name="3幢")
    logistics.residence_set(actor=cast.head, worker=cast.alice, place=place, room="2单元301")
    return {"courier": courier, "vehicle": vehicle, "run": run, "place": place}


def test_a_firms_clerk_gets_403_everywhere_and_nothing_is_written(client, cast, world):
    client.force_login(cast.clerk)
    before = snapshot()
    for method, url, data in _urls(cast, world):
        response = client.post(url, data) if method == "post" else client.get(url)
        # A worker's page (and so her home) is not even found for a firm: 404, as on the role matrix.
        expected = 404 if "/workers/" in url else 403
        assert response.status_code == expected, (method, url, response.status_code)
    assert snapshot() == before


def test_a_head_of_another_community_gets_404_on_our_ids_and_nothing_is_written(client, cast, world, faraway):
    far_ws, *_rest = faraway
    client.force_login(far_ws.head)
    before = snapshot()
    lists = {
        "/dashboard/places/",
        "/dashboard/places/import/",
        "/dashboard/logistics/settings/",
        "/dashboard/runs/",
    }
    for method, url, data in _urls(cast, world):
        response = client.post(url, data) if method == "post" else client.get(url)
        if method == "get" and (url in lists or url.startswith("/dashboard/runs/")):
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "3幢" not in html and "王师傅" not in html and "alice" not in without_tokens(html), url
        elif url in ("/dashboard/places/", "/dashboard/places/import/"):
            # Her form lists only her own community (workshop): our workshop id is not a choice.
            assert response.status_code == 400, url
        else:
            assert response.status_code == 404, (method, url, response.status_code)
    assert snapshot() == before


def test_the_community_admin_sees_the_runs_and_the_firm_has_no_delivery_nav(client, cast, world, admin):
    client.force_login(admin)
    html = client.get("/dashboard/runs/").content.decode()
    assert "王师傅" in html and 'data-nav="logistics"' in html
    client.force_login(cast.clerk)
    assert 'data-nav="logistics"' not in client.get("/dashboard/").content.decode()
