"""The pay ledger: pay lines and pay periods.

Units: pieces are ``int``; rates are ``Decimal`` yuan per piece with 4 places; amounts are ``Decimal`` yuan
to the fen; dates are Asia/Shanghai. Both tables were made by the flow app (``dispatch``) and keep their
names (``db_table``): moving the models here moved no row.
"""

from __future__ import annotations

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

    class Meta:
        db_table = "dispatch_payperiod"  # made by the flow app before pay had its own; no row moved
        verbose_name = _("结算周期")
        verbose_name_plural = _("结算周期")
        constraints = [models.UniqueConstraint(fields=["workshop", "month"], name="pay_period_unique")]

    def __str__(self) -> str:
        return f"{self.workshop} {self.month:%Y-%m}"


class PayLine(models.Model):
    """Pay for the passed pieces of one inspection result (计件工资): pieces × rate, half-up to the fen.

    One line per inspection result (database-unique), so no passed piece is paid twice.
    """

    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, related_name="pay_lines"
    )
    assignment = models.ForeignKey(
        "dispatch.Assignment", verbose_name=_("派工"), on_delete=models.PROTECT, related_name="pay_lines"
    )
    inspection = models.ForeignKey(
        "dispatch.Inspection", verbose_name=_("质检"), on_delete=models.PROTECT, related_name="pay_lines"
    )
    result = models.OneToOneField(
        "dispatch.InspectionResult",
        verbose_name=_("质检结果"),
        on_delete=models.PROTECT,
        related_name="pay_line",
    )
    pieces_passed = models.PositiveIntegerField(_("合格件数"))
    rate = models.DecimalField(_("计件单价(元/件)"), max_digits=10, decimal_places=4)
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    booked_on = models.DateField(_("入账日期"))
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
            models.CheckConstraint(condition=Q(pieces_passed__gt=0), name="payline_pieces_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payline_amount_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.amount}"
