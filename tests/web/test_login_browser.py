"""The sign-in page in a real browser, at phone and laptop size."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_firm_clerk_signs_in_and_lands_on_the_dashboard(desk, cast):
    from tests.factories import PASSWORD

    desk.goto(desk.base + "/")
    assert "/accounts/login/" in desk.url
    desk.shots("login")
    desk.fill("input[name=username]", "clerk")
    desk.fill("input[name=password]", PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url("**/dashboard/")
    assert cast.firm.name in desk.content()
    desk.shots("dashboard-home")


def test_the_login_page_fits_a_phone_without_sideways_scrolling(phone, cast):
    phone.goto(phone.base + "/accounts/login/")
    phone.shots("login")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
