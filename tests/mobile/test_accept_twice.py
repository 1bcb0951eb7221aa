"""Taking an offer twice (接了又点一次): a second tap, or a post replayed from a page left open, says she
has it already, as good news, and writes nothing again. Found in a trial: the second tap said "这份活现在
是“进行中”", which read as an error; and one replayed after she had finished took the share back to work."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.contrib.messages.constants import SUCCESS

from dispatch.models import Assignment, AssignmentState, FlowEvent
from tests.mobile.conftest import accepted_job, offer, report


def said(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def flow_of(a) -> list[tuple[int, str, str]]:
    """Every state change recorded on the share's job (the share's and the job's own)."""
    rows = FlowEvent.objects.filter(job_id=a.job_id).order_by("id")
    return list(rows.values_list("object_id", "from_state", "to_state"))


def test_a_second_accept_says_she_has_it_and_writes_nothing(client, cast, issue_job):
    a = offer(accepted_job(cast, issue_job, title="礼盒折叠"), cast.alice, 120)
    client.force_login(cast.alice.user)
    client.post(f"/m/a/{a.pk}/accept/", {"pieces": a.pieces}, follow=True)  # read on her page
    taken = Assignment.objects.values("state", "responded_at").get(pk=a.pk)
    events = flow_of(a)

    again = client.post(f"/m/a/{a.pk}/accept/", {"pieces": a.pieces})

    assert again["Location"] == f"/m/a/{a.pk}/"
    assert said(again) == [(SUCCESS, "这份活您已经接了,不用再接。")]
    assert Assignment.objects.values("state", "responded_at").get(pk=a.pk) == taken
    assert flow_of(a) == events


def test_an_accept_replayed_after_she_finished_leaves_the_share_finished(client, cast, issue_job):
    a = offer(accepted_job(cast, issue_job, quantity=100), cast.alice, 100)
    client.force_login(cast.alice.user)
    client.post(f"/m/a/{a.pk}/accept/", {"pieces": a.pieces}, follow=True)  # read on her page
    a.refresh_from_db()
    report(a, 100)
    events = flow_of(a)

    again = client.post(f"/m/a/{a.pk}/accept/")

    assert said(again) == [(SUCCESS, "这份活您已经接了,不用再接。")]
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.DONE
    assert flow_of(a) == events


def test_an_offer_she_turned_down_is_still_refused_in_words(client, cast, issue_job):
    a = offer(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    client.post(f"/m/a/{a.pk}/decline/", {"confirmed": "1"}, follow=True)

    again = client.post(f"/m/a/{a.pk}/accept/")

    assert [text for _level, text in said(again)] == ["这份活现在是“已婉拒”,请看下面的最新情况。"]
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.DECLINED
