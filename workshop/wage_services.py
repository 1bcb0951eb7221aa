"""The community admin's part-time minimum wage settings (非全日制最低小时工资, ``workshop.wages``): a new
figure, tier or correction is a new row, never an edit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import MinimumWage
from .selectors import minimum_wage_place


@transaction.atomic
def minimum_wage_add(
    *,
    actor,
    tier: int,
    tier1_hourly: Decimal,
    tier2_hourly: Decimal,
    tier3_hourly: Decimal,
    effective_from: dt.date,
    source: str = "",
) -> MinimumWage:
    """Append a part-time minimum hourly wage row (yuan/hour for the three tiers, and the tier that
    applies) for ``actor``'s community (a superuser: the default for every workshop), in force from
    ``effective_from``. Rows are never edited: the earlier rows stay as the history of figures.

    Raises PermissionDenied unless ``actor`` is a community admin (or a superuser); ValidationError (in
    Chinese) when a figure is not positive or the tiers are out of order (第一档 ≥ 第二档 ≥ 第三档).
    """
    place = minimum_wage_place(actor)
    if place is None:
        raise PermissionDenied(_("只有社区管理员可以设置最低工资标准。"))
    if not (tier1_hourly >= tier2_hourly >= tier3_hourly > 0):
        raise ValidationError(_("三档标准应为正数,且第一档 ≥ 第二档 ≥ 第三档。"), code="tiers_order")
    county, subdistrict, community = place
    row = MinimumWage(
        county=county,
        subdistrict=subdistrict,
        community=community,
        tier=tier,
        tier1_hourly=tier1_hourly,
        tier2_hourly=tier2_hourly,
        tier3_hourly=tier3_hourly,
        effective_from=effective_from,
        source=source.strip(),
        set_by=actor,
    )
    row.full_clean()
    row.save()
    return row
