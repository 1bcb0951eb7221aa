"""The part-time minimum hourly wage (非全日制最低小时工资) a workshop's rates are checked against: its tiers,
its settings by community, county or province (a model of the ``workshop`` app, imported by
``workshop.models``), and Zhejiang's 2024 figures. Figures are ``Decimal`` yuan per hour."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .provinces import province_label


class WageTier(models.IntegerChoices):
    """The three tiers (档) of Zhejiang's minimum wage; each city picks one per county (县/市/区)."""

    FIRST = 1, _("第一档")
    SECOND = 2, _("第二档")
    THIRD = 3, _("第三档")


class MinimumWage(models.Model):
    """A part-time minimum hourly wage (非全日制最低小时工资) that applies to workshops from a date.

    One row is one setting, never edited: a new figure, tier or correction is a new row, so the history
    of figures stays (``workshop.wage_services.minimum_wage_add``). A row applies to the workshops of one
    community (county + subdistrict + community), of a whole county (subdistrict and community blank) or,
    with all three blank, to every workshop (the province's default). The most specific level wins; within
    a level, the latest ``effective_from`` not after the day, then the newest row.

    Figures are ``Decimal`` yuan per hour for the three tiers; ``tier`` picks the one that applies.
    Seeded with Zhejiang's figures from 2024-01-01 (24 / 22 / 20 yuan, ``ZHEJIANG_2024``).
    """

    region = models.CharField(_("省份"), max_length=20, default="浙江")
    county = models.CharField(_("县"), max_length=100, blank=True)
    subdistrict = models.CharField(_("街道/镇"), max_length=100, blank=True)
    community = models.CharField(_("社区/村"), max_length=100, blank=True)
    tier = models.PositiveSmallIntegerField(_("档次"), choices=WageTier.choices)
    tier1_hourly = models.DecimalField(_("第一档(元/小时)"), max_digits=6, decimal_places=2)
    tier2_hourly = models.DecimalField(_("第二档(元/小时)"), max_digits=6, decimal_places=2)
    tier3_hourly = models.DecimalField(_("第三档(元/小时)"), max_digits=6, decimal_places=2)
    effective_from = models.DateField(_("执行日期"))
    source = models.CharField(_("依据"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("最低小时工资")
        verbose_name_plural = _("最低小时工资")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier1_hourly__gt=0, tier2_hourly__gt=0, tier3_hourly__gt=0),
                name="minwage_figures_positive",
            ),
            models.CheckConstraint(condition=Q(tier__in=(1, 2, 3)), name="minwage_tier_known"),
        ]

    def __str__(self) -> str:
        where = self.community or self.county or self.region
        return f"{where} {self.get_tier_display()} {self.hourly} ({self.effective_from})"

    @property
    def region_label(self) -> str:
        """The province in the reader's language (``浙江`` / ``Zhejiang``)."""
        return province_label(self.region)

    @property
    def hourly(self) -> Decimal:
        """The figure of this row's tier: yuan per hour."""
        return {1: self.tier1_hourly, 2: self.tier2_hourly, 3: self.tier3_hourly}[self.tier]

    @property
    def level(self) -> int:
        """How specific the row is: 2 a community, 1 a county, 0 the default."""
        return 2 if self.community else 1 if self.county else 0


# 浙江省人民政府《关于调整全省最低工资标准的通知》(dated 2024-01-12, effective 2024-01-01; it replaces
# 浙政发〔2021〕22号): part-time hourly minimum 24 / 22 / 20 yuan in tiers one, two and three; each city picks
# its counties' tier. The seed row (migration) copies these; the default tier is the third, the lowest,
# until a community admin sets their county's.
ZHEJIANG_2024 = {
    "tier1_hourly": Decimal("24.00"),
    "tier2_hourly": Decimal("22.00"),
    "tier3_hourly": Decimal("20.00"),
    "source": "浙江省人民政府关于调整全省最低工资标准的通知(2024年1月1日起执行)",
}
