"""Corrections from the job page (更正): the head sees each share's reports, a reversed one struck through
as 已冲销 with its reason, and corrects one; the head or the job's firm clerk corrects a booked inspection
result, the pay difference booked at once; a refused correction is said in words and nothing is written;
nobody else corrects anything."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from dispatch.models import Inspection, InspectionResult, WorkReport
from pay.models import LineKind, PayLine
from tests.dashboard.pay_world import faraway
from tests.pay.conftest import booked, report, started

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_head_corrects_a_report_and_the_page_shows_it_struck_through_with_the_reason(client, cast, issue_job):
    job, (alice_share, _bob) = started(cast, issue_job)
    wrong = report(alice_share, 50)
    client.force_login(cast.head)
    page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert f'action="/dashboard/jobs/{job.pk}/reports/{wrong.pk}/correct/"' in page
    response = client.post(
        f"/dashboard/jobs/{job.pk}/reports/{wrong.pk}/correct/",
        {"pieces": "40", "reason": "多数了一扎"},
        follow=True,
    )
    assert "50 → 40" in _messages(response)
    alice_share.refresh_from_db()
    assert alice_share.pieces_reported == 40
    reversal = WorkReport.objects.get(reverses=wrong)
    assert (reversal.pieces, reversal.reason, reversal.reported_by) == (-50, "多数了一扎", cast.head)
    body = response.content.decode()
    row = re.search(rf'<tr data-report="{wrong.pk}" data-reversed.*?</tr>', body, re.S)[0]
    assert "<del>50</del>" in row and "已冲销:多数了一扎" in row
    assert "correct-report" not in row  # a reversed report is not corrected again
    new = WorkReport.objects.get(assignment=alice_share, reverses__isnull=True, reason="多数了一扎")
    assert new.pieces == 40 and f'data-report="{new.pk}"' in body


def test_a_refused_report_correction_is_said_in_words_and_writes_nothing(client, cast, issue_job):
    job, (alice_share, _bob) = started(cast, issue_job)
    r = report(alice_share, 50)
    client.force_login(cast.head)
    url = f"/dashboard/jobs/{job.pk}/reports/{r.pk}/correct/"
    too_many = client.post(url, {"pieces": "200", "reason": "多报"}, follow=True)
    assert "超过派给该坊工的 130 件" in _messages(too_many)
    no_reason = client.post(url, {"pieces": "40", "reason": ""}, follow=True)
    assert "更正原因" in _messages(no_reason)
    assert WorkReport.objects.count() == 1


def test_head_corrects_a_booked_result_and_the_pay_difference_is_booked(client, cast, issue_job):
    job, (alice_share, _bob) = booked(cast, issue_job)
    result = alice_share.inspection_results.get()
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/jobs/{job.pk}/results/{result.pk}/correct/",
        {"passed": "120", "rejected": "10", "reason": "复检发现10件毛刺"},
        follow=True,
    )
    assert "合格 130 → 120" in _messages(response)
    lines = PayLine.objects.filter(kind=LineKind.CORRECTION, worker=cast.alice).order_by("amount")
    assert [line.amount for line in lines] == [Decimal("-4.55"), Decimal("4.20")]
    correction = Inspection.objects.get(corrects=result.inspection)
    assert (correction.inspector, correction.notes) == (cast.head, "复检发现10件毛刺")
    body = response.content.decode()
    row = re.search(rf'<tr data-result="{result.pk}" data-reversed.*?</tr>', body, re.S)[0]
    assert "<del>130</del>" in row and "已冲销:复检发现10件毛刺" in row
    corrected = InspectionResult.objects.get(inspection=correction, reverses__isnull=True)
    assert f'data-result="{corrected.pk}"' in body


def test_the_firms_clerk_corrects_her_jobs_result_but_not_a_report(client, cast, issue_job):
    job, (alice_share, _bob) = booked(cast, issue_job)
    result = alice_share.inspection_results.get()
    first = alice_share.reports.get()
    client.force_login(cast.clerk)
    page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "correct-result" in page and 'data-section="reports"' not in page
    denied = client.post(
        f"/dashboard/jobs/{job.pk}/reports/{first.pk}/correct/", {"pieces": 1, "reason": "x"}
    )
    assert denied.status_code == 403
    client.post(
        f"/dashboard/jobs/{job.pk}/results/{result.pk}/correct/",
        {"passed": "125", "rejected": "5", "reason": "点数错了"},
    )
    assert Inspection.objects.filter(corrects=result.inspection, inspector=cast.clerk).exists()


def test_a_refused_result_correction_is_said_in_words_and_writes_nothing(client, cast, issue_job):
    job, (alice_share, _bob) = booked(cast, issue_job)
    result = alice_share.inspection_results.get()
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/jobs/{job.pk}/results/{result.pk}/correct/",
        {"passed": "100", "rejected": "10", "reason": "少算"},
        follow=True,
    )
    assert "合格+不合格应等于这次验收的 130 件" in _messages(response)
    assert not Inspection.objects.filter(corrects__isnull=False).exists()
    assert not PayLine.objects.filter(kind=LineKind.CORRECTION).exists()


def test_a_correction_of_over_ten_million_pieces_is_refused_as_too_large_not_for_its_reason(
    client, cast, issue_job
):
    job, (alice_share, _bob) = booked(cast, issue_job)
    result, first = alice_share.inspection_results.get(), alice_share.reports.get()
    reports = WorkReport.objects.count()
    client.force_login(cast.head)
    said = _messages(
        client.post(
            f"/dashboard/jobs/{job.pk}/results/{result.pk}/correct/",
            {"passed": "10000001", "rejected": "0", "reason": "复检"},
            follow=True,
        )
    )
    assert "件数太大了" in said and "原因" not in said
    said = _messages(
        client.post(
            f"/dashboard/jobs/{job.pk}/reports/{first.pk}/correct/",
            {"pieces": "99999999999999999999", "reason": "多数了"},
            follow=True,
        )
    )
    assert "件数太大了" in said and "原因" not in said
    assert not Inspection.objects.filter(corrects__isnull=False).exists()
    assert WorkReport.objects.count() == reports


def test_a_count_of_minus_zero_is_refused_and_cancels_no_report(client, cast, issue_job):
    job, (alice_share, _bob) = started(cast, issue_job)
    r = report(alice_share, 50)
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/jobs/{job.pk}/reports/{r.pk}/correct/", {"pieces": "-0", "reason": "报错了"}, follow=True
    )
    assert "件数请填 0 或正整数" in _messages(response)
    assert WorkReport.objects.count() == 1
    alice_share.refresh_from_db()
    assert alice_share.pieces_reported == 50


@pytest.mark.parametrize("who", ["other_head", "other_firm", "worker"])
def test_nobody_else_corrects_a_report_or_a_result(client, cast, issue_job, db, who):
    job, (alice_share, _bob) = booked(cast, issue_job)
    result = alice_share.inspection_results.get()
    first = alice_share.reports.get()
    other_head, _ws, _w = faraway(db)
    user = {"other_head": other_head, "other_firm": cast.eve, "worker": cast.alice.user}[who]
    expected = 403 if who == "worker" else 404
    client.force_login(user)
    before = (WorkReport.objects.count(), InspectionResult.objects.count(), PayLine.objects.count())
    r1 = client.post(f"/dashboard/jobs/{job.pk}/reports/{first.pk}/correct/", {"pieces": 1, "reason": "x"})
    r2 = client.post(
        f"/dashboard/jobs/{job.pk}/results/{result.pk}/correct/",
        {"passed": 1, "rejected": 129, "reason": "x"},
    )
    assert (r1.status_code, r2.status_code) == (expected, expected)
    assert (WorkReport.objects.count(), InspectionResult.objects.count(), PayLine.objects.count()) == before


def test_a_report_of_another_job_is_not_found_through_this_one(client, cast, issue_job):
    job, (alice_share, _bob) = started(cast, issue_job)
    other, (other_share,) = started(cast, issue_job, shares=(("carol", 20),))
    theirs = report(other_share, 5)
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/jobs/{job.pk}/reports/{theirs.pk}/correct/", {"pieces": 1, "reason": "x"}
    )
    assert response.status_code == 404
    assert WorkReport.objects.count() == 1
