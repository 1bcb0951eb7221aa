"""Material lost beyond the allowance is deducted from the worker who lost it only by the workshop's own
rule, which she can read; once per job, worker and material; never more than the rule's cap."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dispatch import services
from pay import selectors
from pay import services as pay
from pay.models import LineKind, LossRule, PayLine
from tests.factories import UserFactory, WorkshopFactory


def _rule(cast, pct="50", cap="100", text="超出允许损耗的物料,按企业单价由本人承担一半,每单最多100元"):
    return pay.loss_rule_set(workshop=cast.ws, share_pct=pct, cap_yuan=cap, text=text, actor=cast.head)


def test_a_workers_loss_beyond_the_allowance_is_deducted_by_the_rule_once(cast, month):
    m = month()  # bob lost 4 panels beyond the allowance, priced 2.50 yuan each
    _rule(cast)

    (line,) = services.material_loss_deduct(actor=cast.head, job=m.socket)
    again = services.material_loss_deduct(actor=cast.head, job=m.socket)

    assert (line.worker_id, line.kind, line.amount) == (cast.bob.pk, LineKind.DEDUCTION, Decimal("-5.00"))
    assert "面板" in line.reason and "按企业单价由本人承担一半" in line.reason
    assert again == []
    assert PayLine.objects.filter(kind=LineKind.DEDUCTION).count() == 1


def test_the_rules_cap_limits_a_jobs_deduction(cast, month):
    m = month()
    _rule(cast, pct="100", cap="3")

    (line,) = services.material_loss_deduct(actor=cast.head, job=m.socket)

    assert line.amount == Decimal("-3.00")  # 4 × 2.50 = 10.00, capped at 3


def test_without_a_rule_nothing_is_deducted(cast, month):
    m = month()
    with pytest.raises(ValidationError, match="还没有设置"):
        services.material_loss_deduct(actor=cast.head, job=m.socket)
    _rule(cast, pct="0")
    with pytest.raises(ValidationError, match="还没有设置"):
        services.material_loss_deduct(actor=cast.head, job=m.socket)
    assert not PayLine.objects.filter(kind=LineKind.DEDUCTION).exists()


def test_a_new_rule_is_a_new_row_and_only_the_head_sets_it(cast):
    first = _rule(cast)
    second = _rule(cast, pct="30", text="按三成承担")
    other = WorkshopFactory(head=UserFactory(username="other-head")).head

    assert selectors.loss_rule(cast.ws.pk) == second
    assert LossRule.objects.get(pk=first.pk).share_pct == Decimal("50.00")
    with pytest.raises(PermissionDenied):
        pay.loss_rule_set(workshop=cast.ws, share_pct="10", cap_yuan="5", text="x", actor=other)
    with pytest.raises(PermissionDenied):
        pay.loss_rule_set(workshop=cast.ws, share_pct="10", cap_yuan="5", text="x", actor=cast.bob.user)


@pytest.mark.parametrize(
    ("pct", "cap", "text", "words"),
    [
        ("101", "5", "x", "0到100"),
        ("-1", "5", "x", "0到100"),
        ("10", "-1", "x", "不小于0"),
        ("10", "5", " ", "写明"),
        # Found in a trial: twenty nines is a number to the fen; its size is what is wrong.
        ("10", "9" * 20, "x", "上限最多 5000.00 元"),
        ("10", "9" * 40, "x", "上限最多 5000.00 元"),  # too many digits to round to the fen
        ("十", "5", "x", "比例在0到100之间"),
        ("10", "五", "x", "上限请填不小于0的金额"),
    ],
)
def test_a_bad_rule_is_refused_in_words(cast, pct, cap, text, words):
    with pytest.raises(ValidationError, match=words):
        pay.loss_rule_set(workshop=cast.ws, share_pct=pct, cap_yuan=cap, text=text, actor=cast.head)
    assert not LossRule.objects.exists()


def test_another_workshops_head_cannot_deduct(cast, month):
    m = month()
    _rule(cast)
    other = WorkshopFactory(head=UserFactory(username="other-head")).head
    with pytest.raises(PermissionDenied):
        services.material_loss_deduct(actor=other, job=m.socket)
