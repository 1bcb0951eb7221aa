"""Reads for door delivery and collection: where a share's finished pieces are, what a day needs, a
courier's run, a workshop's runs, and the lots of a job.

Where finished pieces are, per share (``Goods``): reported by the worker; at the workshop (a share done at
the workshop or fetched by the worker herself is at the workshop when reported; a home share's pieces are
there once a courier has collected them); handed over to the firm (on a delivery note). Pieces: ints.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Prefetch, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from dispatch.models import Assignment, AssignmentKind, AssignmentState, DeliveryMode, Job
from materials.models import BomLine, Movement, MovementKind
from materials.selectors import KitPlan

from .models import (
    Collection,
    DeliveryNote,
    DeliveryNoteLine,
    NoteState,
    Run,
    RunHandover,
    RunState,
    Stop,
    StopLine,
    StopState,
)


@dataclass(frozen=True)
class Goods:
    """One share's finished pieces by where they are (ints)."""

    assignment_id: int
    reported: int
    collected: int
    handed: int  # on a delivery note, written or sent: no longer to be put on the next one
    home: bool
    sent: int = 0  # on a note that has left the workshop (sent, or counted in by the firm)

    @property
    def waiting(self) -> int:
        """Pieces physically at the workshop: not yet sent to the firm, on a written note or not."""
        here = self.collected if self.home else self.reported
        return max(here - self.sent, 0)

    @property
    def at_workshop(self) -> int:
        """Pieces at the workshop and not yet handed over."""
        here = self.collected if self.home else self.reported
        return max(here - self.handed, 0)

    @property
    def uncollected(self) -> int:
        """A home share's reported pieces still at her home (0 for a share done at the workshop)."""
        return max(self.reported - self.collected, 0) if self.home else 0

    @property
    def expected(self) -> int:
        """Reported pieces not yet handed over, wherever they are."""
        return max(self.reported - self.handed, 0)


def goods_of(assignments: Iterable[Assignment]) -> dict[int, Goods]:
    """``Goods`` of each of ``assignments`` (rows with ``pieces_reported`` and ``delivery``). Two queries."""
    rows = {a.pk: a for a in assignments}
    collected = dict(
        Collection.objects.filter(assignment_id__in=rows)
        .values_list("assignment_id")
        .annotate(n=Sum("pieces"))
        .values_list("assignment_id", "n")
    )
    handed = {
        pk: (n, sent or 0)
        for pk, n, sent in DeliveryNoteLine.objects.filter(assignment_id__in=rows)
        .values_list("assignment_id")
        .annotate(
            n=Sum("pieces"),
            sent=Sum("pieces", filter=Q(note__state__in=(NoteState.SENT, NoteState.RECEIVED))),
        )
        .values_list("assignment_id", "n", "sent")
    }
    return {
        pk: Goods(
            pk,
            a.pieces_reported,
            collected.get(pk, 0),
            handed.get(pk, (0, 0))[0],
            a.delivery == DeliveryMode.HOME,
            handed.get(pk, (0, 0))[1],
        )
        for pk, a in rows.items()
    }


def job_goods(job: Job) -> list[tuple[Assignment, Goods]]:
    """Every share of ``job`` with reported pieces, with its ``Goods``, by worker. Three queries."""
    shares = list(
        job.assignments.filter(pieces_reported__gt=0).select_related("worker").order_by("worker__name", "id")
    )
    goods = goods_of(shares)
    return [(a, goods[a.pk]) for a in shares]


def kits_delivered(assignment_ids: Iterable[int]) -> set[int]:
    """The shares whose kit has reached the worker already (issued at the store or delivered to her door)."""
    return set(
        Movement.objects.filter(
            assignment_id__in=list(assignment_ids), kind__in=(MovementKind.ISSUE, MovementKind.DELIVER)
        ).values_list("assignment_id", flat=True)
    )


def home_shares_to_deliver(workshop_id: int) -> list[Assignment]:
    """First-round home shares (送料上门) of ``workshop_id`` that started (accepted) and whose job has
    materials, with no kit at the worker yet, oldest first."""
    shares = list(
        Assignment.objects.filter(
            job__workshop_id=workshop_id,
            delivery=DeliveryMode.HOME,
            kind=AssignmentKind.FIRST,  # a rework share uses only what the head issues for it
            state=AssignmentState.ACCEPTED,
            job__bom_lines__isnull=False,
        )
        .distinct()
        .select_related("worker", "job")
        .order_by("id")
    )
    done = kits_delivered(a.pk for a in shares)
    return [a for a in shares if a.pk not in done]


def home_shares_to_collect(workshop_id: int) -> list[tuple[Assignment, Goods]]:
    """Home shares of ``workshop_id`` with reported pieces still at the worker's home, oldest first."""
    shares = list(
        Assignment.objects.filter(
            job__workshop_id=workshop_id, delivery=DeliveryMode.HOME, pieces_reported__gt=0
        )
        .select_related("worker", "job")
        .order_by("id")
    )
    goods = goods_of(shares)
    return [(a, goods[a.pk]) for a in shares if goods[a.pk].uncollected > 0]


