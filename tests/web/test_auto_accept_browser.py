"""A job the pairing's auto-accept rule took, as the head sees it in a real browser: counted on her home
page, tagged with the rule on the board, explained on the job page, the rule on the firm's page."""

from __future__ import annotations

import pytest

from dispatch import tasks
from tests.conftest import tomorrow
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_sees_the_job_the_rule_took_and_the_rule_that_took_it(desk, cast, issue_job):
    cast.pairing.auto_accept = True
    cast.pairing.auto_accept_max_pieces = 3000
    cast.pairing.save()
    job = issue_job(quantity=1200, due_on=tomorrow(6), title="规则接下的单")
    assert tasks.on_job_issued.run(job.pk) == "auto-accepted"

    sign_in(desk, "head")
    chip = desk.locator("[data-todo=auto_accepted]")
    assert chip.inner_text() == "自动接单在做 1"
    desk.shots("home")
    chip.click()
    desk.wait_for_url("**/dashboard/jobs/?**")
    assert desk.locator("table[data-table=jobs] tbody tr").count() == 1
    assert "规则接下的单" in desk.locator("table[data-table=jobs] tbody").inner_text()

    desk.goto(desk.base + "/dashboard/board/")
    card = desk.locator(f"article[data-job='{job.pk}']")
    assert card.locator("xpath=ancestor::section[@data-column]").get_attribute("data-column") == "accepted"
    assert card.locator("[data-auto-accepted]").inner_text() == "自动接单 ≤ 3000 件且工期 ≥ 2 天"
    desk.shots("board")

    card.locator(".job-title").click()
    desk.wait_for_url(f"**/dashboard/jobs/{job.pk}/")
    said = desk.locator("dd[data-auto-accepted]").inner_text()
    assert "没有等坊长确认:≤ 3000 件且工期 ≥ 2 天。" in said
    desk.shots("job")
    desk.locator("dd[data-auto-accepted] a").click()
    desk.wait_for_url(f"**/dashboard/firms/{cast.firm.pk}/")
    assert desk.locator(f"[data-auto-rule='{cast.pairing.pk}']").inner_text() == "≤ 3000 件且工期 ≥ 2 天"
