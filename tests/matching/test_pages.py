"""The list pages: what each role sees on them (never the low-income flag unless a community admin), and
the happy paths through the forms."""

from __future__ import annotations

from django.contrib.messages import get_messages

from matching.models import DemandEntry, DemandStatus, EntryEvent
from tests.matching.conftest import DemandFactory, WishFactory, low_income_wish, today
from workshop.models import WishStatus, Worker, WorkWish


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_firm_staff_enter_a_demand_on_the_page(client, cast):
    client.force_login(cast.clerk)
    page = client.get("/lists/demands/new/")
    assert page.status_code == 200 and cast.ws.name in page.content.decode()
    response = client.post(
        "/lists/demands/new/",
        {
            "workshop": cast.ws.pk,
            "firm": cast.firm.pk,
            "process_kind": "assembly",
            "title": "开关面板",
            "pieces_per_week": "3000",
            "people_needed": "3",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
            "skill_level": "beginner",
            "place": "home_ok",
            "notes": "周经理 13900000000",
        },
    )
    demand = DemandEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/lists/demands/{demand.pk}/"
    assert (demand.firm, demand.created_by, demand.pieces_per_week) == (cast.firm, cast.clerk, 3000)


def test_the_demand_form_says_what_is_missing_in_chinese(client, cast):
    client.force_login(cast.clerk)
    response = client.post(
        "/lists/demands/new/",
        {
            "workshop": cast.ws.pk,
            "firm": cast.firm.pk,
            "process_kind": "assembly",
            "starts_on": "2026-12-01",
            "ends_on": "2026-11-01",
            "skill_level": "beginner",
            "place": "workshop",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "每周件数和每周工时至少填一项。" in body and "结束日期不能早于开始日期。" in body
    assert not DemandEntry.objects.exists()


def test_supply_list_shows_low_income_to_admins_only(client, cast, admin):
    low_income_wish(workshop=cast.ws, name="王秀英", phone="+8613800138000")
    client.force_login(admin)
    body = client.get("/lists/supply/").content.decode()
    assert "王秀英" in body and "138 0013 8000" in body and "低收入" in body
    client.force_login(cast.head)
    body = client.get("/lists/supply/").content.decode()
    assert "王秀英" in body and "138****8000" in body
    assert "低收入" not in body and "138 0013 8000" not in body


def test_wish_page_hides_low_income_from_the_head(client, cast, admin):
    wish = low_income_wish(workshop=cast.ws, name="王秀英")
    DemandFactory(workshop=cast.ws, firm=cast.firm)
    client.force_login(admin)
    body = client.get(f"/lists/supply/{wish.pk}/").content.decode()
    assert 'data-field="low-income"' in body and "低收入优先 +10" in body
    client.force_login(cast.head)
    body = client.get(f"/lists/supply/{wish.pk}/").content.decode()
    assert "技能匹配 +40" in body
    assert "低收入" not in body
    assert 'data-form="wish-status"' not in body and 'data-form="enrol"' not in body


def test_demand_page_suggests_residents_with_reasons_and_hides_low_income_from_the_head(client, cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    low_income_wish(workshop=cast.ws, name="王秀英")
    client.force_login(admin)
    body = client.get(f"/lists/demands/{demand.pk}/").content.decode()
    assert "王秀英" in body and "技能匹配 +40 · 时间合适 +25 · 到坊做 +15 · 本坊 +10 · 低收入优先 +10" in body
    client.force_login(cast.head)
    body = client.get(f"/lists/demands/{demand.pk}/").content.decode()
    assert "王秀英" in body and "技能匹配 +40 · 时间合适 +25 · 到坊做 +15 · 本坊 +10" in body
    assert "低收入" not in body


def test_firm_staff_see_their_demand_but_no_residents(client, cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm, notes="内部备注")
    wish = WishFactory(workshop=cast.ws, name="王秀英")
    client.force_login(admin)
    client.post(f"/lists/supply/{wish.pk}/status/", {"to": "matched", "demand": demand.pk})
    client.force_login(cast.clerk)
    body = client.get(f"/lists/demands/{demand.pk}/").content.decode()
    assert "内部备注" in body and "已对接" in body
    assert "王秀英" not in body and "推荐的居民" not in body


def test_admin_records_a_match_from_the_demand_page_and_enrols_from_the_wish_page(client, cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    wish = WishFactory(workshop=cast.ws, name="王秀英", phone="+8613800138000")
    client.force_login(admin)
    page = f"/lists/demands/{demand.pk}/"
    response = client.post(
        f"/lists/supply/{wish.pk}/status/", {"to": "matched", "demand": demand.pk, "next": page}
    )
    assert response.status_code == 302 and response["Location"] == page
    assert WorkWish.objects.get(pk=wish.pk).status == WishStatus.MATCHED
    assert DemandEntry.objects.get(pk=demand.pk).status == DemandStatus.MATCHED
    response = client.post(
        f"/lists/supply/{wish.pk}/enrol/",
        {"workshop": cast.ws.pk, "employment": "part_time", "demand": demand.pk, "note": "下周一到坊"},
    )
    assert response.status_code == 302
    assert "王秀英 已入坊(暖心坊)。请坊长为其设置6位 PIN,之后即可用手机号登录。" in messages_of(response)
    worker = Worker.objects.get(phone="+8613800138000")
    assert worker.user.username == "13800138000"
    assert EntryEvent.objects.filter(wish=wish, to_state="enrolled", note="下周一到坊").exists()
    body = client.get(f"/lists/supply/{wish.pk}/").content.decode()
    assert "已成为坊工" in body


def test_an_illegal_move_is_a_message_and_writes_nothing(client, cast, admin):
    wish = WishFactory(workshop=cast.ws, status=WishStatus.ENROLLED)
    client.force_login(admin)
    response = client.post(f"/lists/supply/{wish.pk}/status/", {"to": "contacted"})
    assert response.status_code == 302
    assert any("不能改为" in m for m in messages_of(response))
    assert not EntryEvent.objects.exists()


def test_admin_enters_a_wish_on_the_page(client, cast, admin):
    client.force_login(admin)
    data = {
        "workshop": cast.ws.pk,
        "name": "李桂兰",
        "phone": "139 0013 9001",
        "skills": ["fabric"],
        "hours_per_week": "12",
        "work_place": "home",
        "area": "望海新村",
        "low_income": "on",
    }
    response = client.post("/lists/supply/new/", data)
    assert response.status_code == 200 and "申报低收入需要居民本人同意。" in response.content.decode()
    response = client.post("/lists/supply/new/", {**data, "consent": "on"})
    wish = WorkWish.objects.get()
    assert response.status_code == 302 and wish.phone.as_e164 == "+8613900139001" and wish.low_income


def test_demand_list_filters_by_status(client, cast, admin):
    DemandFactory(workshop=cast.ws, firm=cast.firm, title="在招的")
    DemandFactory(workshop=cast.ws, firm=cast.firm, title="关掉的", status=DemandStatus.CLOSED)
    client.force_login(admin)
    body = client.get("/lists/demands/").content.decode()
    assert "在招的" in body and "关掉的" not in body
    body = client.get("/lists/demands/?status=closed").content.decode()
    assert "关掉的" in body and "在招的" not in body
    assert today()
