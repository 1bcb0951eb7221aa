"""The public transparency board at /open/<workshop id>/: open demands and monthly totals that equal the
ledger's sums, no personal data at all, and cacheable by anyone."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from dispatch import services
from dispatch.models import HOLDING_STATES, Assignment, InspectionResult, WorkReport
from matching.models import DemandStatus
from pay import money
from pay.models import PayLine
from pay.services import payout_mark_paid
from tests.conftest import tomorrow
from tests.factories import PairingFactory
from tests.lots import completed, hand_over
from tests.matching.conftest import DemandFactory, WishFactory, low_income_wish


def report(assignment: Assignment, pieces: int) -> None:
    services.work_report(
        actor=assignment.worker.user, assignment=assignment, pieces=pieces, key=uuid.uuid4().hex
    )


def taken(job, worker, pieces: int) -> Assignment:
    a = services.assignment_offer(job=job, worker=worker, pieces=pieces)
    services.assignment_accept(actor=worker.user, assignment=a)
    a.refresh_from_db()
    return a


def finished_job(cast, *, workshop=None, verdicts) -> None:
    """A job taken through the real flow: offered (one offer declined), made, inspected and booked.
    ``verdicts``: [(worker, pieces, passed)]."""
    quantity = sum(p for _w, p, _ok in verdicts)
    job = services.job_issue(
        actor=cast.clerk,
        workshop=workshop or cast.ws,
        line=cast.line,
        title="开关面板装配",
        quantity=quantity,
        piece_rate=Decimal("0.0350"),
        due_on=tomorrow(),
    )
    services.job_accept(actor=job.workshop.head, job=job)
    first_worker, first_pieces, _ok = verdicts[0]
    declined = services.assignment_offer(job=job, worker=first_worker, pieces=first_pieces)
    services.assignment_decline(actor=first_worker.user, assignment=declined)
    made = []
    for worker, pieces, passed in verdicts:
        a = taken(job, worker, pieces)
        report(a, pieces)
        made.append((a, pieces, passed))
    completed(job)
    hand_over(job)
    results = [
        services.ResultInput(
            assignment_id=a.pk, passed=ok, rejected=n - ok, rework=0, reason="毛刺" if n - ok else ""
        )
        for a, n, ok in made
    ]
    inspection = services.job_inspect(actor=cast.clerk, job=job, results=results)
    services.inspection_book(inspection=inspection)


@pytest.fixture
def ledger(cast):
    """This month at ws: alice 120 (110 passed), bob 80 (all passed); at mallory's workshop, mallory 50.
    Plus open demands, a closed one, and people on the supply list whose data must never show."""
    low_income_wish(workshop=cast.ws, name="王秀英", phone="+8613800138000")
    WishFactory(workshop=cast.ws, name="李桂兰", phone="+8613900139001")
    cast.firm.contact, cast.firm.phone = "周经理", "+8613500135000"
    cast.firm.save()
    cast.head.first_name = "坊长老陈"
    cast.head.save()
    DemandFactory(workshop=cast.ws, firm=cast.firm, title="开关面板装配", notes="找周经理 13500135000")
    DemandFactory(workshop=cast.ws, firm=cast.firm, title="已关闭的需求", status=DemandStatus.CLOSED)
    finished_job(cast, verdicts=[(cast.alice, 120, 110), (cast.bob, 80, 80)])
    other = cast.mallory.workshop
    PairingFactory(firm=cast.firm, workshop=other, lines=[cast.line])
    finished_job(cast, workshop=other, verdicts=[(cast.mallory, 50, 25)])
    return cast


def test_board_totals_equal_the_ledger_sums(client, ledger):
    ws = ledger.ws
    start = timezone.localdate().replace(day=1)
    response = client.get(f"/open/{ws.pk}/")
    assert response.status_code == 200
    this_month = response.context["months"][0]
    assert this_month.month == start

    assignments = Assignment.objects.filter(
        job__workshop=ws, kind="first", state__in=HOLDING_STATES, offered_at__date__gte=start
    )
    assert this_month.pieces == assignments.aggregate(n=Sum("pieces"))["n"] == 200
    reporters = WorkReport.objects.filter(assignment__job__workshop=ws, at__date__gte=start)
    assert this_month.workers == reporters.values("assignment__worker").distinct().count() == 2
    wages = money.to_yuan(
        sum(PayLine.objects.filter(assignment__job__workshop=ws).values_list("amount", flat=True), Decimal(0))
    )
    assert this_month.wages == wages == Decimal("6.65")  # 190 passed × 0.035
    judged = InspectionResult.objects.filter(inspection__job__workshop=ws).aggregate(
        p=Sum("pieces_passed"), r=Sum("pieces_rejected")
    )
    assert (this_month.passed, this_month.inspected) == (judged["p"], judged["p"] + judged["r"]) == (190, 200)
    assert this_month.pass_rate == Decimal("95.0")

    body = response.content.decode()
    row = re.search(rf'<tr data-month="{start:%Y-%m}">(.*?)</tr>', body, re.S).group(1)
    assert '<td class="num" data-field="pieces">200</td>' in row
    assert '<td class="num" data-field="workers">2</td>' in row
    assert '<td class="num" data-field="wages">6.65</td>' in row
    assert '<td class="num" data-field="pass-rate">95.0%</td>' in row
    assert [m.pieces for m in response.context["months"][1:]] == [0] * 5


def test_board_calls_wages_booked_until_the_head_marks_them_paid_out(client, ledger):
    """Booked wages (记账, 应发) are what is owed; only a payout batch makes them paid out (已发放)."""
    ws, month = ledger.ws, timezone.localdate().replace(day=1)

    def page() -> tuple[str, str]:
        body = client.get(f"/open/{ws.pk}/").content.decode()
        return body, re.search(rf'<tr data-month="{month:%Y-%m}">(.*?)</tr>', body, re.S).group(1)

    body, row = page()
    assert "发放工资" not in body  # the board used to call booked wages paid out
    assert "近6个月记账工资(应发)" in body and '<strong data-total="wages">¥6.65</strong>' in body
    assert '<strong data-total="paid">¥0.00</strong>' in body
    assert '<td class="num" data-field="wages">6.65</td>' in row
    assert '<td class="num" data-field="paid">未发放</td>' in row

    period = services.period_close(actor=ws.head, workshop=ws, month=month, early=True)
    payout_mark_paid(period=period, method="cash", actor=ws.head, key="board-paid")
    body, row = page()
    assert '<strong data-total="paid">¥6.65</strong>' in body
    assert '<td class="num" data-field="paid">6.65</td>' in row
    assert client.get(f"/open/{ws.pk}/").context["months"][0].paid == Decimal("6.65")


def test_board_shows_open_demands_and_no_personal_data(client, ledger):
    body = client.get(f"/open/{ledger.ws.pk}/").content.decode()
    assert "开关面板装配" in body and ledger.firm.name in body
    assert "已关闭的需求" not in body
    people = [w.name for w in (ledger.alice, ledger.bob, ledger.carol, ledger.mallory)] + ["王秀英", "李桂兰"]
    phones = [ledger.alice.phone, ledger.bob.phone, ledger.mallory.phone, "+8613800138000", "+8613500135000"]
    for name in people + ["周经理", "找周经理", "坊长老陈"]:
        assert name not in body, name
    for phone in phones:
        digits = str(getattr(phone, "national_number", phone)).removeprefix("+86")
        for shown in (digits, digits[:3] + "****" + digits[-4:], digits[-4:] + "<"):
            assert shown not in body, shown
    assert "低收入" not in body


def test_board_is_public_and_cacheable(client, ledger):
    response = client.get(f"/open/{ledger.ws.pk}/")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    again = client.get(f"/open/{ledger.ws.pk}/", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304 and not again.content
    client.force_login(ledger.head)
    signed_in = client.get(f"/open/{ledger.ws.pk}/")
    assert signed_in.content == response.content


def test_board_of_an_unknown_workshop_is_404(client, db):
    assert client.get("/open/999999/").status_code == 404


def test_board_links_to_the_join_form_of_its_workshop(client, cast):
    body = client.get(f"/open/{cast.ws.pk}/").content.decode()
    assert f"/m/join/?w={cast.ws.pk}" in body


def test_board_excludes_other_workshops_and_old_months(client, ledger):
    other = ledger.mallory.workshop
    months = client.get(f"/open/{other.pk}/").context["months"]
    assert (months[0].pieces, months[0].workers, months[0].wages) == (50, 1, Decimal("0.88"))
    assert months[0].pass_rate == Decimal("50.0")
    ws_months = client.get(f"/open/{ledger.ws.pk}/").context["months"]
    assert sum(m.pieces for m in ws_months) == 200
