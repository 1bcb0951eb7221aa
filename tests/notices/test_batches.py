"""Every message one transaction makes is delivered together after its commit: on a worker, or in a request
when every sender runs in this process (the console log), at once, claimed in one UPDATE; in a request with
a sender that calls out (SMS, push), by one ``deliver_notification`` task for all of them (no outbox row:
the messages are their own record and the flow's sweep re-queues one left unsent). A rollback takes its
messages out of the batch; a broker that refuses leaves them to the sweep, with no error."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import tasks
from notices import services
from notices import tasks as notices_tasks
from notices.models import Notification
from notices.services import notify
from outbox.models import OutboxMessage
from outbox.services import resume_fast_path

PARAMS = {"f": "海盐嘉禾", "t": "布袋缝边", "n": 120}


def _tell(user, key):
    return notify(recipient=user, kind="job_issued", params=PARAMS, link="/x/", dedupe_key=key)


def _sent(callbacks) -> list[tuple[str, tuple]]:
    """The tasks a request's batches send (a batch delivered in this process sends none)."""
    return [(c.name, c.args) for c in callbacks if isinstance(c, services._Batch) and c.send is not None]


SMS_SENT: list[int] = []


def sms_sender(notification) -> None:
    """A sender that calls out (as an SMS gateway would): not ``in_request``, so a worker sends for it."""
    SMS_SENT.append(notification.pk)


@pytest.fixture
def calling_out(settings):
    settings.NUANXIN_NOTIFICATION_SENDERS = ["notices.senders.console_sender", f"{__name__}.sms_sender"]
    SMS_SENT.clear()
    yield


