"""Yuan as people type them, read one way for adjustments, loss rules and a firm's disputed figure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pay import money


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("20", Decimal("20")),
        (" 12.5 ", Decimal("12.5")),
        ("１２.5", Decimal("12.5")),  # full-width digits from a Chinese keyboard
        ("¥20", Decimal("20")),
        ("20元", Decimal("20")),
        ("100.", Decimal("100")),
        (".5", Decimal("0.5")),
        ("-5", Decimal("-5")),
        (Decimal("7.25"), Decimal("7.25")),
        ("1e3", None),  # not a thousand yuan
        ("1,000", None),
        ("NaN", None),
        ("Infinity", None),
        (Decimal("NaN"), None),
        ("--5", None),
        ("五十", None),
        ("", None),
        (None, None),
    ],
)
def test_a_typed_amount_is_a_plain_number_or_nothing(typed, read):
    assert money.yuan_typed(typed) == read
