"""A stopped worker's rework (返工): the firm sent 16 of alice's pieces back to her, and the head stopped her
before she reworked them. Unseen on her page and impossible to take back, they kept the job from ever
settling (a trial found it). Her page lists them, marked 返工, linked to their row on the job's page."""

from __future__ import annotations

import uuid

from dispatch import services
from dispatch.models import Assignment, AssignmentKind
from tests.dashboard.helpers import inspecting_job

REASON = "坊工停用"


def rework_for_alice(cast, issue_job, rework=16, made=0):
    """A job whose inspection sent ``rework`` of alice's 100 pieces back to her (the firm's reason 毛刺),
    bob's and carol's passing; she has reworked ``made`` of them. Returns (job, her rework share)."""
    job = inspecting_job(cast, issue_job, pieces=(100, 100, 100))
    results = [
        services.ResultInput(a.pk, a.pieces - 20, 20, rework, "毛刺")
        if a.worker_id == cast.alice.pk
        else services.ResultInput(a.pk, a.pieces, 0)
        for a in job.assignments.order_by("pk")
    ]
    services.inspection_book(inspection=services.job_inspect(actor=cast.clerk, job=job, results=results))
    share = Assignment.objects.get(job=job, kind=AssignmentKind.REWORK)
    if made:
        services.work_report(actor=cast.alice.user, assignment=share, pieces=made, key=uuid.uuid4().hex)
    share.refresh_from_db()
    job.refresh_from_db()
    return job, share


def test_a_stopped_workers_page_lists_her_unfinished_rework_marked_and_linked(client, cast, issue_job):
    job, rework = rework_for_alice(cast, issue_job, made=4)
    client.force_login(cast.head)
    client.post(f"/dashboard/workers/{cast.alice.pk}/deactivate/")

    page = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()

    assert 'data-held-shares="1"' in page and f'data-rework="{rework.pk}"' in page
    assert f"/dashboard/jobs/{job.pk}/#share-{rework.pk}" in page and "还差 12 件" in page
    assert f'id="share-{rework.pk}"' in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
