"""The board shows each state's soonest-due cards (the settled column: the latest due) with their reported
pieces and open offers, and sums the shares of those cards only: a county's settled column holds years of
jobs (issue 15)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard import selectors
from dispatch import services
from dispatch.models import Job, JobState
from tests.dashboard.helpers import accepted_job

pytestmark = pytest.mark.django_db


def test_a_column_shows_its_first_due_cards_with_their_sums_and_the_states_total(client, cast, issue_job):
    today = timezone.localdate()
    for n in range(33):
        issue_job(quantity=10, title=f"待接{n}", due_on=today + dt.timedelta(days=40 - n))
    made = accepted_job(cast, issue_job, quantity=100, title="在做的单")
    share = services.assignment_offer(job=made, worker=cast.alice, pieces=60)
    services.assignment_offer(job=made, worker=cast.bob, pieces=40)
    services.assignment_accept(actor=cast.alice.user, assignment=share)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=25, key=uuid.uuid4().hex)
    client.force_login(cast.head)

    with CaptureQueriesContext(connection) as ctx:
        columns = {c["state"]: c for c in client.get("/dashboard/board/").context["columns"]}

    issued = columns[JobState.ISSUED]
    assert issued["total"] == 33 and len(issued["jobs"]) == 30
    assert [j.title for j in issued["jobs"]][:3] == ["待接32", "待接31", "待接30"]  # soonest due first
    in_progress = columns[JobState.IN_PROGRESS]["jobs"]
    assert [(j.title, j.reported, j.open_offers) for j in in_progress] == [("在做的单", 25, 1)]
    sums = [q["sql"] for q in ctx.captured_queries if "SUM(" in q["sql"].upper()]
    ranked = [q["sql"] for q in ctx.captured_queries if "ROW_NUMBER" in q["sql"].upper()]
    # The cards are ranked first, 30 a state, and the shares summed for those cards only, read by their ids
    # (never every job of a state; nor the ranking as a subquery, which PostgreSQL read as every job).
    assert len(ranked) == 1 and re.search(r"PARTITION BY .+state.+<= 30", ranked[0], re.S | re.I), ranked
    picked = re.search(r'"dispatch_job"\."id" IN \(([\d, ]+)\)', sums[0]) if len(sums) == 1 else None
    assert picked and "ROW_NUMBER" not in sums[0].upper(), sums
    assert len(picked.group(1).split(",")) == 30 + 1  # the issued column's 30 and the job in production
    assert Job.objects.count() == 34


def _cards(html: str, state: str) -> list[int]:
    column = re.search(rf'<section [^>]*data-column="{state}">(.*?)</section>', html, re.S).group(1)
    return [int(pk) for pk in re.findall(r'data-job="(\d+)"', column)]


def test_the_settled_column_shows_the_latest_paid_and_the_open_ones_the_soonest_due(
    client, cast, issue_job, monkeypatch
):
    monkeypatch.setattr(selectors, "BOARD_CARDS_PER_COLUMN", 3)
    today = timezone.localdate()
    settled, issued = [], []
    for i in range(5):  # due from four years ago to last week, created in a shuffled order
        job = issue_job(title=f"旧单 {i}")
        Job.objects.filter(pk=job.pk).update(
            state=JobState.SETTLED, due_on=today - dt.timedelta(days=7 + 365 * ((i * 3) % 5))
        )
        settled.append((today - dt.timedelta(days=7 + 365 * ((i * 3) % 5)), job.pk))
    for i in range(4):
        job = issue_job(title=f"新单 {i}")
        Job.objects.filter(pk=job.pk).update(due_on=today + dt.timedelta(days=(i * 7) % 4 + 1))
        issued.append((today + dt.timedelta(days=(i * 7) % 4 + 1), job.pk))
    client.force_login(cast.head)

    html = client.get("/dashboard/board/").content.decode()

    assert _cards(html, "settled") == [pk for _d, pk in sorted(settled, reverse=True)[:3]]
    assert _cards(html, "issued") == [pk for _d, pk in sorted(issued)[:3]]
    counts = dict(re.findall(r'data-column="(\w+)">\s*<h2>.*?<span class="count">(\d+)</span>', html, re.S))
    assert counts["settled"] == "5" and counts["issued"] == "4"
    assert "?state=settled" in html and "?state=issued" in html  # 查看全部: more than the cards shown
