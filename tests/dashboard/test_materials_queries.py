"""The materials pages cost the same number of queries with few and with many movements, workers and jobs:
a job's accounts are summed by the database (``materials.selectors.job_accounts``: four queries), and the
firm's view reads every job of its page in three (``jobs_totals``)."""

from __future__ import annotations

import pytest

from dispatch import services
from materials import services as ledger
from materials.services import BomInput
from tests.factories import CommunityAdminFactory
from tests.materials.conftest import CLOTH, line, report, share

PANEL = BomInput("面板", "ge", "1", "0.5")

# Pinned: session + user, the role (2 to 5 queries), the job, its accounts (4), the shares for the forms
# (the head's only), the workers' reports (head and admin). The overview: the role, the page's count and
# rows, the jobs' totals (3).
PAGE_QUERIES = {"head": 11, "clerk": 10, "admin": 13}  # the inbox badge included
OVERVIEW_QUERIES = {"head": 9, "clerk": 10}


def busy_job(cast, issue_job, n_workers: int, rounds: int):
    """A job of panels and cloth worked by ``n_workers`` workers (alice, bob, carol), each reporting
    ``rounds`` times, with returns and scrap along the way."""
    job = issue_job(quantity=300, bom=[PANEL, CLOTH])
    services.job_accept(actor=cast.head, job=job)
    panel, cloth = line(job, "面板"), line(job, "布料")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=310, actor=cast.head)
    ledger.material_receive(confirm_over=True, line=cloth, quantity_received="110", actor=cast.head)
    for worker in (cast.alice, cast.bob, cast.carol)[:n_workers]:
        a = share(job, worker, 100)
        ledger.kit_issue(assignment=a, actor=cast.head)
        for _ in range(rounds):
            report(a, 5)
        ledger.material_return(line=panel, worker=worker, quantity_returned=1, actor=cast.head)
        ledger.material_scrap(
            line=cloth, worker=worker, quantity_scrapped="0.1", actor=cast.head, reason="污"
        )
    return job


def user_for(cast, who):
    return CommunityAdminFactory().user if who == "admin" else getattr(cast, who)


@pytest.mark.parametrize("n_workers, rounds", [(1, 1), (3, 12)])
@pytest.mark.parametrize("who", list(PAGE_QUERIES))
def test_a_jobs_materials_page_costs_the_same_whatever_the_movements(
    client, cast, issue_job, django_assert_num_queries, n_workers, rounds, who
):
    job = busy_job(cast, issue_job, n_workers, rounds)
    client.force_login(user_for(cast, who))

    with django_assert_num_queries(PAGE_QUERIES[who]):
        response = client.get(f"/dashboard/jobs/{job.pk}/materials/")

    assert response.status_code == 200
    assert response.content.decode().count("data-worker=") == (2 * n_workers if who != "clerk" else 0)


@pytest.mark.parametrize("n_jobs", [2, 25])
@pytest.mark.parametrize("who", list(OVERVIEW_QUERIES))
def test_the_materials_of_every_job_cost_the_same_whatever_the_jobs(
    client, cast, issue_job, django_assert_num_queries, n_jobs, who
):
    for i in range(n_jobs):
        busy_job(cast, issue_job, 1 + i % 2, 1)
    client.force_login(getattr(cast, who))

    with django_assert_num_queries(OVERVIEW_QUERIES[who]):
        response = client.get("/dashboard/materials/")

    assert response.status_code == 200
    assert response.content.decode().count("<tr data-job=") == 2 * n_jobs
