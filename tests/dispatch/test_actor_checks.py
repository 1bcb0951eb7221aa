"""Who may move a job: every service checks its actor, and ``actor=None`` (the system: a Celery task or
the auto-accept rule) passes only where a service says so. A person's request always names its user."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from dashboard import services as dashboard_services
from dispatch import services
from dispatch.models import Assignment, FlowEvent, IllegalTransition, Job, JobState
from tests.lots import hand_over


def _finished(cast, issue_job) -> Job:
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=100))
    a = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=a)
    services.work_report(actor=cast.alice.user, assignment=a, pieces=100, key="all-done")
    return job


@pytest.mark.parametrize("step", [services.job_complete, services.job_hand_over])
@pytest.mark.parametrize("who", ["a worker", "another workshop's worker", "another firm's staff"])
def test_only_the_head_or_the_system_sends_a_finished_job_to_the_firm(cast, issue_job, step, who):
    job = _finished(cast, issue_job)  # her last report completed it: a person is refused before its state
    actor = {"a worker": cast.alice.user, "another workshop's worker": cast.mallory.user}.get(who, cast.eve)
    events = FlowEvent.objects.count()

    with pytest.raises(PermissionDenied):
        step(job=job, actor=actor)

    assert FlowEvent.objects.count() == events
    assert Job.objects.get(pk=job.pk).state == JobState.COMPLETED
    if step is services.job_hand_over:
        step(job=job, actor=None)  # the system may
    else:
        with pytest.raises(IllegalTransition):  # the system may, but it did so with her last report
            step(job=job, actor=None)


def test_the_head_or_the_firms_staff_may_settle_and_nobody_else(cast, issue_job):
    job = _finished(cast, issue_job)
    hand_over(job)
    a = Assignment.objects.get(job=job)
    services.job_inspect(actor=cast.clerk, job=job, results=[services.ResultInput(a.pk, 100, 0)])
    services.inspection_book(inspection=job.inspections.get())  # books and settles, as the task does

    job.refresh_from_db()
    assert job.state == JobState.SETTLED
    for stranger in (cast.alice.user, cast.mallory.user, cast.eve):
        with pytest.raises(PermissionDenied):
            services.job_settle(job=job, actor=stranger)


def test_a_decline_always_names_the_head(cast, issue_job):
    job = issue_job(quantity=100)

    with pytest.raises(PermissionDenied):
        services.job_decline(actor=None, job=job)
    with pytest.raises(PermissionDenied):
        services.job_decline(actor=cast.clerk, job=job)

    assert Job.objects.get(pk=job.pk).state == JobState.ISSUED


def test_the_heads_dispatch_page_service_refuses_a_request_without_a_user(cast, issue_job):
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=100))

    with pytest.raises(PermissionDenied):
        dashboard_services.dispatch_shares(actor=None, job=job, shares={cast.alice.pk: 100})

    assert not Assignment.objects.filter(job=job).exists()
