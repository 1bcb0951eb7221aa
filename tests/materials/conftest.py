"""A job with supplied materials: panels and screws counted whole, cloth measured in metres."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from dispatch import services
from dispatch.models import Assignment, Job
from materials.models import Balance, BomLine, Movement
from materials.services import BomInput

PANEL = BomInput("面板", "ge", "1", "0.5")
SCREW = BomInput("螺丝", "ge", "2", "0.5")
CLOTH = BomInput("布料", "m", "0.35", "2")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def material_job(cast, issue_job):
    """Issue a job with a bill of materials (default: panel and screw), accepted by the head."""

    def _make(quantity: int = 300, bom=(PANEL, SCREW), **kw) -> Job:
        job = issue_job(quantity=quantity, bom=list(bom), **kw)
        return services.job_accept(actor=cast.head, job=job)

    return _make


def line(job: Job, material: str) -> BomLine:
    return BomLine.objects.get(job=job, material=material)


def share(job: Job, worker, pieces: int) -> Assignment:
    """An accepted share of ``pieces`` for ``worker``."""
    a = services.assignment_offer(job=job, worker=worker, pieces=pieces)
    services.assignment_accept(actor=worker.user, assignment=a)
    a.refresh_from_db()
    return a


def report(a: Assignment, pieces: int):
    return services.work_report(actor=a.worker.user, assignment=a, pieces=pieces, key=uuid.uuid4().hex)


def inspect_and_book(cast, job: Job, verdicts: dict[int, tuple[int, int, int]]):
    """Send ``job`` for inspection, record ``verdicts`` {assignment id: (passed, rejected, rework)}, book."""
    job.refresh_from_db()
    if job.state in ("in_progress", "completed"):  # completed by its last report, or still to complete
        hand_over(job)
    results = [services.ResultInput(pk, p, r, w, "毛刺" if r else "") for pk, (p, r, w) in verdicts.items()]
    inspection = services.job_inspect(actor=cast.clerk, job=job, results=results)
    return services.inspection_book(inspection=inspection)


def ledger_state(job: Job) -> tuple:
    """What a refused request must leave as it was: every movement and balance of the job."""
    return (
        list(Movement.objects.filter(job=job).order_by("pk").values_list("pk", "quantity")),
        sorted(Balance.objects.filter(line__job=job).values_list("line_id", "holder_key", "quantity")),
    )


D = Decimal


from tests.dispatch.conftest import published  # noqa: E402,F401 - the races stub the broker the same way
from tests.lots import hand_over  # noqa: E402
