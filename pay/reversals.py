"""How a record with reversal rows reads to a worker (更正): the one rule her share page and her wage slip
both follow.

A correction is append-only: a reversal row (a ``dispatch.InspectionResult`` that ``reverses`` another,
every figure negated) and a new row. A reversal row is never shown on its own ("合格 -144 件 -47.97 元"
reads like money taken away); the row it takes back is marked 已更正: the share page strikes it through,
and the wage slip, where both rows count in the month it shows, leaves the two out together (they add up
to nothing) and shows the new row in the taken-back row's place.

This module only reads rows already loaded: no query, no model import (pay imports no flow module).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class Reversible(Protocol):
    pk: int
    reverses_id: int | None


R = TypeVar("R", bound=Reversible)


def taken_back(rows: Iterable[R]) -> tuple[list[R], dict[int, R]]:
    """Split ``rows`` (anything with ``pk`` and ``reverses_id``, in the order to show) into the rows that
    are no reversal, in order, and ``{pk of a row taken back: the reversal row that takes it back}`` for
    the reversals among ``rows`` (the row taken back may or may not be among them)."""
    standing: list[R] = []
    back: dict[int, R] = {}
    for row in rows:
        if row.reverses_id is None:
            standing.append(row)
        else:
            back[row.reverses_id] = row
    return standing, back
