"""The flow up to booked pay, for the money tests: shares made, reported, handed over, inspected, booked."""

from __future__ import annotations

import uuid

import pytest

from dispatch import services
from dispatch.models import Assignment, Job
from dispatch.services import ResultInput
from tests.lots import hand_over
from tests.statement_month import build_month


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def key() -> str:
    return uuid.uuid4().hex


def started(
    cast, issue_job, shares=(("alice", 130), ("bob", 170)), rate="0.0350"
) -> tuple[Job, list[Assignment]]:
    """A job in progress whose quantity is exactly the shares, each offered and accepted."""
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=sum(n for _, n in shares), rate=rate))
    out = []
    for name, pieces in shares:
        worker = getattr(cast, name)
        offer = services.assignment_offer(job=job, worker=worker, pieces=pieces)
        out.append(services.assignment_accept(actor=worker.user, assignment=offer))
    job.refresh_from_db()
    return job, out


def report(a: Assignment, pieces: int):
    return services.work_report(actor=a.worker.user, assignment=a, pieces=pieces, key=key())[0]


def booked(cast, issue_job, verdicts=None, **kw) -> tuple[Job, list[Assignment]]:
    """A job whose every piece was reported, handed over, inspected (``verdicts``: {index: rejected}, the
    rest passed) and booked."""
    job, shares = started(cast, issue_job, **kw)
    for a in shares:
        report(a, a.pieces)
    job = hand_over(job)
    verdicts = verdicts or {}
    results = []
    for i, a in enumerate(shares):
        a.refresh_from_db()
        rejected = verdicts.get(i, 0)
        results.append(
            ResultInput(assignment_id=a.pk, passed=a.pieces_to_inspect - rejected, rejected=rejected)
        )
    inspection = services.job_inspect(actor=cast.clerk, job=job, results=results)
    services.inspection_book(inspection=inspection)
    for a in shares:
        a.refresh_from_db()
    job.refresh_from_db()
    return job, shares


@pytest.fixture
def month(cast, issue_job):
    """Builds the statement's month (``tests.statement_month``) when called."""
    return lambda: build_month(cast, issue_job)
