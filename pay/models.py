"""The pay ledger: pay lines and pay periods.

Units: pieces are ``int``; rates are ``Decimal`` yuan per piece with 4 places; amounts are ``Decimal`` yuan
to the fen; dates are Asia/Shanghai. Both tables were made by the flow app (``dispatch``) and keep their
names (``db_table``): moving the models here moved no row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workshop.models import Worker, Workshop


class PayPeriod(models.Model):
    """A workshop's monthly pay period (结算周期); closing it fixes the lines booked in that month."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.CASCADE, related_name="pay_periods"
    )
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    total_yuan = models.DecimalField(_("工资合计(元)"), max_digits=14, decimal_places=2, default=0)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关账人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "dispatch_payperiod"  # made by the flow app before pay had its own; no row moved
        verbose_name = _("结算周期")
        verbose_name_plural = _("结算周期")
        constraints = [models.UniqueConstraint(fields=["workshop", "month"], name="pay_period_unique")]

    def __str__(self) -> str:
        return f"{self.workshop} {self.month:%Y-%m}"


class LineKind(models.TextChoices):
    """What a pay line is. Every line is a fact written once; a correction is a new line, never an edit."""

    PIECE = "piece", _("计件工资")
    CORRECTION = "correction", _("更正")
    BONUS = "bonus", _("奖励")
    DEDUCTION = "deduction", _("扣款")


class PayLine(models.Model):
    """One line of a worker's pay ledger (工资明细), written once and never edited or deleted.

    - ``piece``: the passed pieces of one inspection result (计件工资): pieces (int > 0) × rate, half-up to
      the fen. One line per inspection result (database-unique), so no passed piece is paid twice.
    - ``correction``: the pay of a corrected inspection result: its reversal (negative pieces and amount)
      or its re-entered figures; ``corrects`` names the line it corrects and ``corrects_period`` the closed
      period that line was in (the correction itself lands in the open month it is booked in).
    - ``bonus`` (amount > 0) / ``deduction`` (amount < 0): an adjustment with a ``reason``, an ``actor``
      and an idempotency ``key``, so a retried request never grants twice.

    ``period`` is set when the month is closed (``pay_period_close``); a line booked after its month
    closed is booked in the next open month instead (``booked_on`` is the day it was really booked).
    """

    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, related_name="pay_lines"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=LineKind.choices, default=LineKind.PIECE)
    assignment = models.ForeignKey(
        "dispatch.Assignment",
        verbose_name=_("派工"),
        on_delete=models.PROTECT,
        related_name="pay_lines",
        null=True,
        blank=True,
    )
    inspection = models.ForeignKey(
        "dispatch.Inspection",
        verbose_name=_("质检"),
        on_delete=models.PROTECT,
        related_name="pay_lines",
        null=True,
        blank=True,
    )
    result = models.OneToOneField(
        "dispatch.InspectionResult",
        verbose_name=_("质检结果"),
        on_delete=models.PROTECT,
        related_name="pay_line",
        null=True,
        blank=True,
    )
    pieces_passed = models.IntegerField(_("合格件数"), default=0)
    rate = models.DecimalField(_("计件单价(元/件)"), max_digits=10, decimal_places=4, default=0)
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    booked_on = models.DateField(_("入账日期"))
    month = models.DateField(_("计入月份"), help_text=_("当月1日"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    key = models.CharField(_("幂等键"), max_length=64, null=True, blank=True, unique=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的明细"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    corrects_period = models.ForeignKey(
        PayPeriod,
        verbose_name=_("更正的结算周期"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True, null=True)
    period = models.ForeignKey(
        PayPeriod,
        verbose_name=_("结算周期"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
    )

    class Meta:
        db_table = "dispatch_payline"
        verbose_name = _("工资明细")
        verbose_name_plural = _("工资明细")
        ordering = ["-booked_on", "-id"]
        indexes = [models.Index(fields=["worker", "booked_on"], name="dispatch_pa_worker__102757_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="piece") | Q(pieces_passed__gt=0, amount__gte=0, result__isnull=False),
                name="payline_piece_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind="bonus") | Q(amount__gt=0), name="payline_bonus_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind="deduction") | Q(amount__lt=0), name="payline_deduction_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["bonus", "deduction"]) | Q(key__isnull=False, pieces_passed=0),
                name="payline_adjustment_keyed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.amount}"


class PayMethod(models.TextChoices):
    CASH = "cash", _("现金")
    TRANSFER = "transfer", _("转账")


class PayoutBatch(models.Model):
    """A payout of a closed period (发放), marked paid by the head: cash against a signature sheet, or a
    bank transfer list. Written once; ``key`` makes a retried request record it once."""

    period = models.ForeignKey(
        PayPeriod, verbose_name=_("结算周期"), on_delete=models.PROTECT, related_name="payouts"
    )
    method = models.CharField(_("发放方式"), max_length=20, choices=PayMethod.choices)
    paid_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=64, unique=True)
    total_yuan = models.DecimalField(_("发放合计(元)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("工资发放")
        verbose_name_plural = _("工资发放")
        ordering = ["-paid_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.get_method_display()} {self.total_yuan}"


class Payout(models.Model):
    """One worker's pay for one closed period, paid in ``batch``: the sum of her lines in that period
    (Decimal yuan). Database-unique per period and worker, so nobody is paid twice for a period."""

    batch = models.ForeignKey(
        PayoutBatch, verbose_name=_("发放批次"), on_delete=models.PROTECT, related_name="payouts"
    )
    period = models.ForeignKey(
        PayPeriod, verbose_name=_("结算周期"), on_delete=models.PROTECT, related_name="worker_payouts"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, related_name="payouts"
    )
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    lines = models.PositiveIntegerField(_("明细条数"))

    class Meta:
        verbose_name = _("个人发放")
        verbose_name_plural = _("个人发放")
        constraints = [
            models.UniqueConstraint(fields=["period", "worker"], name="payout_once_per_period"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.period} {self.amount}"


class SlipNoteKind(models.TextChoices):
    SEEN = "seen", _("已看过")
    QUESTION = "question", _("疑问")
    ANSWER = "answer", _("回复")


class SlipNote(models.Model):
    """What a worker and her head said about one month's wage slip (工资条), one row per act, never edited:
    ``seen`` (她看过了,没问题), ``question`` (her words, ≤ 200 characters) and ``answer`` (the head's reply to
    one question, ``answers`` it). A month's history is its rows in order: she may ask again after an
    answer, and see it again after a later correction. ``key`` makes a double-tapped question count once.
    """

    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, related_name="slip_notes"
    )
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    kind = models.CharField(_("类型"), max_length=20, choices=SlipNoteKind.choices)
    text = models.CharField(_("内容"), max_length=500, blank=True)
    answers = models.OneToOneField(
        "self",
        verbose_name=_("回复的疑问"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answer",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    key = models.CharField(_("幂等键"), max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("工资条确认")
        verbose_name_plural = _("工资条确认")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["worker", "month"], name="pay_slipnote_worker_month")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="answer", answers__isnull=False)
                | (~Q(kind="answer") & Q(answers__isnull=True)),
                name="slipnote_answer_names_question",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["question", "answer"]) | ~Q(text=""), name="slipnote_words_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.month:%Y-%m} {self.kind}"
