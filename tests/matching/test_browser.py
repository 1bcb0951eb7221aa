"""The lists in a real browser: the public board on a phone, and a community admin's round of matching
at laptop size (screenshots under artifacts/screenshots/)."""

import pytest
from django.utils import timezone

from dispatch import services
from pay.services import payout_mark_paid
from tests.factories import PASSWORD
from tests.matching.conftest import DemandFactory, WishFactory, low_income_wish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_reads_on_a_phone_without_sideways_scrolling(phone, cast):
    DemandFactory(workshop=cast.ws, firm=cast.firm, title="开关面板装配", place="home_ok")
    DemandFactory(
        workshop=cast.ws, firm=cast.firm, process_kind="packaging", title="礼盒包装", hours_per_week=60
    )
    phone.goto(f"{phone.base}/open/{cast.ws.pk}/")
    assert "正在招人的活" in phone.content() and "开关面板装配" in phone.content()
    phone.shots("board")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_the_board_on_a_phone_calls_wages_booked_until_they_are_paid_out(phone, cast):
    from tests.matching.test_board import finished_job

    finished_job(cast, verdicts=[(cast.alice, 120, 110), (cast.bob, 80, 80)])
    month = timezone.localdate().replace(day=1)
    phone.goto(f"{phone.base}/open/{cast.ws.pk}/")
    row = phone.locator(f"tr[data-month='{month:%Y-%m}']")
    assert row.locator("[data-field=wages]").inner_text() == "6.65"
    assert row.locator("[data-field=paid]").inner_text() == "未发放"
    text = phone.locator("main").inner_text()
    assert "记账工资" in text and "发放工资" not in text
    phone.shots("board-booked")

    period = services.period_close(actor=cast.head, workshop=cast.ws, month=month, early=True)
    payout_mark_paid(period=period, method="cash", actor=cast.head, key="board-phone")
    phone.reload()
    assert row.locator("[data-field=paid]").inner_text() == "6.65"
    assert phone.locator("[data-total=paid]").inner_text() == "¥6.65"
    phone.shots("board-paid")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_a_seasons_totals_stay_inside_their_boxes_on_a_phone(phone, cast, monkeypatch):
    """The demo's season: six-figure wages (¥348330.34) and pieces (923800) in the totals' boxes at 360 px."""
    import datetime as dt
    from decimal import Decimal

    from matching import selectors

    season = [
        selectors.MonthTotals(dt.date(2026, m, 1), p, 53, Decimal(w), p, p, Decimal(paid))
        for m, p, w, paid in [
            (11, 349001, "125938.05", "0"),
            (10, 319343, "131155.17", "131155.17"),
            (9, 211567, "91237.12", "70598.44"),
        ]
    ]
    monkeypatch.setattr(selectors, "board_months", lambda workshop, *, today: season)
    phone.goto(f"{phone.base}/open/{cast.ws.pk}/")
    phone.shots("board-season")
    spills = phone.evaluate(
        """[...document.querySelectorAll('.totals strong')]
             .filter(s => s.scrollWidth > s.clientWidth).map(s => s.textContent)"""
    )
    assert spills == []
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_a_community_admin_matches_and_enrols_a_resident(desk, cast):
    from tests.factories import CommunityAdminFactory, UserFactory

    CommunityAdminFactory(user=UserFactory(username="admin"))
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm, title="开关面板装配")
    wish = low_income_wish(workshop=cast.ws, name="王秀英", phone="+8613800138000")
    WishFactory(workshop=cast.ws, name="李桂兰", skills=["fabric"], hours_per_week=6)
    desk.goto(desk.base + "/accounts/login/")
    desk.fill("input[name=username]", "admin")
    desk.fill("input[name=password]", PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url("**/dashboard/")
    desk.goto(f"{desk.base}/lists/demands/")
    desk.shots("demand-list")
    desk.click(f"tr[data-demand='{demand.pk}'] a")
    assert "低收入优先 +10" in desk.content()
    desk.shots("demand-suggestions")
    desk.locator(f"tr[data-wish='{wish.pk}']").get_by_role("button", name="记为已对接").click()
    desk.wait_for_load_state()
    assert "状态已更新" in desk.content()
    desk.goto(f"{desk.base}/lists/supply/{wish.pk}/")
    desk.select_option("form[data-form=enrol] select[name=employment]", "fixed")
    desk.get_by_role("button", name="入坊,成为坊工").click()
    desk.wait_for_load_state()
    assert "王秀英 已入坊" in desk.content()
    desk.shots("enrolled")


def test_a_community_admin_maps_the_columns_adds_a_skill_and_imports(desk, cast, tmp_path):
    """A register no synonym fits: the mapping page with its guesses, then the preview naming the bad
    row and column, the new skill added with one click, the ID number's warning, and the import."""
    from stdnum.cn import ric

    from tests.factories import CommunityAdminFactory, UserFactory
    from tests.matching.conftest import xlsx
    from workshop.models import WorkWish

    CommunityAdminFactory(user=UserFactory(username="admin"))
    old_id = "33042419600312002" + ric.calc_check_digit("33042419600312002" + "0")
    rows = [
        [
            "编号",
            "居民的名字",
            "手机(本人)",
            "身份证",
            "擅长做什么活",
            "每周大概能来几个钟头",
            "在家还是来坊里做",
            "住哪个小区",
        ],
        ["1", "王秀英", "149 1234 5678", old_id, "缝纫、钉扣", "约40个钟头", "来坊里", "新街小区"],
        ["2", "李桂兰", "1390013900", "", "包装", "二十", "在家", "望海新村"],
    ]
    sheet = tmp_path / "居民登记.xlsx"
    sheet.write_bytes(xlsx(rows, title="新街社区居民登记(2025)", width=8))

    desk.goto(desk.base + "/accounts/login/")
    desk.fill("input[name=username]", "admin")
    desk.fill("input[name=password]", PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url("**/dashboard/")
    desk.goto(f"{desk.base}/lists/import/")
    desk.check("input[name=kind][value=wishes]")
    desk.select_option("select[name=workshop]", str(cast.ws.pk))
    desk.set_input_files("input[name=file]", str(sheet))
    desk.get_by_role("button", name="上传并预览").click()
    desk.wait_for_url("**/columns/")
    assert "这份表格的表头没有全部认出来" in desk.content()
    assert desk.input_value("tr[data-column=B] select") == "name"
    assert desk.input_value("tr[data-column=F] select") == "hours"
    assert desk.input_value("tr[data-column=A] select") == ""
    assert old_id not in desk.content()  # the samples under the header mask an ID number
    desk.shots("import-columns")
    desk.get_by_role("button", name="按这个对应预览").click()
    desk.wait_for_load_state()
    assert "共 2 行有问题,这次什么都没有写入" in desk.content()
    bad_phone = desk.locator("tr[data-row='4'][data-column='C']")
    assert "“1390013900”不是11位大陆手机号" in bad_phone.inner_text()
    assert "手机(本人)" in bad_phone.inner_text()
    assert "身份证号码的地区代码330424(海盐县)1983年起才使用" in desk.content()
    assert old_id not in desk.content()
    desk.shots("import-preview-errors")
    desk.locator("form[data-skill='钉扣']").get_by_role("button", name="添加为新技能").click()
    desk.wait_for_load_state()
    assert "已添加新技能“钉扣”(属于布料加工)" in desk.content()
    assert "表格里的新技能" not in desk.content()
    assert desk.locator("tr[data-row='4']").count() == 1  # the bad phone is still named

    rows[2][2] = "13900139001"
    sheet.write_bytes(xlsx(rows, title="新街社区居民登记(2025)", width=8))
    desk.set_input_files("form[data-form=reupload] input[name=file]", str(sheet))
    desk.locator("form[data-form=reupload]").get_by_role("button", name="上传并预览").click()
    desk.wait_for_load_state()
    assert "按本社区上次设定的列对应读取" in desk.content()
    desk.shots("import-preview-ok")
    desk.get_by_role("button", name="确认导入").click()
    desk.wait_for_url("**/lists/supply/")
    assert "已导入2行:新增2,更新0。" in desk.content()
    assert WorkWish.objects.get(name="王秀英").phone.as_e164 == "+8614912345678"
