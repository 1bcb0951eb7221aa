"""The board shows each state's newest-due cards with their reported pieces and open offers, and sums the
shares of those cards only: a county's settled column holds years of jobs (issue 15)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
    # The shares are summed for the ranked cards only: 30 a state, never every job of a state.
    picked = r"IN \(SELECT .+ROW_NUMBER\(\) OVER \(PARTITION BY .+state.+<= 30"
    assert len(sums) == 1 and re.search(picked, sums[0], re.S | re.I), sums
    assert Job.objects.count() == 34
