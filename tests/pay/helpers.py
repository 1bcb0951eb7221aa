"""A correction in the pay ledger (a negative line), for the impact tests.

The ledger is being extended (in parallel) so that a correction is a new line that may be negative, with
its ``kind``; until that lands, the table's check constraints (amount ≥ 0, pieces > 0) refuse one.
``book_correction`` writes the row as that extension will, with the checks off for this one insert (inside
the test's transaction), so the impact figures can be tested against negative lines now. When the
extension lands, book it through its service instead.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from dispatch.models import Inspection, InspectionResult
from pay.models import PayLine

CHECKS = ("payline_amount_nonnegative", "payline_pieces_positive")


@contextmanager
def _checks_off():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
            return
        # PostgreSQL: DDL is transactional, so the test's rollback puts the checks back.
        for name in CHECKS:
            cursor.execute(f'ALTER TABLE "{PayLine._meta.db_table}" DROP CONSTRAINT IF EXISTS "{name}"')
        yield


def book_correction(
    *, line: PayLine, amount: str, pieces: int = 0, booked_on: dt.date | None = None
) -> PayLine:
    """A new pay line correcting ``line``: ``amount`` yuan (negative for a deduction) and ``pieces`` passed
    pieces (negative for a reversal, 0 for a plain adjustment), at ``line``'s rate, booked on ``booked_on``
    (default today). The original line is left as it is (the ledger is append-only)."""
    inspection = Inspection.objects.create(job=line.assignment.job, inspector=line.inspection.inspector)
    result = InspectionResult.objects.create(
        inspection=inspection,
        assignment=line.assignment,
        pieces_submitted=0,
        pieces_passed=0,
        pieces_rejected=0,
    )
    with _checks_off():
        return PayLine.objects.create(
            worker=line.worker,
            assignment=line.assignment,
            inspection=inspection,
            result=result,
            pieces_passed=pieces,
            rate=line.rate,
            amount=Decimal(amount),
            booked_on=booked_on or timezone.localdate(),
        )
