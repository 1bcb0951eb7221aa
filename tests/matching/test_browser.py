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
