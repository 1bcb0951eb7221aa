"""Bonuses and deductions (奖励/扣款) on the dashboard: the head grants one to a worker of her workshop with
a reason the worker reads as typed; the form's hidden key makes a double submit grant once; a wrong figure
or another workshop's worker is refused in words with nothing written. And a worker's bank account for the
transfer list: saved as digits, shown masked but for the last 4."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pay.models import LineKind, PayLine
from tests.dashboard.pay_world import faraway
from workshop.models import Worker

pytestmark = pytest.mark.django_db

URL = "/dashboard/pay/adjustments/"


def _form(client, cast) -> dict:
    """The drawn form's fields, its hidden key among them."""
    page = client.get(f"{URL}?ws={cast.ws.pk}")
    assert page.status_code == 200
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page.content.decode())[1]
    return {"ws": cast.ws.pk, "key": key}


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_head_grants_an_on_time_bonus_the_worker_reads_as_typed(client, cast):
    client.force_login(cast.head)
    form = _form(client, cast)
    reason = "11月全部按期交货 <b>好样的</b>"
    response = client.post(
        URL,
        {**form, "worker": cast.alice.pk, "kind": "on_time", "amount": "50", "reason": reason},
        follow=True,
    )
    line = PayLine.objects.get()
    assert (line.kind, line.amount, line.worker, line.actor) == (
        LineKind.BONUS,
        Decimal("50.00"),
        cast.alice,
        cast.head,
    )
    assert line.reason == f"准时奖 · {reason}"
    body = response.content.decode()
    assert "准时奖 · 11月全部按期交货 &lt;b&gt;好样的&lt;/b&gt;" in body
    assert "已为 alice 记奖励 50.00 元" in _messages(response)


def test_a_deduction_is_stored_negative_with_its_reason(client, cast):
    client.force_login(cast.head)
    form = _form(client, cast)
    client.post(
        URL, {**form, "worker": cast.bob.pk, "kind": "deduction", "amount": "3.2", "reason": "损坏2块面板"}
    )
    line = PayLine.objects.get()
    assert (line.kind, line.amount, line.reason) == (LineKind.DEDUCTION, Decimal("-3.20"), "损坏2块面板")


def test_a_double_submitted_bonus_is_granted_once(client, cast):
    client.force_login(cast.head)
    form = {
        **_form(client, cast),
        "worker": cast.alice.pk,
        "kind": "quality",
        "amount": "10",
        "reason": "零返工",
    }
    client.post(URL, form)
    again = client.post(URL, form, follow=True)
    assert PayLine.objects.count() == 1
    assert "没有重复记" in _messages(again)
    fresh = _form(client, cast)
    assert fresh["key"] != form["key"]  # a new form is a new grant
    client.post(URL, {**form, "key": fresh["key"]})
    assert PayLine.objects.count() == 2


@pytest.mark.parametrize(
    ("amount", "words"),
    [("abc", "金额请填数字"), ("0", "金额要大于0"), ("1.234", "最多到分"), ("50000", "一笔调整最多")],
)
def test_a_wrong_amount_is_refused_in_words_and_nothing_written(client, cast, amount, words):
    client.force_login(cast.head)
    form = _form(client, cast)
    response = client.post(
        URL, {**form, "worker": cast.alice.pk, "kind": "other", "amount": amount, "reason": "试一下"}
    )
    assert response.status_code == 400
    assert words in _field_error(response, "amount")
    assert not PayLine.objects.exists()


def _field_error(response, field: str) -> str:
    m = re.search(rf'data-field-error="{field}">([^<]*)<', response.content.decode())
    return m[1] if m else ""


def test_each_missing_field_says_what_it_needs_beside_it(client, cast):
    client.force_login(cast.head)
    form = _form(client, cast)

    response = client.post(URL, {**form, "worker": "", "kind": "", "amount": "", "reason": " "})

    assert response.status_code == 400
    assert _field_error(response, "worker") == "请选坊工。"
    assert _field_error(response, "kind") == "请选类型。"
    assert _field_error(response, "amount") == "金额请填数字,例如 50 或 12.5。"
    assert _field_error(response, "reason") == "请写明原因,坊工会在工资条上看到。"
    assert "请选坊工和类型,填写金额和原因" not in response.content.decode()
    assert not PayLine.objects.exists()


def test_a_reason_too_long_is_refused_beside_it_and_the_rest_is_kept(client, cast):
    client.force_login(cast.head)
    form = _form(client, cast)

    response = client.post(
        URL, {**form, "worker": cast.alice.pk, "kind": "other", "amount": "12.5", "reason": "长" * 201}
    )

    assert response.status_code == 400
    assert _field_error(response, "reason") == "原因最多200字。"
    assert not _field_error(response, "worker") and not _field_error(response, "amount")
    assert 'value="12.5"' in response.content.decode()
    assert not PayLine.objects.exists()


def test_another_workshops_worker_cannot_be_granted(client, cast, db):
    _head, _ws, stranger = faraway(db)
    client.force_login(cast.head)
    form = _form(client, cast)
    for worker in (stranger, cast.mallory):
        response = client.post(
            URL, {**form, "worker": worker.pk, "kind": "on_time", "amount": "5", "reason": "x"}
        )
        assert response.status_code == 400
        assert _field_error(response, "worker") == "本工坊没有这位坊工,请重新选。"
    assert not PayLine.objects.exists()