def notes_to_hand_over(workshop_id: int) -> list[DeliveryNote]:
    """Delivery notes of ``workshop_id`` written and not yet sent, oldest first, job and firm joined."""
    return list(
        DeliveryNote.objects.filter(job__workshop_id=workshop_id, state=NoteState.PREPARED)
        .select_related("job", "job__line__firm")
        .order_by("prepared_at", "id")
    )


def _stops_prefetched():
    return Stop.objects.select_related("worker", "place", "firm").prefetch_related(
        Prefetch(
            "lines",
            queryset=StopLine.objects.select_related("assignment", "assignment__job", "note", "note__job"),
        )
    )


def courier_runs(courier, day: dt.date | None = None):
    """The courier's runs on ``day`` (default today), one still to finish first: a run handed to her after
    her own was done (``services.run_hand_over``) is the one her phone shows and moves."""
    day = day or timezone.localdate()
    done_last = Case(When(state=RunState.DONE, then=Value(1)), default=Value(0))
    return Run.objects.filter(courier=courier, day=day).order_by(done_last, "vehicle_id", "pk")


def courier_run(courier, day: dt.date | None = None) -> Run | None:
    """The courier's run on ``day`` (default today, Asia/Shanghai), with its scheduled stops in order
    (``run.ordered``), or None: the one still to finish when she has two (``courier_runs``). A courier
    sees no other run."""
    run = courier_runs(courier, day).select_related("vehicle", "workshop").first()
    if run is None:
        return None
    run.ordered = list(_stops_prefetched().filter(run=run, seq__isnull=False).order_by("seq"))
    return run


def courier_stop(courier, stop_id: int, day: dt.date | None = None) -> Stop | None:
    """One scheduled stop of the courier's run on ``day`` (default today), or None: another courier's stop,
    another day's, an unscheduled one."""
    day = day or timezone.localdate()
    return (
        _stops_prefetched()
        .filter(pk=stop_id, run__courier=courier, run__day=day, seq__isnull=False)
        .select_related("run")
        .first()
    )


def workshop_runs(workshop_ids: Iterable[int], day: dt.date) -> list[Run]:
    """The runs of ``workshop_ids`` on ``day`` with their stops (scheduled in order, then unscheduled),
    counts by state (``run.counts``) and handovers (``run.handovers.all()``, couriers joined). A fixed
    number of queries."""
    runs = list(
        Run.objects.filter(workshop_id__in=list(workshop_ids), day=day)
        .select_related("vehicle", "courier", "workshop")
        .prefetch_related(
            Prefetch("stops", queryset=_stops_prefetched().order_by("seq", "id")),
            Prefetch("handovers", queryset=RunHandover.objects.select_related("from_courier", "to_courier")),
        )
        .order_by("workshop_id", "vehicle__name")
    )
    for run in runs:
        stops = list(run.stops.all())
        run.ordered = [s for s in stops if s.seq is not None]
        run.ordered.sort(key=lambda s: s.seq)
        run.unscheduled = [s for s in stops if s.seq is None]
        run.counts = _counts(stops)
    return runs


def run_start(run: Run, depot_start: dt.time | None, *, now: dt.datetime | None = None) -> dt.datetime:
    """The clock a run's planned times (``Stop.arrive_min``) count from, naive Asia/Shanghai, to the
    minute: when it set off once it has. Before it sets off (planned): the clock ``runs_plan`` planned it
    from (``Run.leaves_at``), so the times do not drift with the clock; for a run planned before that was
    kept, on its day the later of ``now`` (default when it was planned, else the current time) and the
    depot's clock time for leaving (``depot_start``: ``Depot.start_at``, 08:30 without a depot), so a run
    planned at 14:00 does not show the morning's times; on a later day (or an earlier one never set
    off), the depot's time on that day. The courier's phone and the
    head's runs page both show these (a trial saw 14:25 on one, 08:31 on the other)."""
    if run.started_at is not None:
        return timezone.localtime(run.started_at).replace(tzinfo=None)
    if run.state != RunState.PLANNED:
        return dt.datetime.combine(run.day, depot_start or dt.time(8, 30))
    if run.leaves_at is not None:  # the clock it was planned from: the times shown are the times planned
        return timezone.localtime(run.leaves_at).replace(tzinfo=None)
    return planned_start(run.day, depot_start, now=now or run.planned_at)


