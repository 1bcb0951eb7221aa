"""The firm statement's pages: the head prepares, the community admin reads it with the operator's fee,
the firm's clerk signs once or disputes, and nobody else reaches it."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from dispatch.services import statements
from pay.models import FirmStatement, StatementDispute
from tests.factories import CommunityAdminFactory, PairingFactory, UserFactory, WorkshopFactory
from tests.statement_month import build_month, set_fee

D = Decimal


@pytest.fixture
def month(cast, issue_job):
    return lambda: build_month(cast, issue_job)


def month_text() -> str:
    return f"{timezone.localdate():%Y-%m}"


def prepared(cast):
    return statements.statement_prepare(
        actor=cast.head, firm=cast.firm, workshop=cast.ws, month=timezone.localdate()
    )


def test_the_head_prepares_the_month_and_sees_the_fee_and_the_workers_rate(client, cast, month):
    set_fee(cast.pairing, "percent", "10")
    month()
    client.force_login(cast.head)

    page = client.get("/dashboard/statements/").content.decode()
    assert 'data-form="prepare-statement"' in page
    response = client.post(
        "/dashboard/statements/prepare/", {"pairing": cast.pairing.pk, "month": month_text()}
    )

    s = FirmStatement.objects.get()
    assert response.url == f"/dashboard/statements/{s.pk}/"
    page = client.get(response.url).content.decode()
    assert 'data-total="processing">56.65' in page
    assert 'data-total="deduction">− 10.00' in page
    assert 'data-total="fee">5.67' in page
    assert 'data-total="payable"><strong>46.65' in page
    assert "0.0315" in page  # the switch job's worker rate


def test_the_firms_clerk_sees_the_firms_figures_without_the_operators_fee(client, cast, month):
    set_fee(cast.pairing, "percent", "10")
    month()
    s = prepared(cast)
    client.force_login(cast.clerk)

    page = client.get(f"/dashboard/statements/{s.pk}/").content.decode()
    listing = client.get("/dashboard/statements/").content.decode()

    assert 'data-total="payable"><strong>46.65' in page
    assert 'data-total="fee"' not in page and "0.0315" not in page and "5.67" not in page
    assert "5.67" not in listing
    book = load_workbook(io.BytesIO(client.get(f"/dashboard/statements/{s.pk}/statement.xlsx").getvalue()))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "运营服务费" not in cells and 5.67 not in cells
    assert {"加工费合计", "材料超耗扣款", "应付合计", 56.65, -10, 46.65} <= set(cells)


def test_a_pairing_that_opens_the_fee_shows_it_to_the_firm(client, cast, month):
    set_fee(cast.pairing, "per_piece", "0.0100", open_to_firm=True)
    month()
    s = prepared(cast)
    client.force_login(cast.clerk)
    assert 'data-total="fee">2.90' in client.get(f"/dashboard/statements/{s.pk}/").content.decode()


def test_the_community_admin_sees_every_statement_of_the_community_with_the_fee(client, cast, month):
    set_fee(cast.pairing, "percent", "10")
    month()
    s = prepared(cast)
    client.force_login(CommunityAdminFactory().user)

    listing = client.get("/dashboard/statements/").content.decode()
    assert f'data-statement="{s.pk}"' in listing and "5.67" in listing
    assert 'data-form="prepare-statement"' not in listing
    page = client.get(f"/dashboard/statements/{s.pk}/print/").content.decode()
    assert 'data-total="fee">5.67' in page and "@page" in page


def test_the_clerk_signs_and_a_second_signature_is_refused_in_words_with_nothing_written(client, cast, month):
    month()
    s = prepared(cast)
    client.force_login(cast.clerk)

    client.post(f"/dashboard/statements/{s.pk}/sign/")
    signed = FirmStatement.objects.values_list("signed_by", "signed_at").get(pk=s.pk)
    page = client.post(f"/dashboard/statements/{s.pk}/sign/", follow=True).content.decode()

    assert signed[0] == cast.clerk.pk
    assert "不能重复签字" in page
    assert FirmStatement.objects.values_list("signed_by", "signed_at").get(pk=s.pk) == signed


def test_a_dispute_shows_both_figures_and_an_unchanged_month_is_not_issued_again(client, cast, month):
    month()
    s = prepared(cast)
    client.force_login(cast.clerk)
    client.post(
        f"/dashboard/statements/{s.pk}/dispute/",
        {"clerk_figure": "44.15", "note": "超耗只认2块", "key": "k1"},
    )

    page = client.get(f"/dashboard/statements/{s.pk}/").content.decode()
    assert 'data-fig="clerk">44.15' in page and 'data-fig="workshop">46.65' in page

    client.force_login(cast.head)
    page = client.post(
        f"/dashboard/statements/{s.pk}/correct/", {"reason": "核对"}, follow=True
    ).content.decode()
    assert "相同" in page  # the ledger did not move: no version 2
    assert FirmStatement.objects.count() == 1
    assert StatementDispute.objects.get().workshop_figure_yuan == D("46.65")


def test_the_clerk_submitting_a_dispute_twice_records_it_once_and_the_head_is_told_once(client, cast, month):
    from notices.models import Notification

    month()
    s = prepared(cast)
    client.force_login(cast.clerk)
    page = client.get(f"/dashboard/statements/{s.pk}/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page)[1]
    data = {"clerk_figure": "44.15", "note": "超耗只认2块", "key": key}

    client.post(f"/dashboard/statements/{s.pk}/dispute/", data)
    page = client.post(f"/dashboard/statements/{s.pk}/dispute/", data, follow=True).content.decode()

    assert "已经记录过了" in page
    assert StatementDispute.objects.count() == 1
    assert Notification.objects.filter(recipient=cast.head, kind="statement_disputed").count() == 1


@pytest.mark.parametrize(
    "typed, words",
    [
        ("1.234", "金额最多2位小数。"),
        ("四十", "请输入金额(元)。"),
        ("1e3", "请输入金额(元)。"),
        ("", "请输入金额(元)。"),
    ],
)
def test_a_disputed_figure_that_is_not_yuan_is_refused_in_the_services_words(
    client, cast, month, typed, words
):
    month()
    s = prepared(cast)
    client.force_login(cast.clerk)

    data = {"clerk_figure": typed, "note": "超耗只认2块", "key": "k1"}
    page = client.post(f"/dashboard/statements/{s.pk}/dispute/", data, follow=True).content.decode()

    assert words in page
    assert "输入一个数字" not in page and "确认小数不超过" not in page
    assert not StatementDispute.objects.exists()


def test_a_dispute_with_a_figure_typed_as_people_type_it_is_kept_to_the_fen(client, cast, month):
    month()
    s = prepared(cast)
    client.force_login(cast.clerk)

    data = {"clerk_figure": "４４.15元", "note": "超耗只认2块", "key": "k1"}
    client.post(f"/dashboard/statements/{s.pk}/dispute/", data)

    assert StatementDispute.objects.get().clerk_figure_yuan == D("44.15")


def test_a_dispute_without_a_note_is_refused_in_the_services_words(client, cast, month):
    month()
    s = prepared(cast)
    client.force_login(cast.clerk)

    data = {"clerk_figure": "44.15", "note": " ", "key": "k1"}
    page = client.post(f"/dashboard/statements/{s.pk}/dispute/", data, follow=True).content.decode()

    assert "请写明异议(最多500字)。" in page and "这个字段是必填项" not in page
    assert not StatementDispute.objects.exists()


def test_a_dispute_of_the_statements_own_total_asks_which_lines_are_wrong(client, cast, month):
    m = month()
    s = prepared(cast)
    client.force_login(cast.clerk)

    data = {"clerk_figure": "46.65", "note": "数字不对", "key": "k1"}
    page = client.post(f"/dashboard/statements/{s.pk}/dispute/", data, follow=True).content.decode()

    assert "您填的应付合计和对账单一样(46.65 元),合计没有出入" in page and "哪几行不对" in page
    assert not StatementDispute.objects.exists()
    # Naming the line (its number as printed) is a dispute of lines with the same total: recorded.
    data = {"clerk_figure": "46.65", "note": f"#{m.switch.pk} 合格应是180件,插座多算10件", "key": "k2"}
    page = client.post(f"/dashboard/statements/{s.pk}/dispute/", data, follow=True).content.decode()
    assert "异议已记录" in page
    assert StatementDispute.objects.get().clerk_figure_yuan == D("46.65")


@pytest.fixture
def others(cast):
    """A second workshop of the same firm with its own head; the other firm's clerk is ``cast.eve``."""
    ws2 = WorkshopFactory(head=UserFactory(username="head2"))
    pairing2 = PairingFactory(firm=cast.firm, workshop=ws2, lines=[cast.line])
    return ws2, pairing2


