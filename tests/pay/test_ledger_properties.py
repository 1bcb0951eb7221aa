"""Random sequences of reports, undos, report corrections, a lot handed over and inspected, result
corrections, bonuses and deductions (keys replayed on purpose), month closes and payouts. After every step:

- each worker's paid total = the sum of the lines of the months she was paid for, and each payout = the
  sum of her lines in its month;
- no line ever changes once written (only its month's period is attached, once, at the close), and no line
  counts in a month already closed without being in it;
- a closed month's total and lines never change, and its total is the sum of its lines;
- a share's reported and passed pieces are the sums of its report and result rows (the reversals count);
- a refused step writes nothing.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch import services
from dispatch.models import InspectionResult, Job, JobState, WorkReport
from dispatch.services import ResultInput
from dispatch.services.corrections import last_live_report
from pay import services as pay
from pay.models import LineKind, PayLine, Payout, PayoutBatch, PayPeriod
from tests.lots import hand_over

from .conftest import key, started

who = st.integers(min_value=0, max_value=1)
step = st.one_of(
    st.tuples(st.just("report"), who, st.integers(min_value=1, max_value=25)),
    st.tuples(st.just("undo"), who),
    st.tuples(st.just("correct_report"), who, st.integers(min_value=0, max_value=25)),
    st.tuples(st.just("deliver"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("correct_result"), who, st.integers(min_value=0, max_value=20)),
    st.tuples(
        st.just("adjust"),
        who,
        st.sampled_from([LineKind.BONUS, LineKind.DEDUCTION]),
        st.integers(min_value=1, max_value=5000),  # fen
        st.integers(min_value=0, max_value=3),  # a small pool of keys: replays happen
    ),
    st.tuples(st.just("close")),
    st.tuples(st.just("pay"), st.sampled_from(["cash", "transfer"])),
)


def _apply(cast, job: Job, shares, keys: dict, s) -> None:
    kind = s[0]
    if kind == "report":
        a = shares[s[1]]
        a.refresh_from_db()
        if a.pieces_to_do:
            services.work_report(
                actor=a.worker.user, assignment=a, pieces=min(s[2], a.pieces_to_do), key=key()
            )
    elif kind == "undo":
        last = last_live_report(shares[s[1]].pk)
        if last is not None:
            services.report_undo(actor=last.reported_by, report=last)
    elif kind == "correct_report":
        last = last_live_report(shares[s[1]].pk)
        if last is not None:
            services.report_correct(actor=cast.head, report=last, pieces=s[2], reason="数错了")
    elif kind == "deliver":
        job.refresh_from_db()
        if job.state == JobState.IN_PROGRESS:
            services.job_complete(job=job)
            job.refresh_from_db()
        if job.state != JobState.COMPLETED:
            return
        hand_over(job)
        results = []
        for a in shares:
            a.refresh_from_db()
            rejected = min(s[1], a.pieces_to_inspect)
            results.append(
                ResultInput(assignment_id=a.pk, passed=a.pieces_to_inspect - rejected, rejected=rejected)
            )
        services.inspection_book(inspection=services.job_inspect(actor=cast.clerk, job=job, results=results))
    elif kind == "correct_result":
        result = (
            InspectionResult.objects.filter(
                assignment=shares[s[1]], reverses__isnull=True, reversed_by__isnull=True
            )
            .order_by("-id")
            .first()
        )
        if result is not None:
            passed = min(s[2], result.pieces_submitted)
            services.result_correct(
                actor=cast.head,
                result=result,
                passed=passed,
                rejected=result.pieces_submitted - passed,
                reason="复检",
            )
    elif kind == "adjust":
        worker = shares[s[1]].worker
        k = keys.setdefault(s[4], key())
        pay.adjustment_add(
            worker=worker, kind=s[2], amount=Decimal(s[3]) / 100, reason="调整", actor=cast.head, key=k
        )
    elif kind == "close":
        month = pay.open_month(cast.ws.pk, timezone.localdate())
        services.period_close(actor=cast.head, workshop=cast.ws, month=month, early=True)
    elif kind == "pay":
        period = (
            PayPeriod.objects.filter(workshop=cast.ws, closed_at__isnull=False).order_by("-month").first()
        )
        if period is not None:
            pay.payout_mark_paid(period=period, method=s[1], actor=cast.head, key=key())


def _state() -> tuple:
    return (
        list(
            PayLine.objects.order_by("id").values_list("id", "amount", "pieces_passed", "period_id", "month")
        ),
        list(WorkReport.objects.order_by("id").values_list("id", "pieces")),
        list(InspectionResult.objects.order_by("id").values_list("id", "pieces_passed")),
        list(PayPeriod.objects.order_by("id").values_list("id", "closed_at", "total_yuan")),
        list(Payout.objects.order_by("id").values_list("id", "amount")),
        PayoutBatch.objects.count(),
    )


def _check(cast, shares, seen_lines: dict, seen_closed: dict) -> None:
    # Lines never change once written; a period is attached once.
    for pk, amount, pieces, period_id, month in PayLine.objects.values_list(
        "id", "amount", "pieces_passed", "period_id", "month"
    ):
        if pk in seen_lines:
            was = seen_lines[pk]
            assert (amount, pieces, month) == was[:3]
            assert was[3] is None or was[3] == period_id
        seen_lines[pk] = (amount, pieces, month, period_id)
    # A closed month never changes, and is the sum of its lines.
    for period in PayPeriod.objects.filter(closed_at__isnull=False):
        lines = sorted(period.lines.values_list("id", "amount"))
        assert period.total_yuan == sum((a for _i, a in lines), Decimal("0"))
        if period.pk in seen_closed:
            assert seen_closed[period.pk] == (period.total_yuan, lines)
        seen_closed[period.pk] = (period.total_yuan, lines)
    # Every line counts in a month that is still open, or belongs to that month's closed period.
    closed = dict(PayPeriod.objects.filter(closed_at__isnull=False).values_list("month", "id"))
    for month, period_id in PayLine.objects.values_list("month", "period_id"):
        assert period_id == closed.get(month), (month, period_id)
    # Paid = the lines of the months paid; each payout = her lines in its month.
    for a in shares:
        worker = a.worker
        payouts = list(Payout.objects.filter(worker=worker).values_list("period_id", "amount"))
        for period_id, amount in payouts:
            assert amount == sum(
                PayLine.objects.filter(worker=worker, period_id=period_id).values_list("amount", flat=True),
                Decimal("0"),
            )
        paid_lines = PayLine.objects.filter(worker=worker, period_id__in=[p for p, _ in payouts])
        assert sum((amt for _p, amt in payouts), Decimal("0")) == sum(
            paid_lines.values_list("amount", flat=True), Decimal("0")
        )
        # The share's counters are the sums of its rows, reversals included.
        a.refresh_from_db()
        assert a.pieces_reported == (
            WorkReport.objects.filter(assignment=a).aggregate(t=Sum("pieces"))["t"] or 0
        )
        assert a.pieces_passed == (
            InspectionResult.objects.filter(assignment=a).aggregate(t=Sum("pieces_passed"))["t"] or 0
        )
        # Her pay for the job is its passed pieces × the rate, through every correction.
        assert (
            sum(PayLine.objects.filter(assignment=a).values_list("pieces_passed", flat=True), 0)
            == a.pieces_passed
        )


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(step, max_size=16))
def test_paid_totals_are_the_paid_lines_and_nothing_paid_or_closed_ever_changes(cast, issue_job, steps):
    with transaction.atomic():
        job, shares = started(cast, issue_job, shares=(("alice", 20), ("bob", 20)), rate="1.2500")
        for a in shares:  # both can be paid by transfer too
            type(a.worker).objects.filter(pk=a.worker_id).update(bank_account="6217000010012345678")
        seen_lines: dict = {}
        seen_closed: dict = {}
        keys: dict = {}
        # The random steps, then the month to its end: every piece made and inspected, the month closed and
        # paid, a booked result corrected afterwards, and the next month closed and paid.
        finish = [
            ("report", 0, 20),
            ("report", 1, 20),
            ("deliver", 3),
            ("close",),
            ("pay", "cash"),
            ("correct_result", 0, 2),
            ("close",),
            ("pay", "transfer"),
        ]
        for s in itertools.chain(steps, finish):
            before = _state()
            try:
                with transaction.atomic():
                    _apply(cast, job, shares, keys, s)
            except (ValidationError, PermissionDenied):
                assert _state() == before, s  # refused: nothing written
            _check(cast, shares, seen_lines, seen_closed)
        transaction.set_rollback(True)
