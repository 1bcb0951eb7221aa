"""The firm clerk's inspection page (验收) on the server: the lot split said in plain words, and each
worker's part of the lot shown before submitting, without a script too."""

from __future__ import annotations

import re

import pytest

from dispatch.models import Job
from tests.dashboard.helpers import inspecting_job

pytestmark = pytest.mark.django_db


def preview(page: str) -> list[tuple[int, int, int]]:
    """(passed, rejected, rework) of each row of the lot's split table."""
    cell = r"<td[^>]*data-{}>(\d+)</td>"
    cells = re.findall(cell.format("passed") + cell.format("rejected") + cell.format("rework"), page)
    return [tuple(int(c) for c in row) for row in cells]


def test_the_lot_split_is_said_in_words_a_clerk_reads_not_as_the_largest_remainder_method(
    client, cast, issue_job
):
    job = inspecting_job(cast, issue_job, pieces=(100, 100, 100))
    client.force_login(cast.clerk)
    page = client.get(f"/dashboard/jobs/{job.pk}/inspect/").content.decode()
    assert "最大余数法" not in page
    assert "按比例" in page and "各人加起来正好等于您填的数" in page
    assert preview(page) == [(100, 0, 0)] * 3


def test_a_short_count_is_shown_split_over_the_workers_before_she_submits(client, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(100, 100, 100))
    Job.objects.filter(pk=job.pk).update(pieces_short=10)
    client.force_login(cast.clerk)
    page = client.get(f"/dashboard/jobs/{job.pk}/inspect/").content.decode()
    assert preview(page) == [(96, 4, 0), (97, 3, 0), (97, 3, 0)]
    assert "<strong data-lot-passed>290</strong>" in page


def test_a_refused_lot_verdict_comes_back_with_the_split_of_what_was_typed(client, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(100, 100, 100))
    Job.objects.filter(pk=job.pk).update(pieces_short=10)  # counted 290: no more than 290 may pass
    client.force_login(cast.clerk)
    response = client.post(
        f"/dashboard/jobs/{job.pk}/inspect/", {"mode": "lot", "rejected": "5", "rework": "0", "reason": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert preview(page) == [(98, 2, 0), (98, 2, 0), (99, 1, 0)]
    assert "<strong data-lot-passed>295</strong>" in page
    assert not job.assignments.filter(pieces_passed__gt=0).exists()


def test_the_heading_reads_in_the_clerks_language(client, cast, issue_job):
    """Found by a clean-clone trial: "Inspect:#264 …", a Chinese colon outside the translated word."""
    job = inspecting_job(cast, issue_job, pieces=(100,))
    client.force_login(cast.clerk)
    client.cookies["django_language"] = "en"
    page = client.get(f"/dashboard/jobs/{job.pk}/inspect/").content.decode()
    assert f"<h1>Inspect: #{job.pk} " in page and ":#" not in page
