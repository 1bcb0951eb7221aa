"""Home, board and roster cost the same number of queries with 10 and with 200 jobs (and their workers,
assignments, reports, inspections and pay lines): every list is joined or aggregated, never per row."""

from __future__ import annotations

import uuid

import pytest

from dispatch import services
from tests.dashboard.helpers import inspecting_job, settled_job
from tests.factories import CommunityAdminFactory, WorkerFactory
from tests.lots import completed
from workshop.models import Worker

# Pinned: session + user, the role lookup, the figures (or the board's columns), the page's own rows, and
# the unread count of the user's messages beside 消息 in the header.
# Home: six of them are the open jobs under the minimum hourly wage (jobs, minimum wage; the day's speeds,
# taken at this first view of the day: kept speeds, workers, reports, keep them); heads and admins: + open
# slip questions. Pay is two reads of the month rollups (firms' months, workers' months; firm staff: the
# firms' only), whatever the number of pay lines (pay.monthly); pieces, verdicts and hand-overs
# one read of the day rows (dispatch.flowdays). A head's and an admin's workshop filter is drawn from
# the workshops their role lookup read (dashboard.forms.ScopeWorkshopField): no query of its own (-1).
HOME_QUERIES = {"head": 17, "clerk": 16, "admin": 20}
# The board: the totals by state, the open columns' card ids (ranked in one), the settled column's (latest
# due first), and those cards read by their ids (+2: read through the ranking as a subquery, PostgreSQL
# merged the whole assignment table for a county admin's board, a second a page).
BOARD_QUERIES = {"head": 8, "clerk": 10}
# The roster: whether to show the workshop filter is read from the same labels, not counted (-1).
ROSTER_QUERIES = {"head": 8, "admin": 11}


def make_world(cast, issue_job, n_jobs: int) -> None:
    """``n_jobs`` jobs spread over every column of the board, with reports, inspections and pay lines;
    and a roster that grows with them (one more worker per 10 jobs)."""
    for i in range(n_jobs // 10):
        WorkerFactory(workshop=cast.ws, name=f"张{i}")
    settled_job(cast, issue_job, pieces=(60, 40), rejected=5)
    inspecting_job(cast, issue_job, pieces=(30, 20))
    done = 3
    while done < n_jobs:
        job = issue_job(quantity=40, title=f"单{done}")
        step = done % 4
        if step >= 1:
            services.job_accept(actor=cast.head, job=job)
        if step >= 2:
            a = services.assignment_offer(job=job, worker=cast.bob, pieces=40)
            services.assignment_accept(actor=cast.bob.user, assignment=a)
            services.work_report(actor=cast.bob.user, assignment=a, pieces=10, key=uuid.uuid4().hex)
        if step == 3 and done % 8 == 3:
            services.work_report(actor=cast.bob.user, assignment=a, pieces=30, key=uuid.uuid4().hex)
            completed(job)
        done += 1


def user_for(cast, who):
    if who == "admin":
        return CommunityAdminFactory().user
    return getattr(cast, who)


@pytest.mark.parametrize("n_jobs", [10, 200])
@pytest.mark.parametrize("who", list(HOME_QUERIES))
def test_home_costs_the_same_queries_with_10_and_200_jobs(
    client, cast, issue_job, django_assert_num_queries, n_jobs, who
):
    make_world(cast, issue_job, n_jobs)
    client.force_login(user_for(cast, who))
    with django_assert_num_queries(HOME_QUERIES[who]):
        response = client.get("/dashboard/")
    assert response.status_code == 200


@pytest.mark.parametrize("n_jobs", [10, 200])
@pytest.mark.parametrize("who", list(BOARD_QUERIES))
def test_board_costs_the_same_queries_with_10_and_200_jobs(
    client, cast, issue_job, django_assert_num_queries, n_jobs, who
):
    make_world(cast, issue_job, n_jobs)
    client.force_login(user_for(cast, who))
    with django_assert_num_queries(BOARD_QUERIES[who]):
        response = client.get("/dashboard/board/")
    assert response.status_code == 200
    cards = response.content.decode().count("data-job=")
    assert cards == min(n_jobs, sum(min(c["total"], 30) for c in response.context["columns"]))


@pytest.mark.parametrize("n_jobs", [10, 200])
@pytest.mark.parametrize("who", list(ROSTER_QUERIES))
def test_roster_costs_the_same_queries_with_10_and_200_jobs(
    client, cast, issue_job, django_assert_num_queries, n_jobs, who
):
    make_world(cast, issue_job, n_jobs)
    client.force_login(user_for(cast, who))
    with django_assert_num_queries(ROSTER_QUERIES[who]):
        response = client.get("/dashboard/workers/")
    assert response.status_code == 200
    # The head sees ws's workers; the community admin also mallory's workshop in the same community.
    listed = Worker.objects.filter(workshop__community=cast.ws.community).count() if who == "admin" else 3
    assert response.content.decode().count("data-worker=") == min(50, listed + n_jobs // 10 * (who == "head"))
