"""What a message costs the database: one INSERT to make it (``insert_once``), one UPDATE to deliver it
when every sender works; and that the cheaper path keeps what get_or_create and the two-step delivery did:
one message per key, delivery only of a new one, a failed sender retried alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notices import delivery
from notices.models import Notification
from notices.services import notify
from outbox.models import OutboxMessage

HERE = __name__
INBOX, SMS = f"{HERE}.inbox", f"{HERE}.sms"
GOT: list[tuple[str, int]] = []
DOWN: set[str] = set()


def inbox(note) -> None:
    GOT.append(("inbox", note.pk))


def sms(note) -> None:
    if "sms" in DOWN:
        raise ConnectionError("SMS gateway down")
    GOT.append(("sms", note.pk))


@pytest.fixture
def channels(settings):
    settings.NUANXIN_NOTIFICATION_SENDERS = [INBOX, SMS]
    GOT.clear()
    DOWN.clear()
    yield GOT
    GOT.clear()
    DOWN.clear()


PARAMS = {"f": "海盐嘉禾", "t": "布袋缝边", "n": 120}


def _notify(cast, key="k-1", **kw):
    return notify(recipient=cast.head, kind="job_issued", params=PARAMS, link="/x/", dedupe_key=key, **kw)


def _on_messages(captured) -> list[str]:
    return [q["sql"].split(None, 1)[0].upper() for q in captured if "dispatch_notification" in q["sql"]]


def test_a_new_message_is_one_insert_filled_as_save_would(cast, django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as ctx:
        note = _notify(cast)

    assert _on_messages(ctx.captured_queries) == ["INSERT"]
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.recipient_id, stored.kind, stored.params, stored.link, stored.dedupe_key) == (
        cast.head.pk,
        "job_issued",
        PARAMS,
        "/x/",
        "k-1",
    )
    assert (stored.text, stored.sent_at, stored.sent_via, stored.attempts, stored.read_at) == (
        "",
        None,
        [],
        0,
        None,
    )
    assert before <= stored.created_at <= timezone.now() and stored.created_at == note.created_at
    assert note.pk and not note._state.adding
    # No outbox row: the message is its own record (the sweep re-queues one left unsent); after commit
    # one deliver_notification is sent for it.
    assert [q for q in ctx.captured_queries if "outbox" in q["sql"]] == []
    assert not OutboxMessage.objects.exists()
    assert [(c.name, c.args) for c in callbacks] == [("notices.tasks.deliver_notification", (note.pk,))]


def test_a_key_already_used_returns_its_message_and_queues_nothing(cast, django_capture_on_commit_callbacks):
    first = _notify(cast)
    with django_capture_on_commit_callbacks() as callbacks:
        again = notify(
            recipient=cast.clerk, kind="job_accepted", params={"w": "暖心坊", "t": "x"}, dedupe_key="k-1"
        )

    assert again.pk == first.pk and (again.recipient_id, again.kind) == (cast.head.pk, "job_issued")
    assert Notification.objects.count() == 1
    assert callbacks == []


def test_a_long_key_is_cut_to_its_column_and_still_dedupes(cast):
    key = "k" * 150
    assert _notify(cast, key=key).pk == _notify(cast, key=key).pk
    assert Notification.objects.get().dedupe_key == "k" * 100


def test_params_that_do_not_fill_the_template_write_nothing(cast):
    with CaptureQueriesContext(connection) as ctx, pytest.raises(KeyError):
        notify(recipient=cast.head, kind="job_issued", params={"f": "x"}, dedupe_key="bad")
    assert ctx.captured_queries == [] and not Notification.objects.exists()


def test_a_fresh_message_is_delivered_in_one_update(cast, channels):
    note = _notify(cast)
    with CaptureQueriesContext(connection) as ctx:
        assert delivery.deliver(note.pk) is True

    assert _on_messages(ctx.captured_queries) == ["UPDATE"]
    assert channels == [("inbox", note.pk), ("sms", note.pk)]
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.sent_via, stored.attempts) == ([INBOX, SMS], 1) and stored.sent_at is not None
    assert delivery.deliver(note.pk) is False and len(channels) == 2  # once


def test_a_fresh_message_whose_sender_fails_is_written_back_for_the_retry_of_that_sender_alone(
    cast, channels
):
    note = _notify(cast)
    DOWN.add("sms")
    with CaptureQueriesContext(connection) as ctx:
        assert delivery.deliver(note.pk) is False

    assert _on_messages(ctx.captured_queries) == ["UPDATE", "UPDATE"]
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.sent_via, stored.attempts, stored.sent_at) == ([INBOX], 1, None)
    assert delivery.stalled(timezone.now()) == [note.pk]  # the sweep will retry it
    DOWN.clear()
    assert delivery.notification_deliver(notification=note.pk) is True
    assert channels == [("inbox", note.pk), ("sms", note.pk)]  # the inbox did not get it twice
    stored.refresh_from_db()
    assert (stored.sent_via, stored.attempts) == ([INBOX, SMS], 2) and stored.sent_at is not None


def test_a_fresh_message_tried_meanwhile_is_sent_only_through_the_senders_that_failed(cast, channels):
    """The sweep got to it first and the inbox delivered it: the process that made it must not take its own
    copy for untried, nor send it to the inbox again."""
    note = _notify(cast)
    Notification.objects.filter(pk=note.pk).update(attempts=1, sent_via=[INBOX])

    assert delivery.deliver(note.pk) is True

    assert channels == [("sms", note.pk)]
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.sent_via, stored.attempts) == ([INBOX, SMS], 2) and stored.sent_at is not None


def test_a_fresh_message_claimed_meanwhile_is_not_sent_again(cast, channels):
    note = _notify(cast)
    Notification.objects.filter(pk=note.pk).update(sent_at=timezone.now(), attempts=1, sent_via=[INBOX, SMS])

    assert delivery.deliver(note.pk) is False
    assert channels == []


def test_a_message_delivered_by_id_is_claimed_read_and_marked_in_one_statement(cast, channels):
    """The task of a message made in a request: the claim returns the row as claimed, converted as a
    queryset would (JSON, times), and, the message never tried, writes every sender as a fresh one's
    does: nothing follows when every sender works (a second UPDATE did before)."""
    note = _notify(cast, key="by-id")
    with CaptureQueriesContext(connection) as ctx:
        assert delivery.notification_deliver(notification=note.pk) is True

    assert _on_messages(ctx.captured_queries) == ["UPDATE"]
    assert channels == [("inbox", note.pk), ("sms", note.pk)]
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.sent_via, stored.attempts) == ([INBOX, SMS], 1) and stored.sent_at is not None
    assert delivery.notification_deliver(notification=note.pk) is False and len(channels) == 2


def test_the_claimed_row_reads_as_a_queryset_reads_it(cast):
    note = _notify(cast, key="typed")
    Notification.objects.filter(pk=note.pk).update(attempts=1, sent_via=[INBOX])
    now = timezone.now()

    claimed = delivery._claim(note.pk, now, senders=[INBOX, SMS])

    stored = Notification.objects.get(pk=note.pk)
    assert {f.attname: getattr(claimed, f.attname) for f in Notification._meta.concrete_fields} == {
        f.attname: getattr(stored, f.attname) for f in Notification._meta.concrete_fields
    }
    assert (claimed.params, claimed.sent_via, claimed.attempts, claimed.sent_at) == (PARAMS, [INBOX], 2, now)
    assert claimed.created_at.tzinfo is not None and not claimed._state.adding
    assert delivery._claim(note.pk, now, senders=[INBOX, SMS]) is None  # claimed already


def test_a_message_never_tried_is_claimed_with_every_sender_in_one_statement(cast):
    note = _notify(cast, key="untried")
    now = timezone.now()

    claimed = delivery._claim(note.pk, now, senders=[INBOX, SMS])

    stored = Notification.objects.get(pk=note.pk)
    assert (claimed.sent_via, claimed.attempts, claimed.sent_at) == ([INBOX, SMS], 1, now)
    assert (stored.sent_via, stored.attempts, stored.sent_at) == ([INBOX, SMS], 1, now)


def test_a_message_delivered_by_id_whose_sender_fails_is_written_back_for_that_sender_alone(cast, channels):
    note = _notify(cast, key="by-id-fails")
    DOWN.add("sms")
    with CaptureQueriesContext(connection) as ctx:
        assert delivery.notification_deliver(notification=note.pk) is False

    assert _on_messages(ctx.captured_queries) == ["UPDATE", "UPDATE"]
    stored = Notification.objects.get(pk=note.pk)
    assert (stored.sent_via, stored.attempts, stored.sent_at) == ([INBOX], 1, None)
    assert delivery.stalled(timezone.now()) == [note.pk]  # the sweep will retry it
    DOWN.clear()
    assert delivery.notification_deliver(notification=note.pk) is True
    assert channels == [("inbox", note.pk), ("sms", note.pk)]  # the inbox did not get it twice
    stored.refresh_from_db()
    assert (stored.sent_via, stored.attempts) == ([INBOX, SMS], 2) and stored.sent_at is not None
