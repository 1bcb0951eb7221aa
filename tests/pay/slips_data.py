"""Alice's month, for the wage-slip tests: a job booked last month (closed, then corrected), a job booked
this month with rejects and rework, a bonus and a deduction. Figures worked out by hand in ``EXPECTED``."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.utils import timezone

from dispatch import services
from dispatch.models import Inspection, InspectionResult
from pay import rollups
from pay import services as pay
from pay.models import LineKind, PayLine
from tests.mobile.conftest import accepted_job, in_hand, inspect_and_book, report

from .conftest import booked


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def into_last_month(job) -> None:
    """Move a job's booked inspection and pay lines to the middle of last month (a test cannot wait a
    month): as if it had been inspected and booked then."""
    day = last_month() + dt.timedelta(days=14)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    Inspection.objects.filter(job=job).update(at=at, booked_at=at)
    PayLine.objects.filter(inspection__job=job).update(booked_on=day, month=last_month())
    rollups.rollups_rebuild()  # lines back-dated behind the services' back: sum them again


def alices_month(cast, issue_job) -> dict:
    """Last month: 开关面板装配, alice 130 passed at 0.0350 = 4.55, month closed. This month: the firm
    corrects it to 120 passed (−4.55 + 4.20), 布袋缝边 37 pieces at 0.1250: 33 passed = 4.125 → 4.13, 4
    rejected (2 to rework); a bonus of 50 and a deduction of 3.50."""
    old, (share,) = booked(cast, issue_job, shares=(("alice", 130),))
    into_last_month(old)
    period = services.period_close(actor=cast.head, workshop=cast.ws, month=last_month())
    result = InspectionResult.objects.get(assignment=share)
    services.result_correct(
        actor=cast.clerk, result=result, passed=120, rejected=10, reason="复检发现10件松动"
    )
    job = accepted_job(cast, issue_job, quantity=37, rate="0.1250", title="布袋缝边")
    a = in_hand(job, cast.alice, 37)
    report(a, 37)
    inspect_and_book(cast, job, {a.pk: (33, 4, 2, "线头太长")})
    pay.adjustment_add(
        worker=cast.alice,
        kind=LineKind.BONUS,
        amount="50",
        reason="全勤奖",
        actor=cast.head,
        key=uuid.uuid4().hex,
    )
    pay.adjustment_add(
        worker=cast.alice,
        kind=LineKind.DEDUCTION,
        amount="3.5",
        reason="弄坏两个面板",
        actor=cast.head,
        key=uuid.uuid4().hex,
    )
    return {"period": period, "old": old, "job": job}


EXPECTED_TOTAL = Decimal("4.13") - Decimal("4.55") + Decimal("4.20") + Decimal("50.00") - Decimal("3.50")
