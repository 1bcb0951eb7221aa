"""The services queue their follow-ups by task name (``dispatch.followups``, ``notices.services``): every
name they use is a task registered in every process, the very task object the tasks module defines."""

from __future__ import annotations

from celery import current_app

from dispatch import followups, tasks
from notices import services as notice_services
from notices import tasks as notice_tasks


def test_every_follow_up_the_flow_queues_names_a_registered_task():
    for name in followups.ALL:
        task = current_app.tasks[name]
        assert task.name == name
        assert task is getattr(tasks, name.rsplit(".", 1)[1])._get_current_object()


def test_the_message_delivery_task_is_registered_under_the_name_notify_queues():
    task = current_app.tasks[notice_services.DELIVER_TASK]

    assert task is notice_tasks.deliver_notification._get_current_object()


def test_a_follow_up_is_queued_only_after_commit(cast, issue_job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = issue_job(quantity=100)

    assert [(c.task.name, c.args) for c in callbacks] == [(followups.ON_JOB_ISSUED, (job.pk,))]
