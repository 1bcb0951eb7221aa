"""Counting deliveries (``taskruns.services``, ``taskruns.base``): counted before the body, refused past the
limit with one message to each admin, a Celery retry not counted, success resets, staff retry queues once."""

from __future__ import annotations

import pytest
from celery import shared_task
from celery.exceptions import Retry

from notices.models import Notification
from outbox.models import OutboxMessage
from taskruns import services
from taskruns.models import TaskRun, TaskRunState
from tests.factories import CommunityAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(db):
    return CommunityAdminFactory().user, UserFactory(is_superuser=True, is_staff=True)


def begin(task_id="t-1", name="dispatch.tasks.book_inspection", args=(7,)):
    return services.delivery_begin(task_id=task_id, task_name=name, args=args, kwargs={})


def test_a_delivery_is_counted_and_committed_before_the_body_runs():
    assert begin() is True

    run = TaskRun.objects.get(task_id="t-1")
    assert (run.attempts, run.state, run.args) == (1, TaskRunState.RUNNING, [7])


def test_a_delivery_past_the_limit_is_refused_and_every_admin_is_told_once(settings, admins, cast):
    settings.NUANXIN_TASK_MAX_DELIVERIES = 5
    assert [begin() for _ in range(5)] == [True] * 5  # five processes died mid-task

    assert begin() is False
    assert begin() is False  # still refused, and nobody told twice

    run = TaskRun.objects.get(task_id="t-1")
    assert (run.attempts, run.state) == (5, TaskRunState.FAILED)
    told = Notification.objects.filter(kind="task_failed")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(u.pk for u in admins)
    assert not told.filter(recipient=cast.head).exists()
    assert "book_inspection" in told.first().text_now and "5" in told.first().text_now


def test_a_scheduled_celery_retry_is_not_counted_but_an_error_is():
    begin()
    services.delivery_end(task_id="t-1", outcome="retry")
    assert TaskRun.objects.get(task_id="t-1").attempts == 0

    begin()
    services.delivery_end(task_id="t-1", outcome="error", error=ValueError("boom"))
    run = TaskRun.objects.get(task_id="t-1")
    assert (run.attempts, run.state, run.last_error) == (1, TaskRunState.PENDING, "ValueError: boom")


def test_success_resets_the_count():
    begin()
    begin()
    services.delivery_end(task_id="t-1", outcome="done")

    run = TaskRun.objects.get(task_id="t-1")
    assert (run.attempts, run.state) == (0, TaskRunState.DONE)


def test_a_retry_resets_every_failed_run_of_the_work_and_queues_it_once_through_the_outbox(
    settings, django_capture_on_commit_callbacks
):
    settings.NUANXIN_TASK_MAX_DELIVERIES = 1
    for task_id in ("outbox-1", "sweep-book_inspection-7"):
        begin(task_id)
        begin(task_id)
    assert TaskRun.objects.filter(state=TaskRunState.FAILED).count() == 2

    with django_capture_on_commit_callbacks(execute=False):
        reset = services.taskrun_retry(task_name="dispatch.tasks.book_inspection", args=[7])
        again = services.taskrun_retry(task_name="dispatch.tasks.book_inspection", args=[7])

    assert (reset, again) == (2, 0)
    assert list(TaskRun.objects.values_list("state", "attempts").distinct()) == [(TaskRunState.PENDING, 0)]
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args) == ("dispatch.tasks.book_inspection", [7])


@shared_task(name="tests.taskruns.test_deliveries.add")
def add(a, b):
    return a + b


@shared_task(bind=True, name="tests.taskruns.test_deliveries.retries_once", max_retries=1)
def retries_once(self):
    if not self.request.retries:
        raise self.retry(countdown=0)
    return "ok"


def test_a_task_called_directly_or_eagerly_is_not_counted():
    assert add(1, 2) == 3
    assert add.apply((1, 2)).get() == 3
    assert not TaskRun.objects.exists()


def test_a_delivery_runs_through_the_counter(monkeypatch):
    # A broker delivery as the tracer makes it: the request pushed, then the task called.
    add.push_request(id="d-1", called_directly=False, is_eager=False)
    try:
        assert add(2, 3) == 5
    finally:
        add.pop_request()
    run = TaskRun.objects.get(task_id="d-1")
    assert (run.task_name, run.state, run.attempts) == ("tests.taskruns.test_deliveries.add", "done", 0)

    retries_once.push_request(id="d-2", called_directly=False, is_eager=False, retries=0)
    try:
        with pytest.raises(Retry):
            retries_once()
    finally:
        retries_once.pop_request()
    assert TaskRun.objects.get(task_id="d-2").attempts == 0


def test_a_refused_delivery_does_not_run_the_body(settings):
    settings.NUANXIN_TASK_MAX_DELIVERIES = 1
    begin("d-3", name="tests.taskruns.test_deliveries.add")
    add.push_request(id="d-3", called_directly=False, is_eager=False)
    try:
        assert add(2, 3) is None
    finally:
        add.pop_request()
    assert TaskRun.objects.get(task_id="d-3").state == TaskRunState.FAILED
