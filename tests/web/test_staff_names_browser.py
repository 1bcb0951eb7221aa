"""Who is signed in, on the dashboard of the demo: the role, then the person's name (坊长 · 沈秀英),
never the role twice (坊长 坊长)."""

from __future__ import annotations

import pytest

from workshop.demo import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("username, role", [("head", "坊长"), ("admin", "社区管理员"), ("county", "县级")])
def test_the_demo_staff_see_their_role_and_their_name(desk, username, role):
    seed_demo()
    desk.goto(desk.base + "/accounts/login/")
    desk.fill("input[name=username]", username)
    desk.fill("input[name=password]", DEMO_PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url("**/dashboard/**")
    who = desk.locator(".dash-who")
    lines = [line.strip() for line in who.inner_text().splitlines() if line.strip()]
    desk.shots(f"who-{username}")
    assert lines[0] == role
    assert lines[1] not in (role, username) and len(lines[1]) >= 2
