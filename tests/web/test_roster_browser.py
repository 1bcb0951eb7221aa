"""The head keeps her roster in a real browser (Debian chromium): she adds a worker on the dashboard, the
worker signs in on her phone with the PIN the page showed once, then the head stops her: the phone is
signed out and the PIN opens nothing, while her record on the dashboard says who did what, masked.
Screenshots under artifacts/screenshots/<test>/."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from workshop.models import Worker, WorkerAction, WorkerEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_desk(page, username: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/")


def sign_in_phone(page, phone: str, pin: str) -> None:
    page.goto(page.base + "/m/login/")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=pin]", pin)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def test_the_head_adds_a_worker_and_stops_her(desk, phone, cast):
    sign_in_desk(desk, "head")
    desk.goto(desk.base + "/dashboard/workers/")
    desk.click("[data-action=add-worker]")
    desk.wait_for_url("**/dashboard/workers/new/")

    # A first try with a control character in the name and a bad phone: refused, naming both fields.
    desk.fill("input[name=name]", "王\u0007秀英")
    desk.fill("input[name=phone]", "1370000")
    desk.check("input[name=skills][value=assembly]")
    desk.check("input[name=work_place][value=home]")
    desk.click("[data-action=save-worker]")
    errors = desk.locator("[data-errors]").inner_text()
    assert "姓名" in errors and "控制字符" in errors and "手机号" in errors
    assert not Worker.objects.filter(name__contains="秀英").exists()
    desk.shots("add-refused")

    desk.fill("input[name=name]", "王秀英")
    desk.fill("input[name=phone]", "137 0000 1111")
    desk.fill("input[name=hours_per_week]", "25")
    desk.shots("add-form")
    desk.click("[data-action=save-worker]")
    desk.wait_for_url(re.compile(r".*/dashboard/workers/\d+/$"))
    message = desk.locator("ul.messages").inner_text()
    pin = re.search(r"PIN 是 (\d{6})", message).group(1)
    worker = Worker.objects.get(name="王秀英")
    assert worker.active and worker.workshop == cast.ws and worker.work_place == "home"
    assert "登记入坊" in desk.locator("[data-list=record]").inner_text()
    desk.shots("added")

    # She signs in on her phone with the PIN she was told.
    sign_in_phone(phone, "13700001111", pin)
    assert phone.url.endswith("/m/")
    phone.shots("signed-in")

    # The head stops her, once asked to confirm.
    desk.click("[data-action=open-deactivate]")
    desk.fill("[data-form=deactivate] input[name=reason]", "搬去外地")
    desk.shots("deactivate-confirm")
    desk.click("[data-action=deactivate]")
    desk.wait_for_selector("[data-form=reactivate]")
    assert "已停用" in desk.locator("ul.messages").inner_text()
    record = desk.locator("[data-list=record]").inner_text()
    assert "停用" in record and "搬去外地" in record and "13700001111" not in record
    desk.shots("deactivated")
    event = WorkerEvent.objects.get(worker=worker, action=WorkerAction.DEACTIVATED)
    assert event.actor == cast.head

    # Her phone is signed out and says why; her PIN no longer opens anything, and she is told so.
    phone.goto(phone.base + "/m/")
    assert "/m/login/" in phone.url and "账号已停用" in phone.content()
    sign_in_phone(phone, "13700001111", pin)
    assert "账号已停用" in phone.content() and "PIN 不对" not in phone.content()
    phone.shots("refused")
