"""Bonuses and deductions granted once however often the request is retried; a closed month paid once per
worker; each refusal in words with nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from dispatch import services
from pay import selectors
from pay import services as pay
from pay.models import LineKind, PayLine, Payout, PayoutBatch

from .conftest import booked, key


def test_a_bonus_retried_with_its_key_is_granted_once(cast):
    k = key()
    first, created = pay.adjustment_add(
        worker=cast.alice, kind=LineKind.BONUS, amount="50", reason="准时交货", actor=cast.head, key=k
    )
    again, created_again = pay.adjustment_add(
        worker=cast.alice, kind=LineKind.BONUS, amount="50", reason="准时交货", actor=cast.head, key=k
    )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert list(PayLine.objects.filter(worker=cast.alice).values_list("amount", flat=True)) == [
        Decimal("50.00")
    ]
    assert first.month == timezone.localdate().replace(day=1)


def test_a_deduction_is_a_negative_line_with_its_reason(cast):
    line, _ = pay.adjustment_add(
        worker=cast.bob,
        kind=LineKind.DEDUCTION,
        amount="12.5",
        reason="面板超耗3个",
        actor=cast.head,
        key=key(),
    )
    assert (line.amount, line.reason, line.actor_id) == (Decimal("-12.50"), "面板超耗3个", cast.head.pk)


@pytest.mark.parametrize(
    ("kind", "amount", "reason", "words"),
    [
        ("gift", "50", "准时", "奖励还是扣款"),
        (LineKind.BONUS, "0", "准时", "大于0"),
        (LineKind.BONUS, "-5", "准时", "大于0"),
        (LineKind.BONUS, "1.234", "准时", "到分"),
        (LineKind.BONUS, "五十", "准时", "数字"),
        (LineKind.BONUS, "50000", "准时", "最多"),
        (LineKind.BONUS, "NaN", "准时", "数字"),
        (LineKind.BONUS, "1e3", "准时", "数字"),
        (LineKind.BONUS, "1,000", "准时", "数字"),
        (LineKind.BONUS, "50", "   ", "原因"),
    ],
)
def test_a_bad_adjustment_is_refused_in_words_and_writes_nothing(cast, kind, amount, reason, words):
    with pytest.raises(ValidationError, match=words):
        pay.adjustment_add(
            worker=cast.alice, kind=kind, amount=amount, reason=reason, actor=cast.head, key=key()
        )
    assert not PayLine.objects.exists()


def test_a_key_replayed_with_other_figures_is_refused(cast):
    k = key()
    pay.adjustment_add(
        worker=cast.alice, kind=LineKind.BONUS, amount="50", reason="准时", actor=cast.head, key=k
    )

    with pytest.raises(ValidationError, match="提交编号"):
        pay.adjustment_add(
            worker=cast.alice, kind=LineKind.BONUS, amount="500", reason="准时", actor=cast.head, key=k
        )
    with pytest.raises(ValidationError, match="提交编号"):
        pay.adjustment_add(
            worker=cast.bob, kind=LineKind.BONUS, amount="50", reason="准时", actor=cast.head, key=k
        )
    assert PayLine.objects.count() == 1


def test_a_closed_month_is_paid_once_per_worker(cast, issue_job):
    booked(cast, issue_job)  # alice 130, bob 170 passed at 0.035
    pay.adjustment_add(
        worker=cast.bob, kind=LineKind.DEDUCTION, amount="1", reason="迟交", actor=cast.head, key=key()
    )
    period = services.period_close(actor=cast.head, workshop=cast.ws, month=timezone.localdate(), early=True)
    k = key()

    batch, created = pay.payout_mark_paid(period=period, method="cash", actor=cast.head, key=k)
    retried, created_again = pay.payout_mark_paid(period=period, method="cash", actor=cast.head, key=k)

    assert (created, created_again, retried.pk) == (True, False, batch.pk)
    paid = dict(Payout.objects.values_list("worker__name", "amount"))
    assert paid == {"alice": Decimal("4.55"), "bob": Decimal("4.95")}  # 5.95 − 1
    assert batch.total_yuan == Decimal("9.50") == period.total_yuan
    with pytest.raises(ValidationError, match="alice、bob"):
        pay.payout_mark_paid(
            period=period,
            method="transfer",
            actor=cast.head,
            key=key(),
            worker_ids=[cast.alice.pk, cast.bob.pk],
        )
    with pytest.raises(ValidationError, match="没有待发"):  # everyone not yet paid: nobody left
        pay.payout_mark_paid(period=period, method="transfer", actor=cast.head, key=key())
    assert PayoutBatch.objects.count() == 1
    assert selectors.paid_total(cast.alice.pk) == Decimal("4.55")


def test_paying_a_worker_owed_nothing_in_the_month_is_refused_naming_her(cast, issue_job):
    booked(cast, issue_job)  # alice 130, bob 170 passed; nothing for carol
    pay.adjustment_add(
        worker=cast.alice, kind=LineKind.DEDUCTION, amount="10", reason="丢失面板", actor=cast.head, key=key()
    )  # alice nets −5.45: owed nothing
    period = services.period_close(actor=cast.head, workshop=cast.ws, month=timezone.localdate(), early=True)
    month = f"{period.month:%Y-%m}"

    for ids, names in (
        ([cast.carol.pk], "carol"),
        ([cast.alice.pk, cast.carol.pk, cast.bob.pk], "alice、carol"),
    ):
        with pytest.raises(ValidationError, match=f"'{names} 在 {month} 没有待发的工资"):
            pay.payout_mark_paid(period=period, method="cash", actor=cast.head, key=key(), worker_ids=ids)
    # In English the names are listed with commas, not the Chinese enumeration comma.
    with translation.override("en"), pytest.raises(ValidationError, match="to alice, carol for"):
        pay.payout_mark_paid(
            period=period,
            method="cash",
            actor=cast.head,
            key=key(),
            worker_ids=[cast.alice.pk, cast.carol.pk],
        )
    assert not PayoutBatch.objects.exists()


def test_an_open_month_cannot_be_paid(cast, issue_job):
    booked(cast, issue_job)
    from pay.models import PayPeriod

    period = PayPeriod.objects.create(workshop=cast.ws, month=timezone.localdate().replace(day=1))

    with pytest.raises(ValidationError, match="还没关账"):
        pay.payout_mark_paid(period=period, method="cash", actor=cast.head, key=key())
    assert not PayoutBatch.objects.exists()


def test_a_worker_whose_deductions_exceed_her_wages_is_not_paid_a_negative_sum(cast, issue_job):
    booked(cast, issue_job)
    cast.bob.__class__.objects.filter(pk=cast.bob.pk).update(bank_account="6217000010012345678")
    pay.adjustment_add(
        worker=cast.alice, kind=LineKind.DEDUCTION, amount="10", reason="丢失面板", actor=cast.head, key=key()
    )
    period = services.period_close(actor=cast.head, workshop=cast.ws, month=timezone.localdate(), early=True)

    pay.payout_mark_paid(period=period, method="transfer", actor=cast.head, key=key())

    assert list(Payout.objects.values_list("worker__name", flat=True)) == ["bob"]
    assert selectors.payout_counts(period) == {"paid": 1, "owed": 0}


def test_a_bonus_booked_by_mistake_is_taken_back_by_a_new_line_once(cast):
    line, _ = pay.adjustment_add(
        worker=cast.alice, kind=LineKind.BONUS, amount="100", reason="质量奖", actor=cast.head, key=key()
    )
    k = key()
    back, created = pay.adjustment_reverse(line=line, actor=cast.head, reason="记错人了", key=k)
    again, created_again = pay.adjustment_reverse(line=line, actor=cast.head, reason="记错人了", key=k)

    assert (created, created_again, again.pk) == (True, False, back.pk)
    assert (back.kind, back.amount, back.corrects_id) == (LineKind.CORRECTION, Decimal("-100.00"), line.pk)
    assert PayLine.objects.get(pk=line.pk).amount == Decimal("100.00")  # the mistaken line stays as written
    with pytest.raises(ValidationError, match="已经撤销过"):
        pay.adjustment_reverse(line=line, actor=cast.head, reason="再撤", key=key())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        pay.adjustment_reverse(line=line, actor=cast.clerk, reason="x", key=key())
