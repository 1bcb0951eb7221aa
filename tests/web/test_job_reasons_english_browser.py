"""A job's page in English gives the planner's reasons beside each share in English, as the dispatch page
and the timeline do: the reasons are stored as their Chinese msgids (chromium, 1366×768)."""

from __future__ import annotations

import pytest

from dispatch import services
from dispatch.models import Assignment
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_reads_the_share_reasons_in_english_on_the_job_page(desk, cast, issue_job):
    job = issue_job()
    services.job_accept(actor=cast.head, job=job)
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    Assignment.objects.filter(pk=share.pk).update(reasons="技能匹配 · 本月收入偏低")
    sign_in(desk, "head")
    desk.get_by_role("button", name="English").click()
    desk.wait_for_load_state("load")
    desk.goto(f"{desk.base}/dashboard/jobs/{job.pk}/")
    reasons = desk.locator(f"tr[data-assignment='{share.pk}'] td.small").first.inner_text()
    desk.shots("job-reasons-english")
    assert reasons == "Skills match · low income this month"
