"""The worker's wage slip on her phone (/m/slip/): the month's figures as she reads them, the list of
months, "我看过了,没问题" and a question to the head; the head reads and answers it on the dashboard, and
prints the month's slips of the workshop. Only her own slip; the firm never sees one."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from notices.models import Notification, NotificationKind
from pay import services as pay
from pay.models import LineKind, PayPeriod, SlipNote
from tests.pages import without_tokens
from tests.pay.slips_data import alices_month, last_month


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def ym(day) -> str:
    return f"{day:%Y-%m}"


def this_month():
    return timezone.localdate().replace(day=1)


def test_the_worker_reads_her_slip_without_the_firm(client, cast, issue_job):
    alices_month(cast, issue_job)
    client.force_login(cast.alice.user)

    page = client.get("/m/slip/").content.decode()

    assert 'data-key="slip-total">50.28<' in page
    assert "布袋缝边" in page and "每件 0.1250 元" in page and "4.13 元" in page
    assert "(其中 2 件返工)" in page
    assert f"更正 {ym(last_month())}" in page and "复检发现10件松动" in page
    assert "全勤奖" in page and "弄坏两个面板" in page and "-3.50 元" in page
    assert cast.firm.name not in page  # a worker need not see the firm
    assert "我看过了,没问题" in page and "data-speak" in page
    assert f'href="/m/slip/{ym(last_month())}/"' in page  # the list of months
    last = client.get(f"/m/slip/{ym(last_month())}/").content.decode()
    assert "开关面板装配" in last and "4.55" in last and "已关账" in last


def test_a_bonus_taken_back_reads_as_such_on_her_slip_and_the_heads_pages(client, cast):
    line, _ = pay.adjustment_add(
        worker=cast.alice, kind=LineKind.BONUS, amount="100", reason="质量奖", actor=cast.head, key="k1"
    )
    pay.adjustment_reverse(line=line, actor=cast.head, reason="记错人了", key="k2")

    client.force_login(cast.alice.user)
    slip = client.get("/m/slip/").content.decode()
    client.force_login(cast.head)
    printed = without_tokens(client.get(f"/dashboard/pay/{ym(this_month())}/slips/").content.decode())
    period = client.get(f"/dashboard/pay/periods/{ym(this_month())}/?ws={cast.ws.pk}").content.decode()
    listed = client.get(f"/dashboard/pay/adjustments/?ws={cast.ws.pk}").content.decode()

    assert 'data-slip-taken-back="bonus"' in slip and "撤销奖励" in slip and "记错人了" in slip
    assert "合格件数" not in slip and "data-slip-correction" not in slip
    assert 'data-taken-back="bonus"' in printed and "撤销奖励 · 记错人了" in printed
    assert '<span data-taken-back="bonus">撤销奖励 -100.00</span>' in period
    assert "本月更正" not in period
    assert '<td data-kind="correction">撤销奖励</td>' in listed


def test_the_slip_is_linked_from_home_and_earnings(client, cast):
    client.force_login(cast.alice.user)
    assert 'href="/m/slip/"' in client.get("/m/").content.decode()
    assert f'href="/m/slip/{ym(this_month())}/"' in client.get("/m/earnings/").content.decode()


def test_she_confirms_her_slip_once(client, cast, issue_job):
    alices_month(cast, issue_job)
    client.force_login(cast.alice.user)
    url = f"/m/slip/{ym(this_month())}/"

    first = client.post(url + "seen/")
    second = client.post(url + "seen/")

    assert first["Location"] == second["Location"] == url
    assert any("您确认了" in m for m in messages_of(first))
    assert any("已经确认过" in m for m in messages_of(second))
    assert SlipNote.objects.filter(worker=cast.alice, kind="seen").count() == 1
    page = client.get(url).content.decode()
    assert "data-seen" in page and "我看过了,没问题" not in page


def test_she_asks_the_head_and_reads_the_answer(client, cast, issue_job):
    alices_month(cast, issue_job)
    client.force_login(cast.alice.user)
    url = f"/m/slip/{ym(this_month())}/"
    key = client.get(url).context["form"]["key"].value()

    for _ in range(2):  # a double tap asks once
        asked = client.post(url + "ask/", {"text": "扣的3.5元是什么?", "key": key})
        assert asked.status_code == 302
    assert SlipNote.objects.filter(kind="question").count() == 1
    assert Notification.objects.filter(recipient=cast.head, kind=NotificationKind.SLIP_QUESTION).count() == 1

    client.force_login(cast.head)
    assert "工资条疑问 1" in client.get("/dashboard/").content.decode()
    listing = client.get("/dashboard/pay/questions/").content.decode()
    assert "扣的3.5元是什么?" in listing and "alice" in listing
    q = SlipNote.objects.get(kind="question")
    answered = client.post(f"/dashboard/pay/questions/{q.pk}/answer/", {"text": "弄坏了两个面板。"})
    assert answered.status_code == 302
    assert "工资条疑问 0" in client.get("/dashboard/").content.decode()
    assert Notification.objects.filter(
        recipient=cast.alice.user, kind=NotificationKind.SLIP_ANSWERED
    ).exists()

    client.force_login(cast.alice.user)
    page = client.get(url).content.decode()
    assert "弄坏了两个面板。" in page and "坊长回复" in page


def test_a_question_with_a_direction_override_is_refused_in_words(client, cast, issue_job):
    alices_month(cast, issue_job)
    client.force_login(cast.alice.user)
    url = f"/m/slip/{ym(this_month())}/"
    response = client.post(url + "ask/", {"text": "不对\u202eabc", "key": uuid.uuid4().hex})
    assert response.status_code == 400 and "特殊字符" in response.content.decode()
    response = client.post(url + "ask/", {"text": "问" * 201, "key": uuid.uuid4().hex})
    assert response.status_code == 400 and "最多 200 个字" in response.content.decode()
    assert not SlipNote.objects.exists()


def test_another_month_or_person_is_a_404_and_the_firm_never_sees_a_slip(client, cast, issue_job):
    alices_month(cast, issue_job)
    # Bob has nothing last month: alice's month is not his to open.
    client.force_login(cast.bob.user)
    assert client.get(f"/m/slip/{ym(last_month())}/").status_code == 404
    assert client.get("/m/slip/2999-01/").status_code == 404
    assert client.get("/m/slip/2020-13/").status_code == 404
    assert client.post("/m/slip/2999-01/seen/").status_code == 404
    assert "50.28" not in client.get("/m/slip/").content.decode()
    q, _ = pay.slip_ask(worker=cast.alice, month=this_month(), text="?", actor=cast.alice.user, key="k")
    # Another workshop's head: the question is a 404; the firm: no slips, no questions (403).
    client.force_login(cast.mallory.workshop.head)
    assert client.post(f"/dashboard/pay/questions/{q.pk}/answer/", {"text": "好"}).status_code == 404
    assert "alice" not in client.get(f"/dashboard/pay/{ym(this_month())}/slips/").content.decode()
    client.force_login(cast.clerk)
    assert client.get("/dashboard/pay/questions/").status_code == 403
    assert client.get(f"/dashboard/pay/{ym(this_month())}/slips/").status_code == 403
    assert client.post(f"/dashboard/pay/questions/{q.pk}/answer/", {"text": "好"}).status_code in (403, 404)
    client.force_login(cast.bob.user)
    assert client.post(f"/dashboard/pay/questions/{q.pk}/answer/", {"text": "好"}).status_code in (302, 403)
    assert not SlipNote.objects.filter(kind="answer").exists()


def test_a_month_she_earned_nothing_in_cannot_be_confirmed_or_asked_about(client, cast, issue_job):
    """A trial confirmed 1970-01's slip and asked about a month with no pay: each was written, the head
    was told and counted a question, then the slip page was a 404. Now each post is the page's 404 and
    the services refuse it in words; nothing is written."""
    alices_month(cast, issue_job)  # alice was paid last month; bob was not
    client.force_login(cast.bob.user)
    for month in ("1970-01", ym(last_month())):
        assert client.post(f"/m/slip/{month}/seen/").status_code == 404
        answer = client.post(f"/m/slip/{month}/ask/", {"text": "hi", "key": uuid.uuid4().hex})
        assert answer.status_code == 404
    assert not SlipNote.objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.SLIP_QUESTION).exists()
    with pytest.raises(ValidationError, match="这个月没有工资条"):
        pay.slip_mark_seen(worker=cast.bob, month=last_month(), actor=cast.bob.user)
    with pytest.raises(ValidationError, match="这个月没有工资条"):
        pay.slip_ask(worker=cast.bob, month=last_month(), text="?", actor=cast.bob.user, key="k1")
    # Her paid month and anyone's current month still can be.
    client.force_login(cast.alice.user)
    assert client.post(f"/m/slip/{ym(last_month())}/seen/").status_code == 302
    client.force_login(cast.bob.user)
    assert client.post(f"/m/slip/{ym(this_month())}/seen/").status_code == 302
    assert SlipNote.objects.filter(kind="seen").count() == 2


@pytest.mark.parametrize("n", [2, 20])
def test_the_slip_page_costs_fixed_queries(client, cast, issue_job, django_assert_num_queries, n):
    alices_month(cast, issue_job)
    for i in range(n):
        pay.adjustment_add(
            worker=cast.alice,
            kind=LineKind.BONUS,
            amount="1",
            reason=f"奖{i}",
            actor=cast.head,
            key=uuid.uuid4().hex,
        )
    client.force_login(cast.alice.user)
    # session, user with her worker row; the months (lines, payouts, notes); the slip (lines, nothing-passed
    # results, period, payout, notes); unread
    with django_assert_num_queries(11):
        assert client.get("/m/slip/").status_code == 200


@pytest.mark.parametrize("n", [1, 6])
def test_the_head_prints_the_months_slips_of_the_workshop(
    client, cast, issue_job, django_assert_num_queries, n
):
    alices_month(cast, issue_job)
    from tests.factories import WorkerFactory

    for i in range(n):
        w = WorkerFactory(workshop=cast.ws, name=f"张{i}")
        pay.adjustment_add(
            worker=w, kind=LineKind.BONUS, amount="2", reason="理货", actor=cast.head, key=uuid.uuid4().hex
        )
    client.force_login(cast.head)
    # session, user, the role (two), the workers, the slips (five)
    with django_assert_num_queries(9):
        response = client.get(f"/dashboard/pay/{ym(this_month())}/slips/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="slip"') == n + 1
    assert 'data-total="50.28"' in page and "更正" in page
    assert cast.mallory.name not in page


def test_a_paid_month_reads_paid_in_english_not_issued(client, cast, issue_job):
    alices_month(cast, issue_job)
    period = PayPeriod.objects.get(workshop=cast.ws, month=last_month())
    pay.payout_mark_paid(
        period=period, method="cash", actor=cast.head, key=uuid.uuid4().hex, worker_ids=[cast.alice.pk]
    )
    client.force_login(cast.alice.user)
    assert "已发" in client.get("/m/slip/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/m/slip/").content.decode()
    months = page[page.index('href="/m/slip/') :]
    assert "Paid" in months and "Issued" not in months
