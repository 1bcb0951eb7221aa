"""Pieces nobody has time for, said on the job's page: found in a trial, the head took back the rest of a
share when every worker already had about two days of work; the planner (rightly) offered the pieces to
no one, and the job's page showed them 待派 without a word why. Now it says so, with the manual dispatch."""

from __future__ import annotations

import uuid

from dispatch import services
from tests.dashboard.helpers import accepted_job

LINE = "还有 800 件待派:坊工手上的活都排满了(或能做的人都不接),系统暂时派不出去。"


def _everyone_full_and_alices_rest_taken_back(cast, issue_job):
    """A job of 2,700 pieces, 900 each to alice, bob and carol (more than two days' work each); alice made
    100 and fell ill: the head took back her other 800, and the planner ran (as after commit)."""
    job = accepted_job(cast, issue_job, quantity=2700)
    shares = {}
    for worker in (cast.alice, cast.bob, cast.carol):
        shares[worker] = services.assignment_offer(job=job, worker=worker, pieces=900)
        services.assignment_accept(actor=worker.user, assignment=shares[worker])
    services.work_report(
        actor=cast.alice.user, assignment=shares[cast.alice], pieces=100, key=uuid.uuid4().hex
    )
    services.share_take_back(actor=cast.head, assignment=shares[cast.alice], rest=800, reason="生病了")
    assert services.job_plan_offers(job=job) == []  # no one has time for them: none offered
    return job


def test_pieces_nobody_has_time_for_are_said_on_the_job_page_with_the_manual_dispatch(
    client, cast, issue_job
):
    job = _everyone_full_and_alices_rest_taken_back(cast, issue_job)
    client.force_login(cast.head)

    page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()

    assert 'data-unplaced="800"' in page and LINE in page
    assert f'href="/dashboard/jobs/{job.pk}/dispatch/" data-action="dispatch-by-hand"' in page

    # The head gives them to bob by hand: nothing waits any more, and the line is gone.
    client.post(f"/dashboard/jobs/{job.pk}/dispatch/", {f"w{cast.bob.pk}": "800"})
    assert "data-unplaced" not in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()


def test_pieces_just_back_and_not_yet_planned_are_not_said_to_be_stuck(client, cast, issue_job):
    job = _everyone_full_and_alices_rest_taken_back(cast, issue_job)
    client.force_login(cast.head)
    client.post(f"/dashboard/jobs/{job.pk}/dispatch/", {f"w{cast.bob.pk}": "800"})
    offer = job.assignments.get(worker=cast.bob, state="offered")
    services.assignment_decline(actor=cast.bob.user, assignment=offer, reason="太多了")

    # The 800 are back; the planner runs right after (after commit), and until it has, no one was found
    # full for them.
    assert "data-unplaced" not in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    services.job_plan_offers(job=job)
    assert 'data-unplaced="800"' in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()


def test_the_firm_does_not_read_the_workshops_dispatch_worries(client, cast, issue_job):
    job = _everyone_full_and_alices_rest_taken_back(cast, issue_job)
    client.force_login(cast.clerk)

    assert "data-unplaced" not in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()


def test_the_line_reads_in_english_too(client, cast, issue_job):
    job = _everyone_full_and_alices_rest_taken_back(cast, issue_job)
    client.force_login(cast.head)
    client.cookies["django_language"] = "en"

    page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()

    assert "800 pieces still to dispatch: the workers' hands are full" in page.replace("&#x27;", "'")
    assert "Dispatch by hand" in page
