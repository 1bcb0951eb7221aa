"""Forms of the money pages: a bonus or deduction, a payout, a correction of a report or an inspection
result, and a worker's bank account. They parse and bound the input; ``pay.services`` and
``dispatch.services`` decide what is allowed.

A form that writes money carries a hidden ``key`` made when the form is drawn (a uuid): a double submit
or a retried request sends the same key, and the service records it once.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.fields import PiecesField
from dispatch.services.adjustments import bonus_reason
from pay.models import LineKind, PayMethod
from workshop.text import CheckedForm, hidden_key_field


def new_key() -> str:
    return uuid.uuid4().hex


_NO_KEY = _("缺少有效的提交编号,请刷新页面后重试。")


class KeyedForm(CheckedForm):
    key = hidden_key_field(_NO_KEY)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        if data is None:
            self.fields["key"].initial = new_key()


_TYPE_AMOUNT = _("金额请填数字,例如 50 或 12.5。")


class AdjustmentForm(KeyedForm):
    """A bonus (准时奖, 质量奖, 其他) or a deduction (扣款) for one worker of the workshop, with a reason.
    Each field says what is wrong with it in its own words (the amount's figure is the service's to
    judge: ``pay.services.adjustment_add``)."""

    worker = forms.ModelChoiceField(
        label=_("坊工"),
        queryset=None,
        empty_label=_("请选择坊工"),
        error_messages={"required": _("请选坊工。"), "invalid_choice": _("本工坊没有这位坊工,请重新选。")},
    )
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[
            ("on_time", _("奖励 · 准时奖")),
            ("quality", _("奖励 · 质量奖")),
            ("other", _("奖励 · 其他")),
            (LineKind.DEDUCTION, _("扣款")),
        ],
        error_messages={"required": _("请选类型。"), "invalid_choice": _("请选类型。")},
    )
    amount = forms.CharField(
        label=_("金额(元)"),
        max_length=20,
        error_messages={"required": _TYPE_AMOUNT, "max_length": _TYPE_AMOUNT},
    )
    reason = forms.CharField(
        label=_("原因(坊工会在工资条上看到)"),
        max_length=200,
        widget=forms.TextInput(attrs={"size": 40}),
        error_messages={
            "required": _("请写明原因,坊工会在工资条上看到。"),
            "max_length": _("原因最多200字。"),
        },
    )

    def __init__(self, data=None, *, workers, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["worker"].queryset = workers

    def service_args(self) -> dict:
        """``pay.services.adjustment_add``'s kind and reason: a bonus's reason starts with what it is for
        (准时奖/质量奖, a msgid: ``dispatch.services.adjustments.bonus_reason``), then the reason as typed;
        a deduction's reason is as typed."""
        d = self.cleaned_data
        if d["kind"] == LineKind.DEDUCTION:
            return {"kind": LineKind.DEDUCTION, "reason": d["reason"]}
        return {"kind": LineKind.BONUS, "reason": bonus_reason(d["kind"], d["reason"])}


class PayoutForm(KeyedForm):
    """Mark a closed month paid (发放): cash against a signature sheet, or a bank transfer list; the
    workers ticked (``w``), all still unpaid when none is."""

    method = forms.ChoiceField(label=_("发放方式"), choices=PayMethod.choices, widget=forms.RadioSelect)

    def worker_ids(self) -> list[int] | None:
        """The ticked workers' ids (whole numbers only), or None for all still unpaid. Whether each may
        be paid is the service's to say (a worker already paid is refused by name)."""
        ids = [int(v) for v in self.data.getlist("w") if v.isascii() and v.isdigit() and len(v) < 12]
        return ids or None


_COUNT_WORDS = _("件数请填 0 或正整数,如 12。")
# The take-back's count is the page's own (a hidden field): a wrong one was tampered with or is stale.
_STALE_REST = _("收回件数有误,请刷新页面再试。")
_NO_REASON = {"required": _("请写明更正原因。")}


class ReportCorrectForm(CheckedForm):
    """Each field says what is wrong with it in its own words (the view shows them all)."""

    pieces = PiecesField(
        label=_("更正为(件)"), min_value=0, words=_COUNT_WORDS, required_words=_("请填写更正后的件数。")
    )
    reason = forms.CharField(label=_("更正原因"), max_length=200, error_messages=_NO_REASON)


class ShareTakeBackForm(CheckedForm):
    """``rest``: the pieces the head saw still to make (hidden); ``reason``: the head's words, which the
    worker reads. Any whole number is passed on unbounded: only the service knows whether it is what is
    left now (a wrong one, 0 or twenty digits, is said as a stale page with the count left now) and
    whether the share can be taken back at all (a done one is said as done). Only a count that is no
    whole number is the form's to refuse."""

    rest = PiecesField(
        label=_("收回件数"), min_value=0, max_value=None, words=_STALE_REST, required_words=_STALE_REST
    )
    reason = forms.CharField(
        label=_("收回原因"),
        max_length=200,
        error_messages={
            "required": _("请写明收回的原因,坊工会看到。"),
            "max_length": _("原因最多 200 个字。"),
        },
    )


_PICK_WORKER = _("请选一位接手返工的坊工。")


_STALE_PASS_ON = _("转交件数有误,请刷新页面再试。")


class ReworkPassOnForm(ShareTakeBackForm):
    """``worker``: the id of the worker who takes the rework over (whether she may is the service's to
    say, in words); ``rest`` and ``reason`` as for a take-back, in a pass-on's words (转交, not 收回)."""

    rest = PiecesField(
        label=_("转交件数"), min_value=0, max_value=None, words=_STALE_PASS_ON, required_words=_STALE_PASS_ON
    )
    reason = forms.CharField(
        label=_("转交原因"),
        max_length=200,
        error_messages={
            "required": _("请写明转交的原因,坊工会看到。"),
            "max_length": _("原因最多 200 个字。"),
        },
    )

    worker = forms.IntegerField(
        label=_("交给"),
        min_value=1,
        max_value=2_147_483_647,
        error_messages={k: _PICK_WORKER for k in ("required", "invalid", "min_value", "max_value")},
    )


class ResultCorrectForm(CheckedForm):
    """Each field says what is wrong with it in its own words (the view shows them all)."""

    passed = PiecesField(
        label=_("合格"), min_value=0, words=_COUNT_WORDS, required_words=_("请填写合格和不合格件数。")
    )
    rejected = PiecesField(
        label=_("不合格"), min_value=0, words=_COUNT_WORDS, required_words=_("请填写合格和不合格件数。")
    )
    reason = forms.CharField(label=_("更正原因"), max_length=200, error_messages=_NO_REASON)


class BankForm(CheckedForm):
    """Where her wage is transferred (代发工资): account number (spaces allowed; blank keeps the one on
    file, which the page never shows whole), bank, and ``clear`` to remove both."""

    bank_account = forms.CharField(label=_("收款账号"), max_length=40, required=False)
    bank_name = forms.CharField(label=_("开户行"), max_length=60, required=False)
    clear = forms.BooleanField(label=_("清除账号"), required=False)
