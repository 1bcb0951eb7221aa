"""The pay month pages (工资结算): the head reviews her workshop's month per worker, closes it (refused,
naming the jobs, while an inspection is open), marks it paid by cash with a signature sheet or by transfer
with a bank list; a double submit pays once, a paid worker is never paid twice; a firm, a worker and
another workshop's head never see any of it."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dispatch import services as flow
from pay.models import PayLine, PayMethod, Payout, PayoutBatch, PayPeriod
from pay.selectors import period_dues
from tests.dashboard.helpers import inspecting_job
from tests.dashboard.pay_world import EXPECTED, booked_month, community_admin, faraway, month_url
from tests.pay.conftest import key

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _close(cast):
    return flow.period_close(actor=cast.head, workshop=cast.ws, month=timezone.localdate(), early=True)


def _rows(response) -> dict[str, object]:
    return {r.worker.name: r for r in response.context["rows"]}


# --- review ---------------------------------------------------------------------------------------------


def test_head_reviews_her_month_per_worker_with_bonus_deduction_and_total(client, cast, issue_job):
    booked_month(cast, issue_job)
    client.force_login(cast.head)
    response = client.get(month_url(cast.ws))
    assert response.status_code == 200
    rows = _rows(response)
    assert (rows["alice"].piece, rows["alice"].bonus, rows["alice"].total) == (
        Decimal("4.55"),
        Decimal("20.00"),
        EXPECTED["alice"],
    )
    assert (rows["bob"].piece, rows["bob"].deduction, rows["bob"].total) == (
        Decimal("5.95"),
        Decimal("-1.50"),
        EXPECTED["bob"],
    )
    assert response.context["total"] == Decimal("29.00")
    body = response.content.decode()
    assert "准时奖:按期交货" in body and 'data-period-state="open"' in body


def test_a_correction_of_a_closed_month_shows_in_the_next_labelled_with_it(client, cast, issue_job):
    job, shares = booked_month(cast, issue_job)
    closed = _close(cast)
    result = shares[0].inspection_results.get()
    flow.result_correct(actor=cast.head, result=result, passed=120, rejected=10, reason="漏检10件")
    line = PayLine.objects.filter(kind="correction", amount__lt=0).get()
    assert line.corrects_period == closed
    client.force_login(cast.head)
    response = client.get(month_url(cast.ws, line.month))
    alice = _rows(response)["alice"]
    assert alice.corrections == {closed.month: Decimal("-0.35")}
    assert f'data-correction="{closed.month:%Y-%m}"' in response.content.decode()


def test_the_months_list_shows_closed_and_open_months(client, cast, issue_job):
    booked_month(cast, issue_job)
    _close(cast)
    client.force_login(cast.head)
    response = client.get(f"/dashboard/pay/periods/?ws={cast.ws.pk}")
    assert response.status_code == 200
    months = {m.month: m for m in response.context["months"]}
    this = months[timezone.localdate().replace(day=1)]
    assert (this.closed, this.total, this.workers, this.paid) == (True, Decimal("29.00"), 2, 0)


# --- close ----------------------------------------------------------------------------------------------


def test_close_is_refused_while_an_inspection_is_open_naming_the_job(client, cast, issue_job):
    booked_month(cast, issue_job)
    inspecting_job(cast, issue_job, pieces=(10, 10), title="还在验收的面板")
    client.force_login(cast.head)
    page = client.get(month_url(cast.ws))
    assert "还在验收的面板" in page.content.decode()
    response = client.post(month_url(cast.ws, tail="close/"), {"ws": cast.ws.pk, "early": "1"}, follow=True)
    assert "还在验收的面板" in _messages(response)
    assert not PayPeriod.objects.filter(closed_at__isnull=False).exists()


def test_closing_a_month_before_the_workshop_existed_is_refused_in_words(client, cast, issue_job):
    booked_month(cast, issue_job)
    client.force_login(cast.head)
    early = dt.date(2025, 1, 1)

    response = client.post(month_url(cast.ws, early, tail="close/"), {"ws": cast.ws.pk}, follow=True)

    assert f"从 {timezone.localdate():%Y-%m} 起才有工资账,不能为更早的 2025-01 关账" in _messages(response)
    assert not PayPeriod.objects.exists()


def test_head_closes_the_month_and_its_total_is_fixed(client, cast, issue_job):
    booked_month(cast, issue_job)
    client.force_login(cast.head)
    response = client.post(month_url(cast.ws, tail="close/"), {"ws": cast.ws.pk, "early": "1"}, follow=True)
    period = PayPeriod.objects.get()
    assert period.closed_at is not None and period.closed_by == cast.head
    assert period.total_yuan == Decimal("29.00")
    assert 'data-period-state="closed"' in response.content.decode()


# --- pay ------------------------------------------------------------------------------------------------


def test_cash_payout_and_its_signature_sheet_equal_the_period_dues(client, cast, issue_job):
    booked_month(cast, issue_job)
    period = _close(cast)
    client.force_login(cast.head)
    client.post(month_url(cast.ws, tail="pay/"), {"ws": cast.ws.pk, "method": "cash", "key": key()})
    batch = PayoutBatch.objects.get()
    assert batch.method == PayMethod.CASH and batch.total_yuan == Decimal("29.00")
    response = client.get(month_url(cast.ws, tail="sheet/") + f"&batch={batch.pk}")
    assert response.status_code == 200
    dues = {w: y for w, y, _n in period_dues(period)}
    sheet = {r.worker.pk: r.amount for r in response.context["rows"]}
    assert sheet == dues
    body = response.content.decode()
    assert [Decimal(a.replace(",", "")) for a in re.findall(r"data-amount>([\d,.]+)<", body)] == [
        EXPECTED["alice"],
        EXPECTED["bob"],
    ]
    assert re.search(r"data-sheet-total>29\.00<", body)
    assert body.count("data-blank") == 3 and "签字" in body and "@page" in body


def test_the_month_warns_before_the_transfer_list_and_refuses_it_naming_who_has_no_account(
    client, cast, issue_job
):
    booked_month(cast, issue_job)  # bob has an account, alice has none
    _close(cast)
    client.force_login(cast.head)

    page = client.get(month_url(cast.ws)).content.decode()
    warning = page.split("data-no-account>")[1].split("</div>")[0]
    response = client.get(month_url(cast.ws, tail="transfer.xlsx"), follow=True)

    assert f'data-no-account-worker="{cast.alice.pk}">alice<' in warning and "bob" not in warning
    assert 'data-link="transfer-unpaid"' not in page
    assert response.redirect_chain[0][0] == month_url(cast.ws)
    assert "这些人没有收款账号,转账清单没有导出:alice。" in _messages(response)
    assert response["Content-Type"].startswith("text/html")


def test_once_everyone_unpaid_has_an_account_the_transfer_list_downloads(client, cast, issue_job):
    booked_month(cast, issue_job)
    cast.alice.__class__.objects.filter(pk=cast.alice.pk).update(bank_account="6228480402564890018")
    _close(cast)
    client.force_login(cast.head)

    page = client.get(month_url(cast.ws)).content.decode()
    response = client.get(month_url(cast.ws, tail="transfer.xlsx"))

    assert "data-no-account" not in page and 'data-link="transfer-unpaid"' in page
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == ["alice", "bob"]


def test_transfer_list_rows_equal_the_dues_and_sum_with_whole_accounts(client, cast, issue_job):
    booked_month(cast, issue_job)
    cast.alice.__class__.objects.filter(pk=cast.alice.pk).update(
        name="=阿丽\x07\x1b", bank_account="6228480402564890018", bank_name="农业银行海盐支行"
    )
    period = _close(cast)
    client.force_login(cast.head)
    client.post(month_url(cast.ws, tail="pay/"), {"ws": cast.ws.pk, "method": "transfer", "key": key()})
    batch = PayoutBatch.objects.get()
    response = client.get(month_url(cast.ws, tail="transfer.xlsx") + f"&batch={batch.pk}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "序号",
        "收款人姓名",
        "收款账号",
        "开户行",
        "金额(元)",
        "身份证号",
        "手机号",
        "用途/摘要",
    )
    month = period.month
    by_name = {r[1]: r for r in rows[1:]}
    alice = by_name["'=阿丽"]  # the bell and escape dropped (PostgreSQL keeps no NUL), the formula made text
    assert alice[2] == "6228480402564890018" and alice[3] == "农业银行海盐支行"
    assert alice[6] == str(cast.alice.phone.national_number)
    assert {r[7] for r in rows[1:]} == {f"{month.year}年{month.month}月计件工资"}
    amounts = sorted(Decimal(str(r[4])) for r in rows[1:])
    assert amounts == sorted(y for _w, y, _n in period_dues(period))
    assert sum(amounts) == batch.total_yuan == Decimal("29.00")
    assert [r[0] for r in rows[1:]] == [1, 2]


def test_a_double_submitted_payout_pays_once(client, cast, issue_job):
    booked_month(cast, issue_job)
    _close(cast)
    client.force_login(cast.head)
    form = {"ws": cast.ws.pk, "method": "cash", "key": key()}
    client.post(month_url(cast.ws, tail="pay/"), form)
    again = client.post(month_url(cast.ws, tail="pay/"), form, follow=True)
    assert (PayoutBatch.objects.count(), Payout.objects.count()) == (1, 2)
    assert "没有重复发放" in _messages(again)


def test_paying_a_paid_worker_again_is_refused_in_words_and_her_row_is_locked(client, cast, issue_job):
    booked_month(cast, issue_job)
    _close(cast)
    client.force_login(cast.head)
    url = month_url(cast.ws, tail="pay/")
    client.post(url, {"ws": cast.ws.pk, "method": "cash", "key": key(), "w": [cast.alice.pk]})
    assert list(Payout.objects.values_list("worker__name", flat=True)) == ["alice"]
    refused = client.post(
        url,
        {"ws": cast.ws.pk, "method": "cash", "key": key(), "w": [cast.alice.pk, cast.bob.pk]},
        follow=True,
    )
    assert "不能重复发放" in _messages(refused) and "alice" in _messages(refused)
    assert Payout.objects.count() == 1
    body = refused.content.decode()
    assert re.search(rf'data-worker="{cast.alice.pk}" class="locked" data-locked', body)
    assert not re.search(rf'data-worker="{cast.bob.pk}" class="locked"', body)
    client.post(url, {"ws": cast.ws.pk, "method": "transfer", "key": key()})
    assert Payout.objects.count() == 2


def test_paying_a_worker_with_nothing_due_in_the_month_names_her_and_pays_nobody(client, cast, issue_job, db):
    booked_month(cast, issue_job)  # carol has no line this month
    _close(cast)
    _head, _ws, stranger = faraway(db)
    client.force_login(cast.head)
    url = month_url(cast.ws, tail="pay/")

    refused = client.post(
        url,
        {"ws": cast.ws.pk, "method": "cash", "key": key(), "w": [cast.carol.pk, cast.bob.pk]},
        follow=True,
    )
    foreign = client.post(
        url, {"ws": cast.ws.pk, "method": "cash", "key": key(), "w": [stranger.pk]}, follow=True
    )

    assert f"carol 在 {timezone.localdate():%Y-%m} 没有待发的工资,没有发放。" in _messages(refused)
    assert "本期没有待发的工资" not in _messages(refused)
    assert "所选的坊工不是本工坊的" in _messages(foreign) and stranger.name not in _messages(foreign)
    assert not PayoutBatch.objects.exists()


def test_an_open_month_is_not_paid(client, cast, issue_job):
    booked_month(cast, issue_job)
    client.force_login(cast.head)
    response = client.post(
        month_url(cast.ws, tail="pay/"), {"ws": cast.ws.pk, "method": "cash", "key": key()}, follow=True
    )
    assert "还没关账" in _messages(response)
    assert not PayoutBatch.objects.exists()


def test_community_admin_chooses_among_her_workshops(client, cast, issue_job, db):
    booked_month(cast, issue_job)
    _head, other_ws, _w = faraway(db)
    admin = community_admin()
    client.force_login(admin)
    response = client.get(month_url(cast.ws))
    assert response.status_code == 200 and set(_rows(response)) == {"alice", "bob"}
    assert client.get(month_url(other_ws)).status_code == 404  # another community's workshop


# --- who may: another head, a firm's clerk, a worker, anonymous ------------------------------------------

PAGES = ["", "sheet/", "transfer.xlsx"]


def _state():
    return (
        PayPeriod.objects.filter(closed_at__isnull=False).count(),
        PayoutBatch.objects.count(),
        Payout.objects.count(),
        PayLine.objects.count(),
    )


@pytest.mark.parametrize("who", ["other_head", "clerk", "worker", "anonymous"])
def test_nobody_else_reads_or_moves_the_workshops_pay(client, cast, issue_job, db, who):
    booked_month(cast, issue_job)
    period = _close(cast)
    other_head, _ws, _w = faraway(db)
    users = {"other_head": other_head, "clerk": cast.clerk, "worker": cast.alice.user, "anonymous": None}
    if users[who] is not None:
        client.force_login(users[who])
    expected = {"other_head": 404, "clerk": 403, "worker": 403, "anonymous": 302}[who]
    before = _state()
    for tail in PAGES:
        assert client.get(month_url(cast.ws, tail=tail)).status_code == expected, tail
    assert client.get(f"/dashboard/pay/periods/?ws={cast.ws.pk}").status_code == expected
    assert client.get(f"/dashboard/pay/adjustments/?ws={cast.ws.pk}").status_code == expected
    for tail, form in (
        ("close/", {}),
        ("pay/", {"method": "cash", "key": key()}),
    ):
        response = client.post(month_url(cast.ws, period.month, tail), {"ws": cast.ws.pk, **form})
        assert response.status_code == expected, tail
    response = client.post(
        "/dashboard/pay/adjustments/",
        {
            "ws": cast.ws.pk,
            "worker": cast.alice.pk,
            "kind": "on_time",
            "amount": "9",
            "reason": "x",
            "key": key(),
        },
    )
    assert response.status_code == expected
    assert _state() == before


def test_another_head_sees_only_her_own_workshops_months(client, cast, issue_job, db):
    booked_month(cast, issue_job)
    head, ws, _w = faraway(db)
    client.force_login(head)
    response = client.get("/dashboard/pay/periods/")
    assert response.status_code == 200 and response.context["ws"] == ws
    month = client.get(f"/dashboard/pay/periods/{timezone.localdate():%Y-%m}/")
    assert month.context["rows"] == []


def test_a_malformed_month_is_not_found(client, cast):
    client.force_login(cast.head)
    assert client.get("/dashboard/pay/periods/2026-13/").status_code == 404
    assert client.get("/dashboard/pay/periods/nope/").status_code == 404


def test_a_transfer_is_refused_naming_who_has_no_account(client, cast, issue_job):
    booked_month(cast, issue_job)  # alice has no account
    _close(cast)
    client.force_login(cast.head)
    refused = client.post(
        month_url(cast.ws, tail="pay/"), {"ws": cast.ws.pk, "method": "transfer", "key": key()}, follow=True
    )
    assert "没有收款账号" in _messages(refused) and "alice" in _messages(refused)
    assert not PayoutBatch.objects.exists()