def test_another_firms_clerk_and_another_workshops_head_get_a_404_and_write_nothing(
    client, cast, month, others
):
    month()
    s = prepared(cast)
    ws2, pairing2 = others
    for user in (cast.eve, ws2.head):
        client.force_login(user)
        assert client.get(f"/dashboard/statements/{s.pk}/").status_code == 404
        assert client.get(f"/dashboard/statements/{s.pk}/print/").status_code == 404
        assert client.get(f"/dashboard/statements/{s.pk}/statement.xlsx").status_code == 404
        assert client.post(f"/dashboard/statements/{s.pk}/sign/").status_code == 404
        assert (
            client.post(
                f"/dashboard/statements/{s.pk}/dispute/", {"clerk_figure": "1", "note": "x"}
            ).status_code
            == 404
        )
        assert client.post(f"/dashboard/statements/{s.pk}/correct/", {"reason": "x"}).status_code == 404
        assert f'data-statement="{s.pk}"' not in client.get("/dashboard/statements/").content.decode()
    client.force_login(ws2.head)
    client.post("/dashboard/statements/prepare/", {"pairing": cast.pairing.pk, "month": month_text()})
    assert FirmStatement.objects.count() == 1
    assert FirmStatement.objects.get().signed_at is None
    assert not StatementDispute.objects.exists()