def test_the_months_adjustments_are_listed_with_who_and_why(client, cast):
    client.force_login(cast.head)
    form = _form(client, cast)
    client.post(URL, {**form, "worker": cast.alice.pk, "kind": "other", "amount": "8", "reason": "帮忙搬货"})
    page = client.get(f"{URL}?ws={cast.ws.pk}")
    rows = page.context["lines"]
    assert [(r.worker.name, r.amount, r.reason, r.actor) for r in rows] == [
        ("alice", Decimal("8.00"), "帮忙搬货", cast.head)
    ]


# --- her bank account -----------------------------------------------------------------------------------


def test_head_saves_a_bank_account_shown_masked_but_the_last_4(client, cast):
    client.force_login(cast.head)
    url = f"/dashboard/workers/{cast.alice.pk}/bank/"
    client.post(url, {"bank_account": "6228 4804 0256 4890 018", "bank_name": "农业银行海盐支行"})
    cast.alice.refresh_from_db()
    assert (cast.alice.bank_account, cast.alice.bank_name) == ("6228480402564890018", "农业银行海盐支行")
    page = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()
    assert "**** 0018" in page and "6228480402564890018" not in page and "62284804" not in page
    # A blank box keeps the number the page never shows whole; 清除 removes it.
    client.post(url, {"bank_account": "", "bank_name": "农商银行"})
    cast.alice.refresh_from_db()
    assert (cast.alice.bank_account, cast.alice.bank_name) == ("6228480402564890018", "农商银行")
    client.post(url, {"bank_account": "", "bank_name": "", "clear": "on"})
    cast.alice.refresh_from_db()
    assert (cast.alice.bank_account, cast.alice.bank_name) == ("", "")


@pytest.mark.parametrize("account", ["12345", "6228 4804 0256 4890 0181 2", "6228abcd02564890"])
def test_a_wrong_bank_account_is_refused_in_words(client, cast, account):
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/workers/{cast.alice.pk}/bank/",
        {"bank_account": account, "bank_name": "农行"},
        follow=True,
    )
    assert "12到19位数字" in _messages(response)
    assert Worker.objects.get(pk=cast.alice.pk).bank_account == ""


def test_nobody_else_sets_a_workers_bank_account(client, cast, db):
    head, _ws, _w = faraway(db)
    for user, status in ((head, 404), (cast.clerk, 404), (cast.bob.user, 403)):
        client.force_login(user)
        response = client.post(
            f"/dashboard/workers/{cast.alice.pk}/bank/", {"bank_account": "622848040256489", "bank_name": "x"}
        )
        assert response.status_code == status
    assert Worker.objects.get(pk=cast.alice.pk).bank_account == ""


def test_what_a_bonus_is_for_reads_in_each_readers_language(client, cast):
    """Found in a trial: the bonus's label was stored in the head's words inside the reason, so a worker
    reading English saw "准时奖:" in her message and on her slip."""
    from notices.messages import render
    from notices.models import Notification, NotificationKind

    client.force_login(cast.head)
    form = {
        **_form(client, cast),
        "worker": cast.bob.pk,
        "kind": "quality",
        "amount": "30",
        "reason": "零返工",
    }
    client.post(URL, form)
    told = Notification.objects.get(recipient=cast.bob.user, kind=NotificationKind.PAY_ADJUSTED)
    assert render(told.kind, told.params, "zh-hans") == "质量奖 +30.00 元:零返工"
    assert render(told.kind, told.params, "en") == "Quality bonus +30.00 yuan: 零返工"

    client.force_login(cast.bob.user)
    client.cookies["django_language"] = "en"
    slip = client.get("/m/slip/").content.decode()
    assert "Quality bonus · 零返工" in slip and "质量奖" not in slip


def test_the_worker_is_told_of_a_deduction_once_and_of_its_reversal_in_her_language(client, cast):
    """Found in a trial: a 5,000 yuan deduction reached her Today page as a minus total and no message."""
    from notices.messages import render
    from notices.models import Notification, NotificationKind

    client.force_login(cast.head)
    form = {
        **_form(client, cast),
        "worker": cast.bob.pk,
        "kind": "deduction",
        "amount": "20",
        "reason": "弄丢面板",
    }
    client.post(URL, form)
    client.post(URL, form)  # a double submit tells her nothing twice
    told = Notification.objects.get(recipient=cast.bob.user, kind=NotificationKind.PAY_ADJUSTED)
    assert told.link == "/m/slip/"
    assert render(told.kind, told.params, "zh-hans") == "扣款 -20.00 元:弄丢面板"
    assert render(told.kind, told.params, "en") == "Deduction -20.00 yuan: 弄丢面板"

    line = PayLine.objects.get()
    page = client.get(f"{URL}?ws={cast.ws.pk}").content.decode()
    key = re.findall(r'name="key" value="([0-9a-f]{32})"', page)[-1]
    client.post(f"{URL}{line.pk}/reverse/", {"ws": cast.ws.pk, "reason": "录错了", "key": key})

    back = Notification.objects.filter(recipient=cast.bob.user, kind=NotificationKind.PAY_ADJUSTED).latest(
        "id"
    )
    assert back.pk != told.pk
    assert render(back.kind, back.params, "en") == "Deduction taken back +20.00 yuan: 录错了"
