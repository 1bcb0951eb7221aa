"""A firm clerk issues a job in a real browser and types a rate that can't be: she reads what to type,
in her words, not the browser's or Django's ("确保该值大于或等于0.0001")."""

from __future__ import annotations

import pytest

from dispatch.models import Job
from tests.conftest import tomorrow
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_zero_piece_rate_is_refused_in_words_the_clerk_understands(desk, cast):
    sign_in(desk, "clerk")
    desk.goto(desk.base + "/dashboard/jobs/new/")
    desk.select_option("select[name=workshop]", str(cast.ws.pk))
    desk.select_option("select[name=line]", str(cast.line.pk))
    desk.fill("input[name=title]", "开关面板装配")
    desk.fill("input[name=quantity]", "300")
    desk.fill("input[name=piece_rate]", "0")
    desk.fill("input[name=due_on]", tomorrow().isoformat())
    desk.click("[data-action=issue]")
    desk.wait_for_load_state()

    errors = desk.locator(".errorlist").all_inner_texts()
    desk.shots("rate-refused")
    assert errors == ["单价要大于 0 元,最多四位小数,如 0.12。"]
    assert "确保" not in desk.content()
    assert not Job.objects.exists()

    desk.fill("input[name=piece_rate]", "0.12元/件")
    desk.click("[data-action=issue]")
    desk.wait_for_selector("[data-job-state=issued]")
    assert str(Job.objects.get().piece_rate) == "0.1200"