def test_with_senders_in_this_process_a_request_delivers_its_messages_itself(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        notes = [_tell(u, f"here-{i}") for i, u in enumerate((cast.head, cast.clerk, cast.alice.user))]
    [batch] = [c for c in callbacks if isinstance(c, services._Batch)]

    assert batch.here and batch.send is None and _sent(callbacks) == []
    with CaptureQueriesContext(connection) as ctx:
        batch()  # after commit, in the request: one claim, no task

    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["UPDATE"]
    assert all(n.sent_at for n in Notification.objects.filter(pk__in=[n.pk for n in notes]))
    assert not OutboxMessage.objects.exists()


def test_a_requests_messages_go_out_in_one_task_after_commit(
    cast, calling_out, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        notes = [_tell(u, f"req-{i}") for i, u in enumerate((cast.head, cast.clerk, cast.alice.user))]

    assert _sent(callbacks) == [("notices.tasks.deliver_notification", tuple(n.pk for n in notes))]
    assert not OutboxMessage.objects.exists()


def test_two_transactions_are_two_batches(cast, calling_out, django_capture_on_commit_callbacks):
    """Under the test's own transaction the two blocks share one commit; each still has its batch."""
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            first = _tell(cast.head, "two-1")
        with transaction.atomic():
            second = _tell(cast.clerk, "two-2")

    assert _sent(callbacks) == [
        ("notices.tasks.deliver_notification", (first.pk,)),
        ("notices.tasks.deliver_notification", (second.pk,)),
    ]


def test_a_message_of_a_savepoint_rolled_back_is_not_delivered(
    cast, calling_out, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        kept = _tell(cast.head, "kept")
        try:
            with transaction.atomic():
                _tell(cast.clerk, "undone")
                raise RuntimeError("the inner change fails")
        except RuntimeError:
            pass

    [(name, ids)] = _sent(callbacks)
    assert not Notification.objects.filter(dedupe_key="undone").exists()
    # Its id may still ride in the batch; the claim finds no row for it, and the kept one is delivered.
    assert kept.pk in ids
    assert current_app.tasks[name].run(*ids) is False  # not every id was delivered: one is gone
    assert Notification.objects.get(pk=kept.pk).sent_at is not None


def test_a_workers_messages_are_claimed_in_one_update(
    cast, calling_out, monkeypatch, django_capture_on_commit_callbacks
):
    """On a worker even a sender that calls out sends at once: the task is already there."""
    monkeypatch.setattr(services, "current_task", object())  # as inside a Celery task
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        notes = [_tell(cast.alice.user, f"work-{i}") for i in range(5)]
    [batch] = [c for c in callbacks if isinstance(c, services._Batch)]

    with CaptureQueriesContext(connection) as ctx:
        batch()

    on_messages = [q["sql"].split()[0] for q in ctx.captured_queries if "dispatch_notification" in q["sql"]]
    assert on_messages == ["UPDATE"]
    assert all(
        n.sent_at and n.attempts == 1 for n in Notification.objects.filter(pk__in=[n.pk for n in notes])
    )
    assert SMS_SENT == [n.pk for n in notes]


def test_a_broker_that_refuses_leaves_the_messages_to_the_sweep(
    cast, calling_out, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    resume_fast_path()
    before = current_app.conf.broker_url
    current_app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            note = _tell(cast.head, "down")
    finally:
        current_app.conf.broker_url = before
        resume_fast_path()

    assert "could not send notices.tasks.deliver_notification; the sweep will" in caplog.text
    assert Notification.objects.get(pk=note.pk).sent_at is None
    Notification.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    queued = []
    monkeypatch.setattr(notices_tasks.deliver_notification, "delay", queued.append)
    assert tasks.sweep_stalled_flow.run()["notifications"] == 1 and queued == [note.pk]


@pytest.mark.parametrize("made", [0, 1])
def test_the_delivery_task_reports_whether_all_went_out(cast, made):
    notes = [_tell(cast.head, f"t-{i}") for i in range(2)]
    Notification.objects.filter(pk=notes[made].pk).update(sent_at=timezone.now(), attempts=1)
    assert current_app.tasks["notices.tasks.deliver_notification"].run(*(n.pk for n in notes)) is False
    assert all(Notification.objects.filter(pk=n.pk).exclude(sent_at=None).exists() for n in notes)


def test_several_messages_are_one_insert_and_a_key_already_used_gives_its_message(
    cast, calling_out, django_capture_on_commit_callbacks
):
    with transaction.atomic():  # an earlier transaction's message
        old = _tell(cast.head, "many-1")
    wanted = [
        {"recipient": cast.clerk, "kind": "job_issued", "params": PARAMS, "dedupe_key": "many-0"},
        {"recipient": cast.alice.user, "kind": "job_issued", "params": PARAMS, "dedupe_key": "many-1"},
        {"recipient": cast.bob.user, "kind": "job_issued", "params": PARAMS, "dedupe_key": "many-2"},
    ]
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as ctx:
        with transaction.atomic():
            notes = services.notify_many(wanted)

    writes = [q["sql"].split()[0] for q in ctx.captured_queries if "dispatch_notification" in q["sql"]]
    assert writes == ["INSERT", "SELECT"]  # the three in one statement; the taken key's message read
    assert [n.dedupe_key for n in notes] == ["many-0", "many-1", "many-2"]
    assert notes[1].pk == old.pk and notes[1].recipient_id == cast.head.pk  # kept as it was
    assert [n.recipient_id for n in (notes[0], notes[2])] == [cast.clerk.pk, cast.bob.user.pk]
    assert _sent(callbacks) == [("notices.tasks.deliver_notification", (notes[0].pk, notes[2].pk))]


def test_a_message_that_cannot_be_filled_writes_none_of_them(cast):
    with pytest.raises(KeyError):
        services.notify_many(
            [
                {"recipient": cast.head, "kind": "job_issued", "params": PARAMS, "dedupe_key": "fine"},
                {"recipient": cast.head, "kind": "job_issued", "params": {"f": "x"}, "dedupe_key": "bad"},
            ]
        )
    assert not Notification.objects.exists()
