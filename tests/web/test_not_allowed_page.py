"""A trial: the report's confirm screen is drawn by a POST; a phone reloading that tab asks the same address
with GET and got an empty 405, which Chromium shows as its English "This page isn't working". Now such a GET
gets a page in her language with a way back to her share, still a 405, and nothing is written."""

from __future__ import annotations

import pytest

from dispatch.models import WorkReport
from tests.mobile.conftest import accepted_job, in_hand
from workshop.notallowed import back_for

pytestmark = pytest.mark.django_db


def test_reopening_the_confirm_screen_says_to_use_the_button_and_leads_back_to_her_share(
    client, cast, issue_job
):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 10)
    client.force_login(cast.alice.user)
    for path in (f"/m/a/{a.pk}/report/", f"/m/a/{a.pk}/accept/"):
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 405 and "POST" in page["Allow"]
        html = page.content.decode()
        assert "这一步要在页面上点按钮才能办" in html and f'href="/m/a/{a.pk}/"' in html
    english = client.get(f"/m/a/{a.pk}/report/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This step is done with a button on its page" in english and "按钮" not in english
    # Another phone address that takes only posts leads to the page above it: her messages, the month's
    # wage slip (a trial: it led to the phone's home, not the slip she was answering).
    page = client.get("/m/inbox/read/")
    assert page.status_code == 405 and 'href="/m/inbox/"' in page.content.decode()
    page = client.get("/m/slip/2026-11/seen/")
    assert page.status_code == 405 and 'href="/m/slip/2026-11/"' in page.content.decode()
    assert not WorkReport.objects.exists()


def test_a_staff_address_that_takes_only_posts_says_so_and_leads_to_its_job(client, cast):
    client.force_login(cast.head)
    page = client.get("/dashboard/jobs/1/reports/1/correct/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 405 and "POST" in page["Allow"]
    assert (
        "请在页面上点按钮" in page.content.decode() and 'href="/dashboard/jobs/1/"' in page.content.decode()
    )


def test_the_way_back_is_the_nearest_page_above_else_the_phones_home_or_the_home_page():
    assert back_for("/m/a/5/report/") == "/m/a/5/"
    assert back_for("/dashboard/jobs/7/reports/3/correct/") == "/dashboard/jobs/7/"
    assert back_for("/m/no/such/step/") == "/m/"
    assert back_for("/no/such/step/") == "/"
