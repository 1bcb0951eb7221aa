"""A job offered to her again (再派: pieces someone else turned down or let expire, planned to her) is one
job on Today with both her shares, each with its pieces and what she does with it, not two unrelated
cards."""

from __future__ import annotations

import re

from tests.mobile.conftest import accepted_job, in_hand, offer, report


def cards_of(page: str, job) -> list[str]:
    return re.findall(rf'<article class="card[^"]*"[^>]*data-job="{job.pk}"', page)


def test_a_job_offered_again_is_one_card_with_both_shares(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=300, rate="0.0300", title="开关面板装配")
    first = in_hand(job, cast.alice, 100)
    report(first, 70)
    again = offer(job, cast.alice, 50)  # bob turned 50 down; the planner offered them to her
    client.force_login(cast.alice.user)

    response = client.get("/m/")
    page = response.content.decode()

    assert len(cards_of(page, job)) == 1
    card = page[page.index(f'data-job="{job.pk}"') :].split("</article>")[0]
    assert 'data-shares="2"' in card and "这张单派给您 2 份,共 150 件" in card
    assert '第 1 份:<span class="key">100</span> 件' in card and "已接下,还差 30 件(已做 70 件)" in card
    assert '第 2 份:<span class="key">50</span> 件' in card and "全部合格共 <strong" in card
    assert f'action="/m/a/{again.pk}/accept/"' in card and f'href="/m/a/{first.pk}/"' in card
    # It waits for her answer, so it is with the offers, and not again with the work in hand.
    d = response.context["d"]
    assert [c.job.pk for c in d.offer_cards] == [job.pk] and d.work_cards == []


def test_two_shares_in_hand_are_one_job_in_hand(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=300, title="礼盒折叠")
    in_hand(job, cast.alice, 100)
    in_hand(job, cast.alice, 40)
    other = accepted_job(cast, issue_job, quantity=10, title="布袋缝边")
    in_hand(other, cast.alice, 10)
    client.force_login(cast.alice.user)
    response = client.get("/m/")
    page = response.content.decode()
    assert len(cards_of(page, job)) == 1 and len(cards_of(page, other)) == 1
    assert "手头的活 (2)" in page and "第 2 份去报工" in page
    d = response.context["d"]
    assert [len(c.shares) for c in d.work_cards] == [2, 1]
