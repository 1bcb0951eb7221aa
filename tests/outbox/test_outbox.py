"""The outbox: messages written in the caller's transaction, sent after commit or by the relay, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction

from outbox import services
from outbox.models import OutboxMessage
from tests.outbox.conftest import queued_ids

TASK = "notices.tasks.deliver_notification"
NOW = dt.timedelta(0)


@pytest.fixture
def broker(redis_server):
    redis_server.flushdb()
    yield redis_server
    redis_server.flushdb()


def test_a_message_is_written_in_the_callers_transaction_and_rolled_back_with_it(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            message = services.outbox_enqueue(TASK, args=(7,))
            assert OutboxMessage.objects.filter(pk=message.pk).exists()  # visible inside the transaction
            raise RuntimeError("the change failed")

    assert not OutboxMessage.objects.exists()
    assert callbacks == []  # nothing is published for a change that never happened


def test_a_committed_message_keeps_its_task_and_ids(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.outbox_enqueue(TASK, args=(7,), kwargs={"x": 1}, queue="exports")

    row = OutboxMessage.objects.get()
    assert (row.task_name, row.args, row.kwargs, row.queue, row.sent_at) == (
        TASK,
        [7],
        {"x": 1},
        "exports",
        None,
    )
    assert [(c.task.name, c.args) for c in callbacks] == [(TASK, (7,))]


def test_the_fast_path_sends_at_once_and_marks_the_row_sent(db, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.outbox_enqueue(TASK, args=(7,))

    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1
    assert queued_ids(broker) == [f"outbox-{message.pk}"]
    assert services.relay(grace=NOW) == {"sent": 0, "failed": 0}  # already sent: not sent again
    assert broker.llen("celery") == 1


def test_the_relay_sends_each_unsent_row_once_oldest_first(db, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():  # the fast path never runs: the rows wait for the relay
        pks = [services.outbox_enqueue(TASK, args=(n,)).pk for n in range(3)]

    assert services.relay(grace=NOW) == {"sent": 3, "failed": 0}
    assert services.relay(grace=NOW) == {"sent": 0, "failed": 0}
    call_command("relay", "--once", "--grace", "0")

    assert queued_ids(broker) == [f"outbox-{pk}" for pk in pks]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_the_relay_leaves_a_young_row_to_its_fast_path(db, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.outbox_enqueue(TASK, args=(1,))

    assert services.relay() == {"sent": 0, "failed": 0}
    assert broker.llen("celery") == 0


def test_an_export_goes_to_the_exports_queue(db, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.outbox_enqueue("dashboard.tasks.run_export", args=(1,))

    assert queued_ids(broker, "exports") == [f"outbox-{message.pk}"]


def test_after_a_broker_failure_the_fast_path_waits_and_the_relay_sends(
    db, broker, broker_at, django_capture_on_commit_callbacks, caplog
):
    real = broker.connection_pool.connection_kwargs
    broker_at("redis://127.0.0.1:9/0")  # nothing listens there: refused
    with django_capture_on_commit_callbacks(execute=True):
        first = services.outbox_enqueue(TASK, args=(1,))
    broker_at(f"redis://{real['host']}:{real['port']}/{real['db']}")
    with django_capture_on_commit_callbacks(execute=True):
        second = services.outbox_enqueue(TASK, args=(2,))

    first.refresh_from_db()
    assert first.sent_at is None and first.attempts == 1 and first.last_error
    assert services.fast_path_paused() and broker.llen("celery") == 0  # the second waited for the relay
    assert "the relay will" in caplog.text

    assert services.relay(grace=NOW) == {"sent": 2, "failed": 0}
    assert queued_ids(broker) == [f"outbox-{first.pk}", f"outbox-{second.pk}"]


def test_sent_rows_are_purged_after_a_week_and_unsent_ones_never(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        old_sent, new_sent, old_unsent = (services.outbox_enqueue(TASK, args=(n,)) for n in range(3))
    now = services.timezone.now()
    OutboxMessage.objects.filter(pk=old_sent.pk).update(sent_at=now - dt.timedelta(days=8))
    OutboxMessage.objects.filter(pk=new_sent.pk).update(sent_at=now - dt.timedelta(days=6))
    OutboxMessage.objects.filter(pk=old_unsent.pk).update(created_at=now - dt.timedelta(days=30))

    from outbox.tasks import purge_sent

    assert purge_sent() == 1
    assert purge_sent() == 0
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {new_sent.pk, old_unsent.pk}