def test_the_head_cannot_sign_and_the_clerk_cannot_prepare_or_correct(client, cast, month):
    month()
    s = prepared(cast)
    client.force_login(cast.head)
    assert client.post(f"/dashboard/statements/{s.pk}/sign/").status_code == 403
    client.force_login(cast.clerk)
    month = {"pairing": cast.pairing.pk, "month": month_text()}
    assert client.post("/dashboard/statements/prepare/", month).status_code == 403
    assert client.post(f"/dashboard/statements/{s.pk}/correct/", {"reason": "x"}).status_code == 403
    client.force_login(cast.alice.user)
    assert client.get(f"/dashboard/statements/{s.pk}/").status_code == 403
    assert (FirmStatement.objects.count(), FirmStatement.objects.get().signed_at) == (1, None)


def test_the_list_costs_the_same_queries_for_one_statement_or_many(
    client, cast, month, django_assert_num_queries
):
    month()
    prepared(cast)
    client.force_login(cast.head)
    with CaptureQueriesContext(connection) as one:
        client.get("/dashboard/statements/")
    for n in range(3):
        FirmStatement.objects.create(
            firm=cast.firm,
            workshop=cast.ws,
            month=timezone.localdate().replace(day=1, year=2020 + n),
            pieces_passed=1,
            processing_yuan=1,
            material_deduction_yuan=0,
            operator_fee_yuan=0,
            payable_yuan=1,
            prepared_by=cast.head,
        )
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/dashboard/statements/")


def test_the_firms_pay_rows_are_at_its_own_rate_and_the_worker_sees_hers(client, cast, month):
    set_fee(cast.pairing, "percent", "10")
    m = month()
    client.force_login(cast.clerk)
    page = client.get("/dashboard/pay/").content.decode()
    assert "0.0350" in page and "0.0315" not in page
    assert "¥56.65" in page  # 6.65 + 50.00 at the firm's rates

    rework = m.switch.assignments.get(kind="rework")
    client.force_login(cast.alice.user)
    phone = client.get(f"/m/a/{rework.pk}/").content.decode()
    assert "0.0315" in phone and "0.0350" not in phone


def test_the_pairings_fee_is_shown_openly_to_the_community_admin_and_to_the_firm_only_when_opened(
    client, cast
):
    set_fee(cast.pairing, "percent", "10")
    client.force_login(CommunityAdminFactory().user)
    page = client.get(f"/dashboard/firms/{cast.firm.pk}/").content.decode()
    assert f'data-fee="{cast.pairing.pk}">按加工费比例(%) 10%' in page
    client.force_login(cast.clerk)
    page = client.get(f"/dashboard/firms/{cast.firm.pk}/").content.decode()
    assert f'data-fee="{cast.pairing.pk}">—' in page
    set_fee(cast.pairing, "per_piece", "0.0100", open_to_firm=True)
    page = client.get(f"/dashboard/firms/{cast.firm.pk}/").content.decode()
    assert "每件固定差额(元/件) 0.0100 元/件" in page
