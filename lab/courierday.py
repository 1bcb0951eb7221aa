"""A courier's day driven through the real logistics services, for ``simulate`` and ``bench``: plan the
workshop's runs, each courier sets off, checks off every stop in order, and comes back.

The lab runs many days within one calendar day, and a courier may only check off a stop of her run on its
day (``logistics.services.common.check_courier_of`` compares with ``today()``). ``courier_clock`` moves
that one clock, in this process only, to the simulated day; everything else keeps the real time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.db.models import Max
from django.utils import timezone

from logistics import services as logistics
from logistics.models import Run, Stop
from logistics.services import common as logistics_common
from workshop.models import Workshop

Decide = Callable[[Stop], logistics.CheckOff]


@dataclass
class CourierDay:
    """What one day's runs did: the runs (ids), every scheduled stop with the check-off given, and the
    stops the plan could not fit."""

    day: dt.date
    runs: list[int] = field(default_factory=list)
    checked: list[tuple[Stop, logistics.CheckOff]] = field(default_factory=list)
    unscheduled: int = 0


@contextmanager
def courier_clock(day: dt.date) -> Iterator[None]:
    """Within the block the logistics services take ``day`` for today (this process only)."""
    with mock.patch.object(logistics_common, "today", lambda: day):
        yield


def next_free_day(workshop: Workshop) -> dt.date:
    """Today, or the day after the workshop's last run when runs exist from today on (runs are one per
    vehicle and day: a second lab run on the same database starts after the first)."""
    today = timezone.localdate()
    last = Run.objects.filter(workshop=workshop).aggregate(d=Max("day"))["d"]
    return today if last is None or last < today else last + dt.timedelta(days=1)


def everything_done(stop: Stop) -> logistics.CheckOff:
    """Every door answers and every count is what was expected."""
    return logistics.CheckOff(outcome=logistics.DONE)


def drive_day(
    workshop: Workshop,
    day: dt.date,
    *,
    actor,
    key: str,
    decide: Decide = everything_done,
    route_time_limit_s: float | None = None,
) -> CourierDay:
    """Plan ``workshop``'s runs of ``day`` as ``actor`` (its head), then each run's courier starts, checks
    off every scheduled stop in order with ``decide(stop)``'s check-off (keys ``{key}-{stop id}``) and
    finishes. A run holding only unscheduled stops is started and finished too, so no run stays open.
    ``route_time_limit_s``: the route search's limit (default the setting, as the head's page has it).
    Raises what the services raise."""
    out = CourierDay(day)
    # Planned at the start of the simulated day, as the beat plans before the depot's time: the home hours
    # count from the depot's start whatever the real clock says (today's date is a simulated day too).
    planned_at = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    with courier_clock(day):
        plan = logistics.runs_plan(
            workshop=workshop, day=day, actor=actor, route_time_limit_s=route_time_limit_s, now=planned_at
        )
        out.unscheduled = len(plan.unscheduled)
        for run in plan.runs:
            if run.courier_id is None:
                raise RuntimeError(f"{run.vehicle} has no courier: set one on the vehicle first.")
            courier = run.courier.user
            logistics.run_start(actor=courier, run=run)
            for stop in sorted(run.planned_stops, key=lambda s: s.seq):
                check = decide(stop)
                logistics.stop_check(actor=courier, stop=stop, check=check, key=f"{key}-{stop.pk}")
                out.checked.append((stop, check))
            logistics.run_finish(actor=courier, run=run)
            out.runs.append(run.pk)
    return out