def planned_start(
    day: dt.date, depot_start: dt.time | None, *, now: dt.datetime | None = None
) -> dt.datetime:
    """The clock a run of ``day`` that has not set off counts from, naive Asia/Shanghai, to the minute: on
    ``day`` itself the later of ``now`` (default the current time) and the depot's time (``depot_start``,
    08:30 without one), on any other day the depot's time. What ``run_start`` shows for a planned run and
    what ``runs_plan`` plans its times and the home hours from, so the times shown are the times planned."""
    start = dt.datetime.combine(day, depot_start or dt.time(8, 30))
    local_now = timezone.localtime(now).replace(tzinfo=None, second=0, microsecond=0)
    return max(start, local_now) if local_now.date() == day else start


def collected_pieces(**where) -> dict[tuple[int, int], int]:
    """Pieces collected, by (stop id, share id), of the collections ``where`` selects (``Collection``
    filters: ``stop__run__in=…``, ``stop_id__in=…``). One query."""
    rows = (
        Collection.objects.filter(**where).values_list("stop_id", "assignment_id").annotate(n=Sum("pieces"))
    )
    return {(stop_id, share_id): n for stop_id, share_id, n in rows.order_by()}


def _counts(stops: list[Stop]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for s in stops:
        counts[s.state] += 1
    done = sum(counts[s] for s in (StopState.DELIVERED, StopState.COLLECTED, StopState.HANDED_OVER))
    missed = counts[StopState.NOBODY_HOME] + counts[StopState.REFUSED]
    return {
        "stops": len(stops) - counts[StopState.UNSCHEDULED],
        "done": done,
        "missed": missed,
        "pending": counts[StopState.PENDING],
        "unscheduled": counts[StopState.UNSCHEDULED],
    }


def run_history(workshop_ids: Iterable[int], *, days: int = 30) -> list[dict]:
    """The last ``days`` days of runs of ``workshop_ids``, newest first: per run its day, vehicle, courier,
    state, distance (m), duration (min) and stop counts. One query."""
    since = timezone.localdate() - dt.timedelta(days=days)
    done = Q(stops__state__in=(StopState.DELIVERED, StopState.COLLECTED, StopState.HANDED_OVER))
    missed = Q(stops__state__in=(StopState.NOBODY_HOME, StopState.REFUSED))
    return list(
        Run.objects.filter(workshop_id__in=list(workshop_ids), day__gte=since)
        .values("pk", "day", "vehicle__name", "courier__name", "state", "distance_m", "duration_min")
        # ``stops`` last: an annotation named like the relation hides it from the ones after it.
        .annotate(
            done=Count("stops", filter=done),
            missed=Count("stops", filter=missed),
            unscheduled=Count("stops", filter=Q(stops__state=StopState.UNSCHEDULED)),
            stops=Count("stops", filter=~Q(stops__state=StopState.UNSCHEDULED)),
        )
        .order_by("-day", "vehicle__name")
    )


def job_notes(job: Job, *, pk: int | None = None) -> list[DeliveryNote]:
    """The delivery notes of ``job`` by lot (only note ``pk`` when given), with their lines (worker joined)
    and returned materials."""
    notes = DeliveryNote.objects.filter(job=job)
    if pk is not None:
        notes = notes.filter(pk=pk)
    return list(
        notes.select_related("prepared_by", "sent_by", "received_by")
        .prefetch_related(
            Prefetch("lines", queryset=DeliveryNoteLine.objects.select_related("assignment__worker")),
            "materials__line",
        )
        .order_by("lot")
    )


def kits(stop_lines) -> list[tuple[StopLine, BomLine, Decimal]]:
    """The kit of each delivery line (its share's pieces × each material of the job, with the allowed loss,
    rounded on the running total of the job's kits: ``materials.selectors.KitPlan``; once loaded, what was
    loaded), as (stop line, material, quantity), lines in order, materials by id. ``stop_lines``: rows
    with ``assignment`` joined. Two queries (none without lines)."""
    stop_lines = list(stop_lines)
    if not stop_lines:
        return []
    boms: dict[int, list[BomLine]] = defaultdict(list)
    for line in BomLine.objects.filter(job_id__in={sl.assignment.job_id for sl in stop_lines}).order_by("id"):
        boms[line.job_id].append(line)
    plan = KitPlan(bom for lines in boms.values() for bom in lines)
    return [
        (sl, bom, plan.kit(bom, sl.assignment_id, sl.pieces))
        for sl in stop_lines
        for bom in boms[sl.assignment.job_id]
    ]


def note_shares(note: DeliveryNote) -> dict[int, int]:
    """The pieces of each share (assignment id → int) on ``note``: what the job hands over with it."""
    return dict(note.lines.values_list("assignment_id", "pieces"))


def stop_reason(stop: Stop) -> str:
    """A stop's stored reason (a msgid and its parameters) in the reader's language; "" when none."""
    if not stop.reason:
        return ""
    try:
        return gettext(stop.reason) % (stop.reason_params or {})
    except (KeyError, TypeError, ValueError):
        return gettext(stop.reason)
