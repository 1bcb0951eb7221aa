"""The firm clerk's inspection page (验收) in a real browser: typing rejected pieces lowers the passed ones
as she types, and the lot form shows each worker's part before she submits; what is booked is the
server's own split, the same as the page showed."""

from __future__ import annotations

import pytest

from dispatch.models import Assignment
from tests.dashboard.helpers import inspecting_job
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_rejected_pieces_lowers_passed_as_the_clerk_types(desk, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(120, 80, 40))
    sign_in(desk, "clerk")
    desk.goto(desk.base + f"/dashboard/jobs/{job.pk}/inspect/")
    alice = Assignment.objects.get(job=job, worker=cast.alice)
    row = desk.locator(f"tr[data-assignment='{alice.pk}']")
    assert row.locator("input[name$='-passed']").input_value() == "120"

    row.locator("input[name$='-rejected']").select_text()
    row.locator("input[name$='-rejected']").press_sequentially("7")  # over the 0, key by key
    assert row.locator("input[name$='-passed']").input_value() == "113"
    row.locator("input[name$='-rejected']").press("Backspace")
    assert row.locator("input[name$='-passed']").input_value() == "120"
    row.locator("input[name$='-rejected']").fill("12")
    assert row.locator("input[name$='-passed']").input_value() == "108"
    desk.shots("inspect-rows")
    desk.click("[data-action=inspect-assignments]")
    # Rejected pieces need the firm's reason: she is told beside it, and what she typed stays.
    desk.wait_for_selector("[role=alert]")
    assert "请写明原因" in desk.content()
    row = desk.locator(f"tr[data-assignment='{alice.pk}']")
    assert row.locator("input[name$='-rejected']").input_value() == "12"
    row.locator("input[name$='-reason']").fill("毛刺")
    desk.click("[data-action=inspect-assignments]")
    desk.wait_for_selector("[data-job-state=inspected]")
    alice.refresh_from_db()
    assert (alice.pieces_passed, alice.pieces_rejected) == (108, 12)


def test_the_lot_form_shows_each_workers_part_before_it_is_booked(desk, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(100, 100, 100))
    sign_in(desk, "clerk")
    desk.goto(desk.base + f"/dashboard/jobs/{job.pk}/inspect/")
    lot = desk.locator("form[data-inspect=lot]")
    assert "最大余数法" not in desk.content()
    assert "按比例" in desk.locator("[data-lot-how]").inner_text()
    assert lot.locator("[data-lot-passed]").inner_text() == "300"

    lot.locator("input[name=rejected]").fill("10")
    lot.locator("input[name=rework]").fill("4")
    assert lot.locator("[data-lot-passed]").inner_text() == "290"
    figures = "td[data-passed], td[data-rejected], td[data-rework]"
    rows = lot.locator("tr[data-share]").all()
    shown = [[cell.inner_text() for cell in row.locator(figures).all()] for row in rows]
    assert shown == [["96", "4", "2"], ["97", "3", "1"], ["97", "3", "1"]]
    lot.locator("input[name=rework]").fill("11")  # more rework than rejected
    assert lot.locator("[data-lot-status]").inner_text() != ""
    lot.locator("input[name=rework]").fill("4")
    assert lot.locator("[data-lot-status]").inner_text() == ""
    lot.locator("input[name=reason]").fill("漏装")
    desk.shots("inspect-lot-preview")

    lot.locator("[data-action=inspect-lot]").click()
    desk.wait_for_selector("[data-job-state=inspected]")
    booked = [
        [str(a.pieces_passed), str(a.pieces_rejected)]
        for a in Assignment.objects.filter(job=job).order_by("pk")
    ]
    assert booked == [row[:2] for row in shown]
