"""Dispatch planning: how a job's open pieces are split among workers.

``plan_split`` is the one planning function: the optimiser issue replaces its body (min-cost flow with
fairness) behind the same signature. This first version is a plain rule: suitable workers (skill, active,
spare capacity before the due date), fewest open pieces first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from workshop.models import ProcessKind, Worker

# Prior speeds (pieces per hour) by process kind, until the optimiser learns each worker's own speed.
PRIOR_PIECES_PER_HOUR: dict[str, int] = {
    ProcessKind.ASSEMBLY: 60,
    ProcessKind.FABRIC: 30,
    ProcessKind.PACKAGING: 80,
    ProcessKind.OTHER: 40,
}
MIN_SHARE = 50  # pieces: smaller shares cost more in handling than they save in time


@dataclass(frozen=True)
class Share:
    """One planned assignment: ``pieces`` (int) of the job for worker ``worker_id``, with reasons in words."""

    worker_id: int
    pieces: int
    reasons: str


def hours_for(pieces: int, kind: str) -> float:
    """Hours ``pieces`` of ``kind`` take at the prior speed."""
    return pieces / PRIOR_PIECES_PER_HOUR.get(kind, 40)


def capacity_pieces(worker: Worker, kind: str, *, today: dt.date, due_on: dt.date) -> int:
    """Pieces ``worker`` can make of ``kind`` from ``today`` to ``due_on`` inclusive, from weekly hours."""
    days = max((due_on - today).days + 1, 1)
    return int(worker.hours_per_week * days / 7 * PRIOR_PIECES_PER_HOUR.get(kind, 40))


def plan_split(
    *,
    kind: str,
    pieces: int,
    due_on: dt.date,
    today: dt.date,
    candidates: Sequence[Worker],
    open_pieces: Mapping[int, int],
    open_hours: Mapping[int, float] | None = None,
) -> list[Share]:
    """Split ``pieces`` (int > 0) of process ``kind`` due ``due_on`` among ``candidates``.

    ``open_pieces`` maps a worker id to the pieces they already hold but have not reported; ``open_hours``,
    when given, maps a worker id to the hours that work needs (pieces of other kinds take other times),
    and the spare capacity is counted in hours instead of pieces. Returns shares
    whose pieces sum to at most ``pieces``: fewer when the workers' spare capacity is short, and the rest
    is offered again later. Never gives a worker more than their spare capacity before the due date.
    """
    eligible = []
    for w in candidates:
        if not w.active or not w.has_skill(kind):
            continue
        if open_hours is not None:
            speed = PRIOR_PIECES_PER_HOUR.get(kind, 40)
            spare = int(
                capacity_pieces(w, kind, today=today, due_on=due_on) - open_hours.get(w.pk, 0.0) * speed
            )
        else:
            spare = capacity_pieces(w, kind, today=today, due_on=due_on) - open_pieces.get(w.pk, 0)
        if spare > 0:
            eligible.append((open_pieces.get(w.pk, 0), w.pk, spare))
    if not eligible or pieces <= 0:
        return []
    eligible.sort()
    chunk = max(math.ceil(pieces / len(eligible)), MIN_SHARE)
    # A share is at least a day's work for its worker: fewer, fuller shares mean fewer trips for materials.
    day_pieces = {w.pk: int(w.hours_per_week / 6 * PRIOR_PIECES_PER_HOUR.get(kind, 40)) for w in candidates}
    given: dict[int, int] = {}
    remaining = pieces
    for _held, worker_id, spare in eligible:
        if remaining <= 0:
            break
        take = min(max(chunk, day_pieces[worker_id]), spare, remaining)
        given[worker_id] = take
        remaining -= take
    # A nearly-full worker takes less than a chunk: hand what they could not take to those with room,
    # in the same order, so pieces stay unoffered only when the workers' spare capacity is short.
    for _held, worker_id, spare in eligible:
        if remaining <= 0:
            break
        extra = min(spare - given.get(worker_id, 0), remaining)
        if extra > 0:
            given[worker_id] = given.get(worker_id, 0) + extra
            remaining -= extra
    shares: list[Share] = []
    for held, worker_id, _spare in eligible:
        if given.get(worker_id):
            reasons = _("技能匹配") + " · " + (_("手头无活") if held == 0 else _("手头%(n)d件") % {"n": held})
            shares.append(Share(worker_id=worker_id, pieces=given[worker_id], reasons=reasons))
    return shares
