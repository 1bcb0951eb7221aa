"""The head takes back what a stopped worker had not made, in a real browser: from the stopped worker's
page to the job's shares, the take-back opened, a reason typed, and the pieces back on the job."""

from __future__ import annotations

import uuid

import pytest

from dispatch import services
from dispatch.models import Assignment, AssignmentState
from tests.dashboard.helpers import accepted_job
from tests.web.test_dashboard_browser import sign_in
from workshop.services import worker_deactivate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_a_stopped_workers_page_the_head_takes_back_the_rest(desk, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100, title="布袋缝边")
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=share)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=30, key=uuid.uuid4().hex)
    worker_deactivate(actor=cast.head, worker=cast.alice, reason="搬走了")
    sign_in(desk, "head")

    desk.goto(desk.base + f"/dashboard/workers/{cast.alice.pk}/")
    desk.click(f"[data-held-shares] a[href='/dashboard/jobs/{job.pk}/#share-{share.pk}']")
    assert desk.locator(f"tr#share-{share.pk} [data-stopped]").is_visible()
    take_back = desk.locator(f"details[data-take-back='{share.pk}']")
    take_back.locator("summary").click()
    assert take_back.locator("summary").inner_text() == "alice 收回剩余 70 件"  # names whose it is
    take_back.locator("button[type=submit]").click()  # no reason yet: the browser asks for one
    assert Assignment.objects.get(pk=share.pk).state == AssignmentState.ACCEPTED
    take_back.locator("input[name=reason]").fill("搬走了")
    desk.shots("take-back-open")
    take_back.locator("button[type=submit]").click()

    desk.wait_for_selector("text=已收回 alice 还没做的 70 件")
    share.refresh_from_db()
    assert (share.state, share.pieces, share.pieces_taken_back) == (AssignmentState.DONE, 30, 70)
    assert desk.locator(f"tr[data-assignment='{share.pk}'] [data-taken-back='70']").is_visible()
    assert desk.locator("details[data-take-back]").count() == 0
