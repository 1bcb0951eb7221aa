"""The pay ledger: pay lines and pay periods; and the firms' monthly statements (对账单) with their disputes.

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
        indexes = [
            models.Index(fields=["worker", "booked_on"], name="dispatch_pa_worker__102757_idx"),
            # The month rollups' edge reads (``pay.monthly``): the days of one month, whoever booked them.
            models.Index(fields=["booked_on"], name="payline_booked_on"),
        ]
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


class FirmStatement(models.Model):
    """A firm's monthly statement (对账单) with one workshop: what the firm owes for the month, frozen.

    Units: ``pieces_passed`` is int pieces (signed pay lines summed, so a correction line counts); every
    ``*_yuan`` is Decimal yuan to the fen. ``processing_yuan`` (加工费合计) = Σ per job of passed pieces ×
    the job's piece rate; ``material_deduction_yuan`` (材料超耗扣款) = what the workshop pays back for
    material lost beyond the allowance in the month; ``operator_fee_yuan`` (运营服务费) = Σ per job of passed
    pieces × the job's fee per piece, the workshop's margin inside the 加工费 (not added to it);
    ``payable_yuan`` (应付合计) = ``processing_yuan`` − ``material_deduction_yuan``. ``figures`` holds the
    lines (jobs, then materials) as JSON with Decimal strings (``dispatch.statements``).

    Never edited: a correction is a new row with ``version`` + 1 and ``previous`` the row it corrects; the
    firm's clerk signs a version once (``signed_by``/``signed_at``, written together by a conditional
    update); a disagreement is a ``StatementDispute`` row.
    """

    firm = models.ForeignKey(
        "workshop.PartnerFirm", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="statements"
    )
    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.PROTECT, related_name="firm_statements"
    )
    month = models.DateField(_("月份"), help_text=_("当月1日"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("更正的版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    reason = models.CharField(_("更正原因"), max_length=300, blank=True)
    pieces_passed = models.IntegerField(_("合格件数"))
    rework_pieces = models.PositiveIntegerField(_("返工件数"), default=0)
    processing_yuan = models.DecimalField(_("加工费合计(元)"), max_digits=14, decimal_places=2)
    material_deduction_yuan = models.DecimalField(_("材料超耗扣款(元)"), max_digits=14, decimal_places=2)
    operator_fee_yuan = models.DecimalField(_("运营服务费(元)"), max_digits=14, decimal_places=2)
    payable_yuan = models.DecimalField(_("应付合计(元)"), max_digits=14, decimal_places=2)
    fee_open_to_firm = models.BooleanField(_("对企业公开运营服务费"), default=False)
    figures = models.JSONField(_("明细"), default=dict)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制表人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空表示系统自动"),
    )
    created_at = models.DateTimeField(_("制表时间"), auto_now_add=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("企业签字人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("对账单")
        verbose_name_plural = _("对账单")
        ordering = ["-month", "firm_id", "workshop_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "workshop", "month", "version"], name="statement_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True, signed_at__isnull=True)
                | Q(signed_by__isnull=False, signed_at__isnull=False),
                name="statement_signed_by_and_at_together",
            ),
            models.CheckConstraint(
                condition=Q(version=1, previous__isnull=True) | Q(version__gt=1, previous__isnull=False),
                name="statement_correction_links_previous",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm} · {self.workshop} {self.month:%Y-%m} v{self.version}"

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


class StatementDispute(models.Model):
    """The firm's clerk disagrees with a statement (对账异议): both figures are kept, the clerk's and the
    workshop's (the statement's 应付合计 when raised), Decimal yuan to the fen, with the clerk's note.
    Append-only: never edited or deleted; the answer is a corrected statement (a new version) or the
    clerk's signature. ``key`` (the form's) makes a double submit record one dispute."""

    statement = models.ForeignKey(
        FirmStatement, verbose_name=_("对账单"), on_delete=models.PROTECT, related_name="disputes"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    clerk_figure_yuan = models.DecimalField(_("企业核对金额(元)"), max_digits=14, decimal_places=2)
    workshop_figure_yuan = models.DecimalField(_("工坊对账金额(元)"), max_digits=14, decimal_places=2)
    note = models.CharField(_("异议说明"), max_length=500)
    at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    key = models.CharField(_("幂等键"), max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("对账异议")
        verbose_name_plural = _("对账异议")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.clerk_figure_yuan} ≠ {self.workshop_figure_yuan}"


class LossRule(models.Model):
    """A workshop's rule for deducting material lost beyond the allowance (物料超耗扣款规则), which the
    workers read on their wage slips. Append-only: a change is a new row; the newest row applies.

    A worker's deduction on a job = the units she lost beyond the allowance (what she neither used,
    returned, scrapped in the open nor still holds, above what her consumption allows) × the firm's price
    per unit (``materials.BomLine.unit_price``, yuan) × ``share_pct`` %, to the fen, at most ``cap_yuan``
    a job. ``share_pct`` 0 turns deductions off."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.PROTECT, related_name="loss_rules"
    )
    share_pct = models.DecimalField(_("由坊工承担的比例(%)"), max_digits=5, decimal_places=2)
    cap_yuan = models.DecimalField(_("每单最多扣(元)"), max_digits=10, decimal_places=2)
    text = models.CharField(_("规则说明(坊工可见)"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("物料超耗扣款规则")
        verbose_name_plural = _("物料超耗扣款规则")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_pct__gte=0, share_pct__lte=100), name="lossrule_share_pct_range"
            ),
            models.CheckConstraint(condition=Q(cap_yuan__gte=0), name="lossrule_cap_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} {self.share_pct}%"


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


# --- rollups kept in step with the ledger (pay.rollups) -------------------------------------------------


class WorkerMonth(models.Model):
    """One worker's pay lines of one calendar month of ``booked_on`` (Asia/Shanghai), summed: kept by the
    same transaction that books a line (``pay.rollups``), rebuilt from the ledger by ``rollups_rebuild``.
    Not a ledger: updated in step with it. ``month`` is the month's first day (the month a line was
    booked in, not the pay month it counts in). Every line counts, adjustments included.

    ``lines`` (int), ``pieces`` (signed passed pieces of piece and correction lines, int), ``wages_fen``
    (Σ amount, integer fen), ``job_wages_fen`` (Σ amount of the lines of a job: what the dashboard calls
    计件工资, integer fen), ``first_booked``/``last_booked`` (the earliest and latest ``booked_on``; blank
    for a month with work but no line).

    For the planner, her work by the month it happened in (not pay lines): ``passed``/``rejected``, the
    pieces of the inspection results of her shares (signed: a correction's reversal takes back), by the
    month of the inspection; ``done``/``done_on_time``, her shares now done, by the month of ``done_at``,
    and those done on or before their due date."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()
    lines = models.IntegerField(default=0)
    pieces = models.IntegerField(default=0)
    wages_fen = models.BigIntegerField(default=0)
    job_wages_fen = models.BigIntegerField(default=0)
    first_booked = models.DateField(null=True, blank=True)
    last_booked = models.DateField(null=True, blank=True)
    passed = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    done_on_time = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["worker", "month"], name="worker_month_unique")]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.month:%Y-%m}"


class FirmMonth(models.Model):
    """The pay lines of one firm's jobs made by one workshop in one calendar month of ``booked_on``
    (Asia/Shanghai), summed (``pay.rollups``): the lines of a job only (piece and correction lines), by
    the job's firm and workshop. ``lines`` (int), ``pieces`` (signed passed pieces, int), ``wages_fen``
    (Σ amount, integer fen), ``saving_fen`` (the firm's saving, integer fen: per line
    ``money.firm_saving(pieces, the line's in-house cost, the job's piece_rate)`` half-up to the fen, as
    ``dispatch.reports.firm_savings`` counts it), ``first_booked``/``last_booked``."""

    firm = models.ForeignKey("workshop.PartnerFirm", on_delete=models.CASCADE, related_name="+")
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="firm_months")
    month = models.DateField()
    lines = models.IntegerField(default=0)
    pieces = models.IntegerField(default=0)
    wages_fen = models.BigIntegerField(default=0)
    saving_fen = models.BigIntegerField(default=0)
    first_booked = models.DateField()
    last_booked = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["firm", "workshop", "month"], name="firm_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.firm_id}/{self.workshop_id} {self.month:%Y-%m}"
