"""The worker's money journeys in a real browser (Debian chromium, 360×640, zh-CN): she undoes a typo after
a report she confirmed by mistake, and she reads, confirms and asks about her wage slip. Each page is
checked against the elderly-friendly rules (tests/mobile/rules.py) and saved as a screenshot under
artifacts/screenshots/<test>/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dispatch.models import Assignment, WorkReport
from pay.models import SlipNote
from tests.mobile.conftest import PIN, accepted_job, in_hand, report
from tests.mobile.rules import check_page
from tests.pay.slips_data import alices_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, worker) -> None:
    page.goto(page.base + "/m/login/")
    page.fill("input[name=phone]", str(worker.phone.national_number))
    page.fill("input[name=pin]", PIN)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def seen(page, name: str, *, figures: bool = False) -> None:
    page.wait_for_load_state("networkidle")
    check_page(page, figures=figures)
    page.shots(name)


def test_the_worker_undoes_a_typo(phone, cast, pins, issue_job):
    a = in_hand(accepted_job(cast, issue_job, quantity=100), cast.alice, 100)
    for _ in range(3):
        report(a, 6)  # she usually reports 6 at a time; these were this morning
    WorkReport.objects.filter(assignment=a).update(at=timezone.now() - dt.timedelta(hours=3))
    sign_in(phone, cast.alice)
    phone.goto(phone.base + f"/m/a/{a.pk}/")
    seen(phone, "share", figures=True)

    # A slip of the finger: 60 instead of 6. The phone asks first; she taps 确定 anyway.
    phone.fill("#pieces", "60")
    phone.get_by_role("button", name="报工", exact=True).click()
    phone.wait_for_url(f"**/m/a/{a.pk}/report/")
    assert "您报的是" in phone.content() and "平时一次约 6 件" in phone.content()
    seen(phone, "confirm-large", figures=True)
    phone.get_by_role("button", name="确定", exact=True).click()
    phone.wait_for_url(f"**/m/a/{a.pk}/")
    undo = phone.get_by_role("button", name="撤销刚才报的 60 件")
    assert undo.is_visible()
    assert "还有 10 分钟可以自己撤销" in phone.content()
    seen(phone, "reported-with-undo", figures=True)

    undo.click()
    phone.wait_for_url(f"**/m/a/{a.pk}/")
    assert "刚才报的 60 件已经撤销" in phone.content()
    assert phone.get_by_role("button", name=re.compile("撤销刚才报的")).count() == 0
    struck = phone.locator("ul.reports li.undone")
    assert struck.count() == 1 and "已撤销" in struck.inner_text() and struck.locator("del").count() == 1
    seen(phone, "undone", figures=True)
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 18

    # Now the right count: 6, at her usual, made at once.
    phone.fill("#pieces", "6")
    phone.get_by_role("button", name="报工", exact=True).click()
    phone.wait_for_url(f"**/m/a/{a.pk}/")
    assert "这次的 6 件已经记上" in phone.content()
    seen(phone, "reported-again", figures=True)
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 24
    assert WorkReport.objects.filter(assignment=a, reverses__isnull=False).count() == 1


def test_the_worker_reads_and_confirms_her_slip(phone, cast, pins, issue_job):
    alices_month(cast, issue_job)
    sign_in(phone, cast.alice)
    phone.get_by_role("link", name="看工资条").click()
    phone.wait_for_url("**/m/slip/")
    assert phone.locator("[data-key=slip-total]").inner_text() == "50.28"
    assert "布袋缝边" in phone.content() and "更正 " in phone.content() and "全勤奖" in phone.content()
    assert cast.firm.name not in phone.content()
    assert phone.locator("[data-speak]").count() >= 5  # what "读给我听" reads
    seen(phone, "slip", figures=True)

    phone.get_by_role("button", name="我看过了,没问题").click()
    phone.wait_for_url("**/m/slip/*/")
    assert "您确认了" in phone.content() and phone.locator("[data-seen]").is_visible()
    seen(phone, "slip-confirmed", figures=True)

    phone.get_by_text("有疑问,问问坊长").click()
    phone.fill("textarea[name=text]", "扣的 3.5 元是什么?")
    phone.get_by_role("button", name="发给坊长").click()
    phone.wait_for_url("**/m/slip/*/")
    assert "已经告诉坊长了" in phone.content() and "等坊长回复" in phone.content()
    seen(phone, "slip-asked", figures=True)
    assert SlipNote.objects.filter(worker=cast.alice, kind="question").count() == 1

    # On paper: no bars, no buttons, her name printed.
    phone.emulate_media(media="print")
    assert not phone.locator("header.bar").is_visible()
    assert not phone.get_by_role("button", name="发给坊长").is_visible()
    assert phone.locator(".print-only").is_visible()
    phone.shots("slip-print")
