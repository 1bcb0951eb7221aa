"""Closing a workshop's pay month (关账), with the flow's own check first: no inspection of that month may
still be open, so no piece of the month is left out of it. The ledger side is ``pay.services``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pay.models import PayPeriod
from pay.selectors import first_pay_month
from pay.services import pay_period_close
from workshop.dates import local_midnight, next_month
from workshop.models import Workshop
from workshop.roles import ADMIN, HEAD, SUPERUSER, scope_for

from ..models import Inspection, Job, JobState

# Names listed in a refusal before "…等 N 张".
_NAMED = 5


def open_inspections(workshop_id: int, month: dt.date) -> list[str]:
    """What of ``month`` (any date in it, Asia/Shanghai) still waits for the firm in ``workshop_id``: the
    titles of jobs handed over before the month ended and not yet inspected, and of inspections made
    before it ended and not yet booked. Sorted, each title once. Two queries."""
    end = local_midnight(next_month(month.replace(day=1)))
    waiting = Job.objects.filter(
        workshop_id=workshop_id,
        state__in=(JobState.HANDED_OVER, JobState.INSPECTING),
        events__to_state=JobState.HANDED_OVER,
        events__at__lt=end,
    ).values_list("title", flat=True)
    unbooked = Inspection.objects.filter(
        job__workshop_id=workshop_id, booked_at__isnull=True, at__lt=end
    ).values_list("job__title", flat=True)
    return sorted(set(waiting) | set(unbooked))


@transaction.atomic
def period_close(*, actor, workshop: Workshop | int, month: dt.date, early: bool = False) -> PayPeriod:
    """Close ``workshop``'s pay month of ``month`` (关账): refused for a month not yet begun, for a month
    before the workshop's first (``pay.selectors.first_pay_month``: it would only leave an empty closed
    month behind), for the month still running unless ``early`` (the head confirmed closing before its
    end), and while an inspection of that month is still open (naming what is left); else
    ``pay.services.pay_period_close``. ``actor``: the workshop's head, a community admin over it, a
    superuser, or None (the system's daily task). Idempotent.

    Raises PermissionDenied, ValidationError in words (code ``before_first_month`` for a month before the
    workshop's first); nothing is written then."""
    ws = workshop if isinstance(workshop, Workshop) else Workshop.objects.get(pk=workshop)
    if actor is not None:
        scope = scope_for(actor)
        if scope.role not in (HEAD, ADMIN, SUPERUSER) or not scope.covers(ws.pk):
            raise PermissionDenied(_("只有本工坊坊长或社区管理员可以关账。"))
    first = month.replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    if first > this_month:
        raise ValidationError(_("%(m)s 还没到,不能关账。") % {"m": f"{first:%Y-%m}"})
    start = first_pay_month(ws)
    if first < start:
        raise ValidationError(
            _("%(ws)s 从 %(start)s 起才有工资账,不能为更早的 %(m)s 关账。")
            % {"ws": ws.name, "start": f"{start:%Y-%m}", "m": f"{first:%Y-%m}"},
            code="before_first_month",
        )
    if first == this_month and not early:
        raise ValidationError(
            _("%(m)s 还没过完:月底后再关账;确要提前关账,请勾选“提前关账”。") % {"m": f"{first:%Y-%m}"}
        )
    closed = PayPeriod.objects.filter(workshop=ws, month=first, closed_at__isnull=False).first()
    if closed is not None:
        return closed
    left = open_inspections(ws.pk, first)
    if left:
        names = "、".join(left[:_NAMED]) + (_("等 %(n)d 张") % {"n": len(left)} if len(left) > _NAMED else "")
        raise ValidationError(
            _("%(m)s 还有验收没办完,不能关账:%(names)s。请等企业验收入账后再关。")
            % {"m": f"{first:%Y-%m}", "names": names}
        )
    return pay_period_close(workshop=ws, month=first, actor=actor)
