"""Search in a real browser (Debian chromium, 1366×768): the head types pinyin initials and a phone tail
into the dashboard's search box and sees her workers, wishes, demands and firms grouped by kind, then opens
a worker's page from the results; the firm directory by industry. Screenshots under
artifacts/screenshots/<test>/."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, FirmFactory, PairingFactory, WorkerFactory
from tests.matching.conftest import DemandFactory, WishFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/")


def test_a_head_types_a_search_and_sees_her_results_grouped_by_kind(desk, cast):
    WorkerFactory(workshop=cast.ws, name="张秀梅", phone="+8613912345678")
    WorkerFactory(workshop=cast.mallory.workshop, name="张秀敏", phone="+8613812345678")  # not hers
    WishFactory(workshop=cast.ws, name="张秀兰", phone="+8613700005678")
    farm = FirmFactory(name="海盐绿野农业专业合作社", industry="A", industry_division="01")
    PairingFactory(firm=farm, workshop=cast.ws)
    DemandFactory(workshop=cast.ws, firm=farm, title="芦笋分拣", process_kind="packaging")

    sign_in(desk, "head")
    box = desk.locator("[data-dash-search] input[name=q]")
    box.fill("zxm")
    box.press("Enter")
    desk.wait_for_url("**/lists/search/?q=zxm")
    workers = desk.locator("[data-kind=workers] tbody tr")
    assert workers.count() == 1
    assert "张秀梅" in workers.inner_text() and "139****5678" in workers.inner_text()
    assert desk.locator("[data-kind=wishes] tbody tr").count() == 0
    desk.shots("search-zxm")

    box = desk.locator("[data-search-form] input[name=q]")
    box.fill("5678")
    box.press("Enter")
    desk.wait_for_url("**/lists/search/?q=5678")
    assert "按手机尾号“5678”查找" in desk.locator("[data-read-as]").inner_text()
    assert desk.locator("[data-kind=workers] tbody tr").all_inner_texts()[0].startswith("张秀梅")
    assert "张秀兰" in desk.locator("[data-kind=wishes]").inner_text()
    assert "张秀敏" not in desk.content()
    desk.shots("search-phone-tail")

    box = desk.locator("[data-search-form] input[name=q]")
    box.fill("lyny")
    box.press("Enter")
    desk.wait_for_url("**/lists/search/?q=lyny")
    assert "芦笋分拣" in desk.locator("[data-kind=demands]").inner_text()
    assert "A 农、林、牧、渔业 · 01 农业" in desk.locator("[data-kind=firms]").inner_text()
    desk.shots("search-firm")

    desk.goto(desk.base + "/lists/search/?q=zxm")
    desk.locator("[data-kind=workers] a", has_text="张秀梅").click()
    desk.wait_for_url("**/dashboard/workers/*/")
    assert "张秀梅" in desk.locator("h1").inner_text()

    desk.locator("[data-nav=firm-directory]").click()
    desk.wait_for_url("**/dashboard/firms/directory/")
    groups = desk.locator("[data-group]")
    assert [g.get_attribute("data-group") for g in groups.all()] == ["A", "C"]
    desk.locator("[data-sections] a[data-section=A]").click()
    desk.wait_for_url("**/dashboard/firms/directory/?industry=A")
    assert desk.locator("[data-group]").count() == 1
    desk.shots("firm-directory")
