"""A worker's typo on her phone: she undoes her last report within the window, and a report far above her
usual (or one that finishes her share) asks her to confirm first, with the same key through both screens."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.messages import get_messages

from dispatch.models import Assignment, AssignmentState, WorkReport
from mobile.selectors import LARGE_REPORT_FACTOR, USUAL_MIN_REPORTS, unusually_large
from tests.mobile.conftest import accepted_job, in_hand, report


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _post_report(client, a, pieces: int, key: str | None = None, **extra):
    return client.post(f"/m/a/{a.pk}/report/", {"pieces": pieces, "key": key or uuid.uuid4().hex, **extra})


def _last(a) -> WorkReport:
    return WorkReport.objects.filter(assignment=a, reverses__isnull=True).latest("id")


# --- undo --------------------------------------------------------------------------------------------


def test_the_worker_undoes_a_typo_and_sees_it_struck_through(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 100)
    client.force_login(cast.alice.user)
    assert _post_report(client, a, 60).status_code == 302  # she meant 6

    page = client.get(f"/m/a/{a.pk}/").content.decode()
    assert "撤销刚才报的 60 件" in page and "还有 10 分钟" in page
    typo = _last(a)

    undone = client.post(f"/m/a/{a.pk}/undo/{typo.pk}/")

    assert undone.status_code == 302 and undone["Location"] == f"/m/a/{a.pk}/"
    assert any("刚才报的 60 件已经撤销" in m for m in messages_of(undone))
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 0
    page = client.get(f"/m/a/{a.pk}/").content.decode()
    assert "撤销刚才报的" not in page
    assert "<del>" in page and "已撤销" in page
    # A second tap on the same button shows it done, not an error, and undoes nothing more.
    again = client.post(f"/m/a/{a.pk}/undo/{typo.pk}/")
    assert again.status_code == 302
    assert any("已经撤销了" in m for m in messages_of(again))
    assert WorkReport.objects.filter(assignment=a).count() == 2


def test_a_mistaken_all_done_from_today_lands_where_she_can_undo_it(client, cast, issue_job):
    """A trial: "全部做完了" on Today finished the share, which left Today at once; its undo was only on the
    share's page, which only the browser's back button led to. Now a report that finishes the share
    lands on that page, with the undo; a report that does not goes back where she came from."""
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 100)
    client.force_login(cast.alice.user)
    part = _post_report(client, a, 5, next="/m/")
    assert part.status_code == 302 and part["Location"] == "/m/"
    assert f'href="/m/a/{a.pk}/"' in client.get("/m/").content.decode()  # in hand on Today
    done = client.post(
        f"/m/a/{a.pk}/finish/", {"pieces": 95, "key": uuid.uuid4().hex, "confirmed": "1", "next": "/m/"}
    )
    assert done.status_code == 302 and done["Location"] == f"/m/a/{a.pk}/"
    assert any("全部做完了" in m for m in messages_of(done))
    page = client.get(done["Location"]).content.decode()
    assert "撤销刚才报的 95 件" in page
    assert f'href="/m/a/{a.pk}/"' not in client.get("/m/").content.decode()  # gone from Today


def test_after_the_window_the_button_is_gone_and_an_undo_is_refused(client, cast, issue_job, settings):
    settings.NUANXIN_REPORT_UNDO_MINUTES = 10
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 100)
    report(a, 60)
    typo = _last(a)
    WorkReport.objects.filter(pk=typo.pk).update(at=typo.at - dt.timedelta(minutes=11))
    client.force_login(cast.alice.user)

    assert "撤销刚才报的" not in client.get(f"/m/a/{a.pk}/").content.decode()
    refused = client.post(f"/m/a/{a.pk}/undo/{typo.pk}/")

    assert refused.status_code == 302
    assert any("超过 10 分钟" in m and "坊长" in m for m in messages_of(refused))
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 60
    assert not WorkReport.objects.filter(reverses=typo).exists()


def test_the_minutes_left_count_down(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 100)
    report(a, 5)
    typo = _last(a)
    WorkReport.objects.filter(pk=typo.pk).update(at=typo.at - dt.timedelta(minutes=7, seconds=30))
    client.force_login(cast.alice.user)
    assert "还有 3 分钟" in client.get(f"/m/a/{a.pk}/").content.decode()


def test_a_report_made_by_the_head_is_not_hers_to_undo(client, cast, issue_job):
    from dispatch import services

    a = in_hand(accepted_job(cast, issue_job), cast.alice, 100)
    services.work_report(actor=cast.head, assignment=a, pieces=8, key=uuid.uuid4().hex)
    client.force_login(cast.alice.user)
    assert "撤销刚才报的" not in client.get(f"/m/a/{a.pk}/").content.decode()
    refused = client.post(f"/m/a/{a.pk}/undo/{_last(a).pk}/")
    assert any("只能撤销自己报的工" in m for m in messages_of(refused))
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 8


def test_another_workers_share_or_report_is_a_404_and_nothing_is_undone(client, cast, issue_job):
    job = accepted_job(cast, issue_job)
    mine = in_hand(job, cast.alice, 100)
    bobs = in_hand(job, cast.bob, 100)
    report(mine, 10)
    report(bobs, 20)
    client.force_login(cast.alice.user)

    assert client.post(f"/m/a/{bobs.pk}/undo/{_last(bobs).pk}/").status_code == 404
    assert client.post(f"/m/a/{mine.pk}/undo/{_last(bobs).pk}/").status_code == 404
    assert client.post(f"/m/a/{mine.pk}/undo/{2**70}/").status_code == 404
    assert client.get(f"/m/a/{mine.pk}/undo/{_last(mine).pk}/").status_code == 405

    assert WorkReport.objects.filter(reverses__isnull=False).count() == 0
    assert Assignment.objects.get(pk=bobs.pk).pieces_reported == 20


# --- confirm first ---------------------------------------------------------------------------------------


def test_the_usual_size_rule():
    assert (LARGE_REPORT_FACTOR, USUAL_MIN_REPORTS) == (2, 3)
    assert unusually_large(31, [10, 15, 20]) == 15
    assert unusually_large(30, [10, 15, 20]) is None  # twice her usual is still usual
    assert unusually_large(500, [10, 15]) is None  # two reports make no usual yet
    assert unusually_large(41, [10, 20, 30, 40]) is None  # median 25: 41 is not above 50
    assert unusually_large(51, [10, 20, 30, 40]) == 25


def test_a_report_far_above_her_usual_asks_her_to_confirm_with_the_same_key(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job, quantity=300), cast.alice, 300)
    for n in (10, 15, 20):
        report(a, n)
    client.force_login(cast.alice.user)
    key = uuid.uuid4().hex

    asked = _post_report(client, a, 150, key)

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "您报的是" in page and "150" in page and "平时一次约 15 件" in page and "确定吗" in page
    assert f'value="{key}"' in page and 'name="confirmed" value="1"' in page
    assert f'href="/m/a/{a.pk}/"' in page and "改一下" in page
    assert WorkReport.objects.filter(key=key).count() == 0
    # 确定, tapped twice: one report of 150.
    for _ in range(2):
        done = _post_report(client, a, 150, key, confirmed="1")
        assert done.status_code == 302
    assert WorkReport.objects.filter(key=key).count() == 1
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 195
    # The same form posted again without the confirm flag is a retry of a report made: no second screen.
    retry = _post_report(client, a, 150, key)
    assert retry.status_code == 302 and any("没有重复计数" in m for m in messages_of(retry))


def test_a_normal_report_is_made_at_once(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job, quantity=300), cast.alice, 300)
    for n in (10, 15, 20):
        report(a, n)
    client.force_login(cast.alice.user)
    assert _post_report(client, a, 30).status_code == 302
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 75


def test_undone_reports_do_not_make_her_usual(client, cast, issue_job):
    from dispatch import services

    a = in_hand(accepted_job(cast, issue_job, quantity=300), cast.alice, 300)
    for n in (10, 15, 20):
        report(a, n)
    typo = services.work_report(actor=cast.alice.user, assignment=a, pieces=200, key=uuid.uuid4().hex)[0]
    services.report_undo(actor=cast.alice.user, report=typo)
    client.force_login(cast.alice.user)
    # Her usual is still 15 (the 200 was undone): 40 asks.
    assert _post_report(client, a, 40).status_code == 200


def test_finishing_the_share_asks_first_even_at_her_usual_size(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 30)
    report(a, 10)
    client.force_login(cast.alice.user)
    key = client.get(f"/m/a/{a.pk}/").context["a"].finish_key

    asked = client.post(f"/m/a/{a.pk}/finish/", {"pieces": 20, "key": key})

    page = asked.content.decode()
    assert asked.status_code == 200 and "全部做完了" in page and "确定吗" in page
    assert "平时一次约" not in page  # one report makes no usual
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.ACCEPTED
    client.post(f"/m/a/{a.pk}/finish/", {"pieces": 20, "key": key, "confirmed": "1"})
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.DONE


@pytest.mark.parametrize("pieces", [31, "abc"])
def test_a_report_the_service_refuses_skips_the_confirm_step(client, cast, issue_job, pieces):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 30)
    client.force_login(cast.alice.user)
    response = _post_report(client, a, pieces)
    assert response.status_code == 302
    assert WorkReport.objects.count() == 0


@pytest.mark.parametrize("key", ["k" * 65, ""])
def test_a_page_whose_key_was_cut_or_stretched_says_what_to_do(client, cast, issue_job, key):
    """Found in a trial: "key may have at most 64 characters (it has 65)" on her phone."""
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 60)
    client.force_login(cast.alice.user)

    said = messages_of(client.post(f"/m/a/{a.pk}/report/", {"pieces": 5, "key": key}, follow=True))

    assert said == ["这一页出了问题,请返回刷新后再提交。"], said
    assert not WorkReport.objects.filter(assignment=a).exists()


def test_the_same_form_sent_again_with_another_count_keeps_the_first_and_says_so(client, cast, issue_job):
    """A trial: she reported 5, went back, typed 6 and sent the same form (same key): the page said nothing
    and 5 stood. Now she is told the first count stands and how to change it; a true retry (same count)
    still counts once without a word of error."""
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 100)
    client.force_login(cast.alice.user)
    assert _post_report(client, a, 5, key="same-form").status_code == 302

    again = _post_report(client, a, 6, key="same-form")

    assert any("这一次已经报过 5 件了,没有改动" in m for m in messages_of(again))
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 5
    assert WorkReport.objects.filter(assignment=a).count() == 1
    retry = _post_report(client, a, 5, key="same-form")
    assert any("已经记上了,没有重复计数" in m for m in messages_of(retry))
    client.cookies["django_language"] = "en"
    english = _post_report(client, a, 7, key="same-form")
    assert any("already sent as 5 pieces; nothing changed" in m for m in messages_of(english))
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 5
