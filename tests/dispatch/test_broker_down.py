"""When Redis is down at the moment a change is saved: the change stands, no error page, and the beat
sweep sends the follow-up work later."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app
from django.core.exceptions import ValidationError
from django.utils import timezone

from dispatch import tasks
from dispatch.models import Job
from notices import tasks as notices_tasks
from notices.models import Notification
from notices.services import notify
from outbox.models import OutboxMessage


@pytest.fixture
def broker_down():
    """The broker URL points at a port nothing listens on: every publish is refused."""
    before = current_app.conf.broker_url
    current_app.conf.broker_url = "redis://127.0.0.1:9/0"
    yield
    current_app.conf.broker_url = before


@pytest.fixture
def sent(monkeypatch):
    calls = []
    for name in ("on_job_issued", "finish_job_if_done", "book_inspection", "deliver_notification"):
        task = getattr(notices_tasks if name == "deliver_notification" else tasks, name)
        monkeypatch.setattr(task, "delay", lambda *a, _n=name: calls.append((_n, a)))
        # The sweep sends the flow's work under a fixed task id (taskruns counts its deliveries).
        monkeypatch.setattr(task, "apply_async", lambda a, _n=name, **kw: calls.append((_n, tuple(a))))
    return calls


def test_a_job_issued_while_the_broker_is_down_is_kept_without_an_error(
    cast, issue_job, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = issue_job(quantity=200)

    assert callbacks  # the follow-up was attempted after commit...
    assert Job.objects.filter(pk=job.pk, state="issued").exists()  # ...and its failure undid nothing
    # Its follow-up has no outbox row: the issued job is its record, and the sweep queues it again.
    assert "could not send dispatch.tasks.on_job_issued; the sweep will" in caplog.text
    assert not OutboxMessage.objects.exists()
    assert cast.alice.phone.as_e164 not in caplog.text


def test_the_sweep_sends_what_was_never_queued(cast, issue_job, sent):
    job = issue_job(quantity=200)
    Job.objects.filter(pk=job.pk).update(issued_at=timezone.now() - dt.timedelta(minutes=5))
    note = notify(
        recipient=cast.head, kind="job_issued", params={"f": "x", "t": "x", "n": 1}, dedupe_key="sweep-test"
    )
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))

    result = tasks.sweep_stalled_flow.run()

    assert ("on_job_issued", (job.pk,)) in sent
    assert ("deliver_notification", (note.pk,)) in sent
    assert result["issued"] == 1 and result["notifications"] == 1


def test_the_sweep_leaves_fresh_work_to_its_own_tasks(cast, issue_job, sent):
    issue_job(quantity=200)

    assert tasks.sweep_stalled_flow.run() == {
        "issued": 0,
        "finished": 0,
        "inspections": 0,
        "notifications": 0,
    }
    assert sent == []


def test_a_job_of_more_than_a_million_pieces_is_refused(cast, issue_job):
    with pytest.raises(ValidationError) as refused:
        issue_job(quantity=99_999_999_999)

    assert "最多" in str(refused.value)
    assert not Job.objects.exists()


def test_an_inspection_saved_while_the_broker_is_down_is_booked_by_the_sweep(
    cast, issue_job, broker_down, sent, django_capture_on_commit_callbacks
):
    """Its booking has no outbox row either: the unbooked inspection is the record the sweep reads."""
    import uuid

    from dispatch import services
    from dispatch.models import Inspection
    from tests.lots import hand_over

    job = services.job_accept(actor=cast.head, job=issue_job(quantity=100))
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=share)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=100, key=uuid.uuid4().hex)
    hand_over(job)
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        inspection = services.job_inspect(
            actor=cast.clerk, job=job, results=[services.ResultInput(share.pk, 100, 0)]
        )

    assert not OutboxMessage.objects.exists()
    assert Inspection.objects.get(pk=inspection.pk).booked_at is None
    Inspection.objects.filter(pk=inspection.pk).update(at=timezone.now() - dt.timedelta(minutes=5))
    assert tasks.sweep_stalled_flow.run()["inspections"] == 1
    assert ("book_inspection", (inspection.pk,)) in sent


def test_the_sweep_leaves_an_issued_job_whose_head_was_told_to_the_head(cast, issue_job, sent):
    # Found in review: every sweep sent the follow-up again for every job still waiting for its head,
    # spending a message id (the notice's INSERT finding its key) each time.
    told, untold = issue_job(quantity=200), issue_job(quantity=100)
    Job.objects.filter(pk__in=(told.pk, untold.pk)).update(issued_at=timezone.now() - dt.timedelta(minutes=5))
    tasks.on_job_issued.run(told.pk)
    assert Notification.objects.filter(kind="job_issued", dedupe_key=f"issued:{told.pk}").exists()
    Notification.objects.filter(dedupe_key=f"issued:{untold.pk}").delete()

    result = tasks.sweep_stalled_flow.run()

    issued = [args for name, args in sent if name == "on_job_issued"]
    assert issued == [(untold.pk,)] and result["issued"] == 1
