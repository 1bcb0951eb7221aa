"""The head's dispatch page (派工) in a real browser at 1366×768 with the demo's 53 workers: the total,
its warning and the button stay in view, the planner's picks come first and the rest are folded, and a
button that can't be pressed looks it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dispatch.models import Assignment
from tests.factories import WorkerFactory
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT_HEIGHT = 768


def in_view(page, selector: str) -> bool:
    """True when the element is shown and wholly inside the window as it is scrolled now."""
    box = page.locator(selector).bounding_box()
    if box is None or box["height"] <= 0:
        return False
    return 0 <= box["y"] and box["y"] + box["height"] <= VIEWPORT_HEIGHT


def test_the_total_and_the_button_stay_in_view_on_a_53_worker_dispatch_page(desk, cast, issue_job):
    # As in the demo: 53 workers, a third of them without the job's skill, part-timers with few hours;
    # a job big enough that the planner picks many of them.
    for i in range(50):
        skills = ["fabric"] if i % 3 == 0 else ["assembly", "packaging"]
        WorkerFactory(workshop=cast.ws, name=f"坊工{i:02d}", skills=skills, hours_per_week=12 + i % 30)
    job = issue_job(quantity=2400, due_on=timezone.localdate() + dt.timedelta(days=3))
    sign_in(desk, "head")
    desk.goto(desk.base + f"/dashboard/jobs/{job.pk}/dispatch/")
    desk.shots("dispatch-53")

    assert in_view(desk, "[data-total]") and in_view(desk, "button[data-action=offer]")
    suggested = desk.locator("[data-rows=suggested] tbody tr")
    assert 10 < suggested.count() < 53
    assert desk.evaluate("document.documentElement.scrollHeight") > VIEWPORT_HEIGHT + 400  # a long list
    assert desk.locator("details[data-rows=others]").get_attribute("open") is None
    assert desk.locator("details[data-rows=others] tbody tr").first.is_hidden()

    # Open the fold, type pieces for the last worker far down the list: the bar is still in view.
    desk.click("details[data-rows=others] > summary")
    last = desk.locator("details[data-rows=others] tbody tr").last
    worker_id = int(last.get_attribute("data-worker"))
    last.locator("input").fill("400")
    assert in_view(desk, f"#w{worker_id}")
    bar_top = desk.locator("[data-dispatch-bar]").bounding_box()["y"]
    field = desk.locator(f"#w{worker_id}").bounding_box()
    assert field["y"] + field["height"] <= bar_top  # the field she types in is not under the bar
    assert in_view(desk, "[data-total]") and in_view(desk, "button[data-action=offer]")
    assert in_view(desk, "[data-status]") and "超过" in desk.locator("[data-status]").inner_text()
    desk.screenshot(path=str(desk.shots.folder / "window-over-far-down.png"))  # the window, as she sees it

    last.locator("input").fill("5")
    first = suggested.first.locator("input")
    first.fill(str(int(first.input_value()) - 5))
    assert desk.locator("[data-left]").inner_text() == "0"
    assert not desk.locator("button[data-action=offer]").is_disabled()
    desk.click("button[data-action=offer]")
    desk.wait_for_selector("[data-job-state=accepted]")
    assert Assignment.objects.get(job=job, worker_id=worker_id).pieces == 5


def test_a_disabled_offer_button_looks_disabled(desk, cast, issue_job):
    job = issue_job(quantity=300)
    sign_in(desk, "head")
    desk.goto(desk.base + f"/dashboard/jobs/{job.pk}/dispatch/")
    button = desk.locator("button[data-action=offer]")
    style = "b => { const s = getComputedStyle(b); return [s.backgroundColor, s.color, s.cursor]; }"
    enabled = button.evaluate(style)
    desk.fill(f"#w{cast.alice.pk}", "999")
    assert button.is_disabled()
    disabled = button.evaluate(style)
    desk.shots("dispatch-disabled")
    assert disabled[2] == "not-allowed"
    assert disabled[0] != enabled[0] and disabled[1] != enabled[1]
