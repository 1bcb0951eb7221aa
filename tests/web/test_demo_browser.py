"""A newcomer opens the demo as its head, in a real browser: the workshop as it looks after a season, with
every chart on the home page drawn and a year's pay that reads like one (screenshots under
artifacts/screenshots/<test>/)."""

from __future__ import annotations

import re

import pytest

from lab.seasonrows import load_season
from logistics.demo import seed_demo_logistics
from workshop.demo import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _yuan(text: str) -> float:
    """The first ¥ figure in ``text`` ("年化人均 ¥23,170.12 / 目标 ¥40,000.00" → 23170.12)."""
    return float(re.search(r"¥\s*([\d,]+\.\d\d)", text).group(1).replace(",", ""))


def test_the_head_of_the_demo_sees_a_season_in_every_chart(desk):
    # The demo without today's three jobs: those queue Celery follow-ups, and no worker runs here.
    ws = seed_demo().workshop
    seed_demo_logistics(ws)
    load_season(ws)
    desk.goto(desk.base + "/accounts/login/")
    desk.fill("input[name=username]", "head")
    desk.fill("input[name=password]", DEMO_PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url("**/dashboard/")
    for chart in ("daily", "savings"):
        desk.wait_for_selector(f"#chart-{chart} canvas")
    # The funnel is drawn in SVG (its labels beside the bars): one bar per stage, with its text.
    desk.wait_for_function("document.querySelectorAll('#chart-funnel svg text').length >= 3")
    assert "期间还没有入账的合格件" not in desk.content()
    fixed = desk.locator("[data-goal=fixed] .goal-head").inner_text()
    part_time = desk.locator("[data-goal=part_time] .goal-head").inner_text()
    # A season of pay scaled to a year: thousands a year, not a few yuan (one day over the whole year).
    assert _yuan(fixed) > 12000 and _yuan(part_time) > 3000, (fixed, part_time)
    desk.shots("home")
    desk.goto(f"{desk.base}/open/{ws.pk}/")
    assert "已发放" in desk.content() and "发放工资" not in desk.content()
    desk.shots("board")
