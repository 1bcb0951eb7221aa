"""Fixtures for the worker's phone pages: alice with the demo PIN, jobs offered to her, pay booked."""

from __future__ import annotations

import uuid

import pytest

from dispatch import services
from dispatch.models import Assignment, Inspection, Job
from tests.lots import hand_over
from workshop import services as people

PIN = "246810"


@pytest.fixture
def pins(cast):
    """alice, bob and mallory can sign in with the demo PIN."""
    for w in (cast.alice, cast.bob, cast.mallory):
        people.worker_set_pin(actor=w.workshop.head, worker=w, pin=PIN)
    return PIN


def accepted_job(cast, issue_job, **kw) -> Job:
    job = issue_job(**kw)
    services.job_accept(actor=cast.head, job=job)
    return job


def offer(job, worker, pieces: int = 100) -> Assignment:
    return services.assignment_offer(job=job, worker=worker, pieces=pieces)


def in_hand(job, worker, pieces: int = 100) -> Assignment:
    a = offer(job, worker, pieces)
    services.assignment_accept(actor=worker.user, assignment=a)
    a.refresh_from_db()
    return a


def report(a: Assignment, pieces: int) -> None:
    services.work_report(actor=a.worker.user, assignment=a, pieces=pieces, key=uuid.uuid4().hex)


def inspect_and_book(cast, job: Job, verdicts: dict[int, tuple[int, int, int, str]]) -> Inspection:
    """Finish ``job`` (complete, send for inspection), inspect it as the clerk with ``verdicts``
    {assignment id: (passed, rejected, rework, reason)}, and book it, as the Celery tasks would."""
    job.refresh_from_db()
    if job.state == "in_progress":
        services.job_complete(job=job)
    hand_over(job)
    results = [
        services.ResultInput(assignment_id=pk, passed=p, rejected=r, rework=w, reason=why)
        for pk, (p, r, w, why) in verdicts.items()
    ]
    inspection = services.job_inspect(actor=cast.clerk, job=job, results=results)
    services.inspection_book(inspection=inspection)
    return inspection


def sample_photo(name: str = "sample.jpg"):
    """A 1600×1200 JPEG of about 1 MB, grainy like a phone's shot of a workbench: its phone-sized copy
    (about 60 KB) is what a real photo's would weigh."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    base = Image.effect_mandelbrot((1600, 1200), (-0.75, 0.05, -0.55, 0.2), 200).convert("RGB")
    grain = Image.effect_noise((1600, 1200), 80).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, grain, 0.4).save(out, "JPEG", quality=92)
    return ContentFile(out.getvalue(), name=name)
