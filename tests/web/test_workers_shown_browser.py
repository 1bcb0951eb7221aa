"""The head shows her workers to a firm by number, in a real browser (chromium, 1366×768): she picks 编号 on
the firm's page and saves; the record of the change is on the page; the firm's clerk then opens the job
and sees "12号坊工" where the names were, and none of the planner's reasons."""

from __future__ import annotations

import pytest

from dispatch.models import Assignment, FlowEvent
from tests.dashboard.helpers import inspecting_job
from tests.web.test_dashboard_browser import sign_in, sign_out
from workshop.models import PairingChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_shows_her_workers_to_the_firm_by_number(desk, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(30, 20), title="礼盒折叠")
    Assignment.objects.update(reasons="技能匹配 · 本月收入偏低 · 居家加工")
    FlowEvent.objects.filter(to_state="offered").update(note="技能匹配 · 本月收入偏低 · 居家加工")

    sign_in(desk, "clerk")
    desk.goto(f"{desk.base}/dashboard/jobs/{job.pk}/")
    before = desk.inner_text("main")
    assert "alice" in before and "bob" in before and "本月收入偏低" not in before
    sign_out(desk)

    sign_in(desk, "head")
    desk.goto(f"{desk.base}/dashboard/firms/{cast.firm.pk}/")
    cell = desk.locator(f"[data-workers-shown='{cast.pairing.pk}']")
    cell.get_by_label("编号").check()
    desk.shots("firm-page-choosing")
    cell.locator("[data-action=workers-shown]").click()
    desk.wait_for_load_state("load")
    assert "现在只看到" in desk.inner_text("main")
    assert "企业看到坊工:姓名 → 编号" in desk.inner_text("[data-pairing-changes]")
    assert cell.get_by_label("编号").is_checked()
    desk.shots("firm-page-saved")
    assert PairingChange.objects.get().changed_by == cast.head
    sign_out(desk)

    sign_in(desk, "clerk")
    desk.goto(f"{desk.base}/dashboard/jobs/{job.pk}/")
    after = desk.inner_text("main")
    desk.shots("job-page-firm-by-number")
    assert f"{cast.alice.pk}号坊工" in after and f"{cast.bob.pk}号坊工" in after
    assert "alice" not in after and "bob" not in after and "本月收入偏低" not in after
