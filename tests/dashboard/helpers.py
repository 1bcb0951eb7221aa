"""Helpers for the dashboard tests: a job taken through the flow by calling the services directly."""

from __future__ import annotations

import uuid

from dispatch import services
from dispatch.models import Job
from tests.lots import completed, hand_over


def accepted_job(cast, issue_job, **kw) -> Job:
    job = issue_job(**kw)
    services.job_accept(actor=cast.head, job=job)
    return job


def inspecting_job(cast, issue_job, pieces=(100, 100, 100), **kw) -> Job:
    """A job whose assignments (alice, bob, carol: ``pieces`` each) are done and sent for inspection."""
    job = accepted_job(cast, issue_job, quantity=sum(pieces), **kw)
    for worker, n in zip((cast.alice, cast.bob, cast.carol), pieces, strict=False):
        a = services.assignment_offer(job=job, worker=worker, pieces=n)
        services.assignment_accept(actor=worker.user, assignment=a)
        services.work_report(actor=worker.user, assignment=a, pieces=n, key=uuid.uuid4().hex)
    completed(job)
    hand_over(job)
    job.refresh_from_db()
    return job


def settled_job(cast, issue_job, pieces=(100, 100, 100), rejected=0, **kw) -> Job:
    """A job inspected (``rejected`` pieces of alice's share failed, none sent back) and booked."""
    job = inspecting_job(cast, issue_job, pieces=pieces, **kw)
    results = []
    for a in job.assignments.order_by("pk"):
        rj = rejected if a.worker_id == cast.alice.pk else 0
        results.append(services.ResultInput(assignment_id=a.pk, passed=a.pieces - rj, rejected=rj))
    inspection = services.job_inspect(actor=cast.clerk, job=job, results=results)
    services.inspection_book(inspection=inspection)
    job.refresh_from_db()
    return job
