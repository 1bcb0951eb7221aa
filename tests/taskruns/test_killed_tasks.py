"""Tasks whose process dies on every delivery, through a real prefork worker process on the real Redis:
redelivered (acks_late + reject_on_worker_lost), counted in the database, refused after five, the admins
told; a killed booking stays pending on the staff page, and its retry books it."""

from __future__ import annotations

import pytest
from celery import current_app

from config.celery import require_worker, wait_until_idle
from dispatch import services
from dispatch.models import Assignment, AssignmentState, Inspection, Job, JobState
from notices.models import Notification
from pay.models import PayLine
from taskruns.models import TaskRun, TaskRunState
from tests.factories import CommunityAdminFactory, UserFactory, WorkshopFactory
from tests.lots import hand_over
from tests.workerproc import WorkerProcess, wait_for

from .killer import RAN_KEY

pytestmark = [pytest.mark.faults, pytest.mark.celery]

LIMIT = {"NUANXIN_TASK_MAX_DELIVERIES": "5"}


@pytest.fixture
def workers(transactional_db, redis_server):
    """Start worker processes with ``workers(name, env)``; all stopped at the end, Redis flushed."""
    redis_server.flushdb()
    started: list[WorkerProcess] = []

    def start(name: str, env: dict | None = None) -> WorkerProcess:
        proc = WorkerProcess(name=name, env={**LIMIT, **(env or {})})
        started.append(proc)
        require_worker(timeout=60)
        return proc

    yield start
    for proc in started:
        proc.stop()
    redis_server.flushdb()


def test_a_task_that_kills_its_process_every_time_is_failed_after_five_deliveries(workers, redis_server):
    admin = CommunityAdminFactory().user
    worker = workers("killer")

    current_app.send_task("tests.taskruns.killer.die", task_id="die-1")
    run = wait_for(
        lambda: TaskRun.objects.filter(task_id="die-1", state=TaskRunState.FAILED).first(), timeout=180
    )
    wait_until_idle(timeout=30)  # refused and acknowledged: nothing comes back
    log = worker.stop()

    assert run.attempts == 5, log
    assert int(redis_server.get(RAN_KEY)) == 5  # the body ran five times, never a sixth
    assert Notification.objects.filter(recipient=admin, kind="task_failed").count() == 1


def _to_inspection(cast, issue_job) -> Inspection:
    job = issue_job(quantity=120)
    services.job_accept(actor=cast.head, job=job)
    wait_until_idle(timeout=60)
    for a in Assignment.objects.filter(job=job, state=AssignmentState.OFFERED).select_related("worker__user"):
        services.assignment_accept(actor=a.worker.user, assignment=a)
    for a in Assignment.objects.filter(job=job, state=AssignmentState.ACCEPTED).select_related(
        "worker__user"
    ):
        services.work_report(actor=a.worker.user, assignment=a, pieces=a.pieces_to_do, key=f"k-{a.pk}")
    wait_until_idle(timeout=60)
    assert Job.objects.get(pk=job.pk).state == JobState.COMPLETED
    job = hand_over(job)
    done = job.assignments.filter(state=AssignmentState.DONE)
    services.job_inspect(
        actor=cast.clerk, job=job, results=[services.ResultInput(a.pk, a.pieces, 0, 0) for a in done]
    )
    return Inspection.objects.get(job=job)


def test_a_booking_killed_every_time_stays_pending_with_a_retry_that_books_it(
    workers, cast, issue_job, client
):
    admin = CommunityAdminFactory().user
    other_head = WorkshopFactory(head=UserFactory(username="other-head")).head
    killer = workers("booker", {"NUANXIN_TEST_KILL_BOOKING": "1"})

    inspection = _to_inspection(cast, issue_job)
    failed = wait_for(
        lambda: TaskRun.objects.filter(
            task_name="dispatch.tasks.book_inspection", args=[inspection.pk], state=TaskRunState.FAILED
        ).first(),
        timeout=180,
    )
    log = killer.stop()
    assert failed.attempts == 5, log
    inspection.refresh_from_db()
    assert inspection.booked_at is None and not PayLine.objects.filter(inspection=inspection).exists()
    assert Notification.objects.filter(recipient=admin, kind="task_failed").exists()

    client.force_login(cast.head)
    page = client.get("/dashboard/tasks/")
    assert page.status_code == 200
    assert f'data-inspection="{inspection.pk}"' in page.content.decode()
    retry_url = f"/dashboard/tasks/{failed.pk}/retry/"

    client.force_login(cast.clerk)  # the firm's staff: no desk for this
    assert client.post(retry_url).status_code == 403
    client.force_login(other_head)  # another workshop's head
    assert client.post(retry_url).status_code == 404
    assert TaskRun.objects.get(pk=failed.pk).state == TaskRunState.FAILED  # neither changed anything

    workers("healthy")
    client.force_login(cast.head)
    assert client.post(retry_url).status_code == 302
    wait_for(
        lambda: Inspection.objects.filter(pk=inspection.pk, booked_at__isnull=False).exists(), timeout=60
    )
    assert PayLine.objects.filter(inspection=inspection).exists()
    assert f'data-inspection="{inspection.pk}"' not in client.get("/dashboard/tasks/").content.decode()
