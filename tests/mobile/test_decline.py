"""Turning an offer down on the phone (这次不接): one question first, in big words and buttons and without
needing a script, then the decline; the head is told in her inbox, in her own language, after commit."""

from __future__ import annotations

from django.contrib.messages import get_messages

from dispatch import services
from dispatch.models import Assignment, AssignmentState, Job
from notices import delivery
from notices.models import Notification, NotificationKind
from tests.english import english_words
from tests.mobile.conftest import accepted_job, in_hand, offer
from tests.notices import test_language
from workshop.languages import language_set

# A sender that records what a phone would receive: the words in the recipient's language.
sent = test_language.sent


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def told_the_head(cast) -> list[Notification]:
    return list(Notification.objects.filter(recipient=cast.head, kind=NotificationKind.OFFER_DECLINED))


def test_this_time_not_asks_once_before_declining(client, cast, issue_job):
    a = offer(accepted_job(cast, issue_job, title="礼盒折叠"), cast.alice, 120)
    client.force_login(cast.alice.user)
    today = client.get("/m/").content.decode()
    # "这次不接" on the offer is a link to the question, not a form that declines.
    assert f'href="/m/a/{a.pk}/decline/?next=/m/"' in today

    question = client.get(f"/m/a/{a.pk}/decline/?next=/m/")

    page = question.content.decode()
    assert question.status_code == 200
    assert "确定这次不接吗" in page and "礼盒折叠" in page and ">120<" in page
    assert "坊长会收到消息" in page
    assert 'name="confirmed" value="1"' in page and 'data-action="keep"' in page
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.OFFERED
    assert not told_the_head(cast)


def test_a_decline_posted_without_the_answer_only_asks(client, cast, issue_job):
    """An old page's form (or a script) posting without the answer gets the question, not a decline."""
    a = offer(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    response = client.post(f"/m/a/{a.pk}/decline/", {"next": "/m/"})
    assert response.status_code == 200 and "确定这次不接吗" in response.content.decode()
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.OFFERED
    assert not told_the_head(cast)


def test_confirming_declines_and_the_head_gets_a_message(client, cast, issue_job):
    job = accepted_job(cast, issue_job, title="礼盒折叠")
    a = offer(job, cast.alice, 120)
    client.force_login(cast.alice.user)

    response = client.post(f"/m/a/{a.pk}/decline/", {"confirmed": "1"})

    assert response["Location"] == "/m/"
    assert any("已告诉坊长" in m for m in messages_of(response))
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.DECLINED
    assert Job.objects.get(pk=job.pk).pieces_assigned == 0
    [note] = told_the_head(cast)
    assert note.params == {"w": "alice", "t": "礼盒折叠", "n": 120, "why": ""}
    assert note.link == f"/dashboard/jobs/{job.pk}/"
    assert note.text_in("zh-hans") == "alice 这次不接 礼盒折叠 的 120 件,这些件会再派给别人。"
    client.force_login(cast.head)
    assert "alice 这次不接 礼盒折叠 的 120 件" in client.get("/dashboard/inbox/").content.decode()


def test_a_second_tap_on_the_answer_declines_once_and_tells_the_head_once(client, cast, issue_job):
    a = offer(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    client.post(f"/m/a/{a.pk}/decline/", {"confirmed": "1"})
    again = client.post(f"/m/a/{a.pk}/decline/", {"confirmed": "1"})
    assert again["Location"] == f"/m/a/{a.pk}/"
    assert len(told_the_head(cast)) == 1


def test_a_share_already_taken_is_not_asked_about(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    response = client.get(f"/m/a/{a.pk}/decline/")
    assert response["Location"] == f"/m/a/{a.pk}/"
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.ACCEPTED


def test_another_workers_offer_is_a_404_and_nothing_changes(client, cast, issue_job):
    a = offer(accepted_job(cast, issue_job), cast.bob)
    client.force_login(cast.alice.user)
    assert client.get(f"/m/a/{a.pk}/decline/").status_code == 404
    assert client.post(f"/m/a/{a.pk}/decline/", {"confirmed": "1"}).status_code == 404
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.OFFERED
    assert not told_the_head(cast)


DECLINED_EN = {
    "%(w)s 这次不接 %(t)s 的 %(n)d 件,这些件会再派给别人。%(why)s": (
        "%(w)s turned down %(n)d pieces of %(t)s this time; they will be offered to others. %(why)s"
    )
}


def test_the_heads_message_goes_out_after_commit_in_her_own_language(
    request, cast, issue_job, sent, django_capture_on_commit_callbacks
):
    english_words(request, DECLINED_EN)
    assert language_set(user=cast.head, language="en")
    a = offer(accepted_job(cast, issue_job, title="礼盒折叠"), cast.alice, 120)
    with django_capture_on_commit_callbacks() as callbacks:
        services.assignment_decline(actor=cast.alice.user, assignment=a, reason="这几天要去医院")
        [note] = told_the_head(cast)
        assert note.sent_at is None  # nothing leaves before the worker's decline is committed
    # Its delivery waits for the commit: the outbox's after-commit send of deliver_notification(note).
    assert any(
        (getattr(c, "name", None), getattr(c, "args", None))
        == ("notices.tasks.deliver_notification", (note.pk,))
        for c in callbacks
    )

    delivery.notification_deliver(notification=note)

    said = (
        "alice turned down 120 pieces of 礼盒折叠 this time; they will be offered to others. 这几天要去医院"
    )
    assert sent == [(cast.head.pk, NotificationKind.OFFER_DECLINED, said)]
    assert note.text_in("zh-hans").startswith("alice 这次不接 礼盒折叠 的 120 件")  # alice's own language
