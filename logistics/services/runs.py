"""Planning a workshop's day of runs (排线), and a run's start and end.

What a day needs is read from the facts, never from yesterday's plan: home shares that started and whose kit
is not at the worker yet (deliver), home shares with reported pieces still at the worker's home (collect),
and delivery notes written and not yet sent (hand over). Doors are grouped (one stop per worker and kind,
one per firm), ordered by ``logistics.routing`` with each vehicle's capacity (boxes) and the workers' home
hours, and written as one run per vehicle and day. A stop that can't fit is kept on the run as unscheduled,
with its reason.

Boxes: a share's bundles are ceil(pieces / the job's bundle size); ``settings.NUANXIN_BUNDLES_PER_BOX``
bundles fill a box; a stop is at least one box.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from materials.models import Balance, BomLine, MovementKind
from materials.selectors import KitPlan
from materials.services import courier_move
from workshop.models import Workshop

from .. import routing
from ..models import (
    Depot,
    Place,
    PlaceKind,
    Residence,
    Run,
    RunState,
    Stop,
    StopKind,
    StopLine,
    StopState,
    Vehicle,
)
from ..selectors import (
    home_shares_to_collect,
    home_shares_to_deliver,
    kits,
    notes_to_hand_over,
    planned_start,
)
from ..selectors import run_start as run_clock  # the clock a run's times count from, not the service
from .common import check_courier_of, check_manager, move, today

# Why a stop is where it is, stored as msgids with parameters and shown in the reader's language.
NO_POINT = gettext_noop("没有地图位置,排在最后;请先打电话约好")
REASONS = {
    "too_big": gettext_noop("要装 %(n)d 箱,车最多装 %(c)d 箱,请分两次或换车"),
    "window": gettext_noop("在家时间(%(w)s)这趟赶不到"),
    "no_room": gettext_noop("这趟车装不下或跑不完,留到下一趟"),
    "no_vehicle": gettext_noop("没有可用的车"),
    "too_far": gettext_noop("来回路程太远,一趟跑不完"),
    "bad_input": gettext_noop("资料不全,没有排上"),
}
# A stop of a run under way now reached after the worker's home hours keeps this reason (``_retime``).
LATE_FOR_HOURS = REASONS["window"]
WAITING_FOR_MATERIAL = gettext_noop("%(w)s 的料仓库里不够,先收料再送")


@dataclass
class _Door:
    """One door to visit: a worker's (deliver or collect) or a firm's gate (hand over)."""

    ref: str
    kind: str
    boxes: int
    worker: object | None = None
    firm: object | None = None
    place: Place | None = None
    window: tuple[dt.time, dt.time] | None = None
    lines: list[tuple[object | None, object | None, int]] = field(
        default_factory=list
    )  # (share, note, pieces)


@dataclass
class DayPlan:
    """What ``runs_plan`` wrote: the runs with stops, the stops it could not fit (each with its reason), the
    shares waiting for material in the store (words), which solver ordered it."""

    runs: list[Run]
    unscheduled: list[Stop]
    waiting: list[str]
    solver: str

    @property
    def stops(self) -> int:
        return sum(len(r.planned_stops) for r in self.runs)


def _boxes(bundles: int) -> int:
    return max(1, math.ceil(bundles / max(settings.NUANXIN_BUNDLES_PER_BOX, 1)))


def _bundles(pieces: int, bundle_size: int) -> int:
    return math.ceil(pieces / max(bundle_size, 1))


def _minutes(start: dt.datetime, at: dt.time) -> int:
    """Minutes from the run's ``start`` (``planned_start``) to ``at`` on its day; negative before it."""
    return int((dt.datetime.combine(start.date(), at) - start).total_seconds() // 60)


def _doors(workshop: Workshop) -> tuple[list[_Door], list[str]]:
    """The day's doors of ``workshop`` and the words for shares waiting for material."""
    residences = {
        r.worker_id: r for r in Residence.objects.filter(worker__workshop=workshop).select_related("place")
    }
    doors: dict[str, _Door] = {}
    waiting: list[str] = []

    def worker_door(kind: str, worker) -> _Door:
        ref = f"{kind}:w{worker.pk}"
        if ref not in doors:
            home = residences.get(worker.pk)
            window = (home.home_from, home.home_until) if home and home.home_from else None
            doors[ref] = _Door(ref, kind, 0, worker=worker, place=home.place if home else None, window=window)
        return doors[ref]

    # Kits: only what the store holds now goes on the vehicle (checked again when it is loaded).
    shares = home_shares_to_deliver(workshop.pk)
    lines_by_job: dict[int, list[BomLine]] = defaultdict(list)
    for line in BomLine.objects.filter(job_id__in={a.job_id for a in shares}).order_by("id"):
        lines_by_job[line.job_id].append(line)
    store = dict(
        Balance.objects.filter(line__job_id__in={a.job_id for a in shares}, holder_key="store").values_list(
            "line_id", "quantity"
        )
    )
    bundles: dict[str, int] = defaultdict(int)
    plan = KitPlan(line for lines in lines_by_job.values() for line in lines)
    for a in shares:
        need = {line.pk: plan.kit(line, a.pk, a.pieces) for line in lines_by_job[a.job_id]}
        if any(store.get(pk, 0) < q for pk, q in need.items()):
            waiting.append(_(WAITING_FOR_MATERIAL) % {"w": a.worker.name})
            continue
        for pk, q in need.items():
            store[pk] -= q
        door = worker_door(StopKind.DELIVER, a.worker)
        door.lines.append((a, None, a.pieces))
        bundles[door.ref] += _bundles(a.pieces, a.job.bundle_size)
    for a, goods in home_shares_to_collect(workshop.pk):
        door = worker_door(StopKind.COLLECT, a.worker)
        door.lines.append((a, None, goods.uncollected))
        bundles[door.ref] += _bundles(goods.uncollected, a.job.bundle_size)
    # A firm's gate as the workshop's own community entered it, else as another community did.
    gates: dict[int, Place] = {}
    for p in Place.objects.filter(kind=PlaceKind.FIRM_GATE, firm__isnull=False).order_by("firm_id", "id"):
        own = (p.county, p.subdistrict, p.community) == (
            workshop.county,
            workshop.subdistrict,
            workshop.community,
        )
        if own or p.firm_id not in gates:
            gates[p.firm_id] = p
    for note in notes_to_hand_over(workshop.pk):
        # One door per lot, so a small lot fits on a tricycle even when a big one for the same firm does
        # not (that one waits for the firm's truck, its reason in words).
        firm = note.job.line.firm
        ref = f"{StopKind.HANDOVER}:n{note.pk}"
        door = doors.setdefault(ref, _Door(ref, StopKind.HANDOVER, 0, firm=firm, place=gates.get(firm.pk)))
        door.lines.append((None, note, note.pieces_sent))
        bundles[ref] += note.bundles_sent or _bundles(note.pieces_sent, note.job.bundle_size)
    for ref, door in doors.items():
        door.boxes = _boxes(bundles[ref])
    return sorted(doors.values(), key=lambda d: d.ref), waiting


def _request(start: dt.datetime, door: _Door) -> routing.StopRequest:
    point = None
    if door.place is not None and door.place.has_point:
        point = routing.Point(float(door.place.lat), float(door.place.lng))
    window = None
    if door.window is not None:
        # Home hours over by the run's start (before the depot's time, or before now on a run planned late
        # in the day) leave a window nobody can reach: the stop comes back unscheduled, "window" its reason.
        opens, closes = (_minutes(start, t) for t in door.window)
        window = (max(opens, 0), closes) if closes > 0 else (0, 0)
    kind = {
        StopKind.DELIVER: routing.DELIVER,
        StopKind.COLLECT: routing.COLLECT,
        StopKind.HANDOVER: routing.HANDOVER,
    }[door.kind]
    return routing.StopRequest(ref=door.ref, kind=kind, point=point, boxes=door.boxes, window=window)


def _reason_params(code: str, door: _Door, capacity: int) -> dict:
    if code == "too_big":
        return {"n": door.boxes, "c": capacity}
    if code == "window" and door.window is not None:
        return {"w": f"{door.window[0]:%H:%M}–{door.window[1]:%H:%M}"}
    return {}


@transaction.atomic
def runs_plan(
    *,
    workshop: Workshop | int,
    day: dt.date | None = None,
    actor=None,
    route_time_limit_s: float | None = None,
    now: dt.datetime | None = None,
) -> DayPlan:
    """Plan ``workshop``'s runs for ``day`` (default today): one run per active vehicle with stops, its
    stops ordered by ``routing.plan_routes`` (OR-Tools, else the nearest-neighbour fallback), each vehicle's
    capacity (boxes) and the workers' home hours checked again after solving. Planning the same day again
    replaces the day's planned runs (one run per vehicle and day); once a run of the day is under way, the
    day is not replanned. ``actor``: the head or a community admin, or None for beat.
    ``route_time_limit_s``: seconds the route search may take (default ``NUANXIN_ROUTE_TIME_LIMIT_S``); a
    search cut by it depends on the machine's speed, so the lab gives one that is never reached.
    Stops' ``arrive_min`` and the home hours count from the run's start as ``selectors.run_start`` shows
    it before it sets off (``selectors.planned_start``): today, the later of ``now`` (default the current
    time) and the depot's ``start_at``, so a day planned at 14:00 is not checked against a morning window
    as if it left at 08:30; another day, the depot's time.

    Locks the workshop's depot row. Raises PermissionDenied, ValidationError (no depot point, no vehicle,
    a run already under way)."""
    workshop_id = workshop.pk if isinstance(workshop, Workshop) else workshop
    check_manager(actor, workshop_id, system=True)
    day = day or today()
    # The depot row is the lock; its workshop comes in the same statement (a read of its own before).
    depot = (
        Depot.objects.select_for_update(of=("self",))
        .select_related("workshop")
        .filter(workshop_id=workshop_id)
        .first()
    )
    if depot is None:
        raise ValidationError(_("请先在配送设置里填好工坊的位置。"))
    workshop = depot.workshop
    vehicles = list(
        Vehicle.objects.filter(workshop_id=workshop_id, active=True)
        .select_related("courier")
        .order_by("name", "id")
    )
    if not vehicles:
        raise ValidationError(_("请先登记一辆车(三轮车或电瓶车)和它能装几箱。"))
    # A run nobody rides is a run nobody sees: only vehicles with an active courier are planned.
    vehicles = [v for v in vehicles if v.courier_id is not None and v.courier.active]
    if not vehicles:
        raise ValidationError(
            _("没有一辆车有在岗的配送员:请在配送设置里给车指定常用配送员,或恢复停用的配送员。")
        )
    existing = list(Run.objects.filter(workshop_id=workshop_id, day=day))
    if any(r.state != RunState.PLANNED for r in existing):
        raise ValidationError(_("今天已经有车出发了,不能重新排线。"))
    doors, waiting = _doors(workshop)
    start = planned_start(day, depot.start_at, now=now)
    if not doors:
        Run.objects.filter(pk__in=[r.pk for r in existing]).delete()
        return DayPlan([], [], waiting, "")
    plan = routing.plan_routes(
        routing.Point(float(depot.lat), float(depot.lng)),
        [_request(start, d) for d in doors],
        [
            routing.VehicleSpec(
                ref=str(v.pk), capacity=v.capacity, speed_kmh=float(v.speed_kmh), shift_min=depot.shift_min
            )
            for v in vehicles
        ],
        time_limit_s=route_time_limit_s or settings.NUANXIN_ROUTE_TIME_LIMIT_S,
    )
    by_ref = {d.ref: d for d in doors}
    runs_by_vehicle = {r.vehicle_id: r for r in existing}
    Stop.objects.filter(run__in=existing).delete()
    written: list[Run] = []
    for v, route in zip(vehicles, _routes_in_vehicle_order(plan, vehicles), strict=True):
        if not route.stops:
            continue
        run = _run_for(runs_by_vehicle, workshop_id, day, v, actor, plan.solver, route, start)
        run.planned_stops = [_write_stop(run, by_ref[s.ref], s) for s in route.stops]
        written.append(run)
    unscheduled = []
    if plan.unscheduled:
        holder = (
            written[0]
            if written
            else _run_for(runs_by_vehicle, workshop_id, day, vehicles[0], actor, plan.solver, None, start)
        )
        if not written:
            holder.planned_stops = []
            written.append(holder)
        capacity = max(v.capacity for v in vehicles)
        for u in plan.unscheduled:
            door = by_ref[u.ref]
            unscheduled.append(
                _write_stop(
                    holder,
                    door,
                    None,
                    reason=REASONS.get(u.code, REASONS["bad_input"]),
                    params=_reason_params(u.code, door, capacity),
                )
            )
    keep = {r.pk for r in written}
    Run.objects.filter(pk__in=[r.pk for r in existing if r.pk not in keep]).delete()
    return DayPlan(written, unscheduled, waiting, plan.solver)


def _routes_in_vehicle_order(plan: routing.Plan, vehicles: list[Vehicle]) -> list[routing.Route]:
    by_ref = {r.vehicle_ref: r for r in plan.routes}
    empty = routing.Route(vehicle_ref="", stops=(), distance_m=0, duration_min=0)
    return [by_ref.get(str(v.pk), empty) for v in vehicles]


def _run_for(runs_by_vehicle, workshop_id, day, vehicle, actor, solver, route, start) -> Run:
    run = runs_by_vehicle.get(vehicle.pk)
    fields = {
        "courier_id": vehicle.courier_id,
        "solver": solver,
        "distance_m": route.distance_m if route else 0,
        "duration_min": route.duration_min if route else 0,
        "planned_by": actor if getattr(actor, "is_authenticated", False) else None,
        "planned_at": timezone.now(),
        "leaves_at": timezone.make_aware(start),
    }
    if run is None:
        return Run.objects.create(workshop_id=workshop_id, day=day, vehicle=vehicle, **fields)
    Run.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


def _write_stop(run: Run, door: _Door, planned, *, reason: str = "", params: dict | None = None) -> Stop:
    note = planned.note if planned is not None else ""
    stop = Stop.objects.create(
        run=run,
        seq=planned.seq if planned is not None else None,
        kind=door.kind,
        state=StopState.PENDING if planned is not None else StopState.UNSCHEDULED,
        worker=door.worker,
        firm=door.firm,
        place=door.place,
        boxes=door.boxes,
        arrive_min=planned.arrive_min if planned is not None else None,
        window_from=door.window[0] if door.window else None,
        window_until=door.window[1] if door.window else None,
        reason=reason or (NO_POINT if note else ""),
        reason_params=params or {},
    )
    StopLine.objects.bulk_create(
        [StopLine(stop=stop, assignment=share, note=dn, pieces=pieces) for share, dn, pieces in door.lines]
    )
    return stop


# --- a run's start and end -----------------------------------------------------------------------------


@transaction.atomic
def run_start(*, actor, run: Run | int) -> Run:
    """The courier sets off (出发): planned → under way; the kits of the run's pending deliveries go from
    the store onto her vehicle (store → courier in the materials ledger). ``actor``: the run's courier on
    its day. Idempotent: a run already under way is returned as it is. Raises PermissionDenied,
    ValidationError (no courier on the run; the store is short of a kit: nothing is loaded)."""
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("courier")
        .get(pk=run.pk if isinstance(run, Run) else run)
    )
    check_courier_of(actor, run)
    if run.state != RunState.PLANNED:
        return run
    _load(run, actor)
    started_at = timezone.now()
    _retime(run, started_at)
    move(run, RunState.UNDER_WAY, started_at=started_at)
    return run


def _retime(run: Run, started_at: dt.datetime) -> None:
    """Count the planned arrivals (``Stop.arrive_min``) from when the run really set off, as the planner's
    walk (``routing._walk``) does: each leg takes what it took in the plan, and she waits at a door until
    the home hours open, the wait carried to the stops after it. A trial: set off at 07:22 instead of
    08:30, her 10:00 door (home 10:00–12:00) showed 08:53. A leg whose plan ended waiting for the window
    is ridden again from the map (the plan's figure holds a wait), never longer than in the plan. A door
    now reached after its home hours keeps that honest time with the planner's "window" reason."""
    depot = Depot.objects.filter(workshop_id=run.workshop_id).first()
    planned_from = run_clock(run, depot.start_at if depot else None)
    start = timezone.localtime(started_at).replace(tzinfo=None, second=0, microsecond=0)
    speed = float(Vehicle.objects.filter(pk=run.vehicle_id).values_list("speed_kmh", flat=True).get())
    here = routing.Point(float(depot.lat), float(depot.lng)) if depot else None
    service = dt.timedelta(minutes=routing.SERVICE_MIN)
    left_plan, left = planned_from, start  # when she left the last door, in the plan and now
    stops = Stop.objects.filter(run=run, seq__isnull=False, arrive_min__isnull=False).select_related("place")
    changed = []
    for stop in stops.order_by("seq"):
        planned = planned_from + dt.timedelta(minutes=stop.arrive_min)
        opens = dt.datetime.combine(run.day, stop.window_from) if stop.window_from else None
        there = here
        if stop.place is not None and stop.place.has_point:
            there = routing.Point(float(stop.place.lat), float(stop.place.lng))
        ride = planned - left_plan
        if opens is not None and planned == max(opens, planned_from) and here and there:
            metres = routing.distance_m(here, there)
            ride = min(ride, dt.timedelta(minutes=routing.travel_min(metres, speed)))
        arrive = max(left + ride, opens) if opens is not None else left + ride
        stop.arrive_min = int((arrive - start).total_seconds() // 60)
        if stop.window_until and arrive > dt.datetime.combine(run.day, stop.window_until) and not stop.reason:
            stop.reason = LATE_FOR_HOURS
            stop.reason_params = {"w": f"{stop.window_from or dt.time(0):%H:%M}–{stop.window_until:%H:%M}"}
        changed.append(stop)
        left_plan, left, here = planned + service, arrive + service, there
    Stop.objects.bulk_update(changed, ["arrive_min", "reason", "reason_params"])


def _load(run: Run, actor) -> None:
    lines = StopLine.objects.filter(
        stop__run=run, stop__kind=StopKind.DELIVER, stop__state=StopState.PENDING
    ).select_related("assignment")
    for sl, bom, q in kits(lines):
        courier_move(
            kind=MovementKind.LOAD,
            line=bom,
            courier=run.courier,
            quantity_moved=q,
            actor=actor,
            assignment=sl.assignment,
            key=f"load:{sl.pk}:{bom.pk}",
            reason=gettext_noop("装车送料"),
        )


@transaction.atomic
def run_finish(*, actor, run: Run | int) -> Run:
    """The courier is back at the workshop (回到工坊): under way → done; everything still on her vehicle
    (kits not delivered, material picked up) goes back to the store. Stops not visited stay pending and
    their doors come back in the next plan. ``actor``: the run's courier, or the head. Idempotent for a run
    already done. Raises PermissionDenied, IllegalTransition (a run not started)."""
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("courier")
        .get(pk=run.pk if isinstance(run, Run) else run)
    )
    try:
        check_courier_of(actor, run)
    except PermissionDenied:
        check_manager(actor, run.workshop_id)
    if run.state == RunState.DONE:
        return run
    if run.courier_id is not None:
        # What she carries for this run's jobs (a courier with two runs a day keeps the other's load).
        jobs = StopLine.objects.filter(stop__run=run).values_list("assignment__job_id", "note__job_id")
        job_ids = {j for pair in jobs for j in pair if j is not None}
        for bal in (
            Balance.objects.filter(
                holder_key=f"courier:{run.courier_id}", quantity__gt=0, line__job_id__in=job_ids
            )
            .select_related("line")
            .order_by("pk")
        ):
            courier_move(
                kind=MovementKind.UNLOAD,
                line=bal.line,
                courier=run.courier,
                quantity_moved=bal.quantity,
                actor=actor,
                key=f"unload:{run.pk}:{bal.line_id}",
                reason=gettext_noop("回库"),
            )
    move(run, RunState.DONE, finished_at=timezone.now())
    return run


def runs_plan_due(now: dt.datetime | None = None) -> list[int]:
    """The workshops whose daily planning hour has passed today and that have no run today yet (for beat)."""
    now = timezone.localtime(now or timezone.now())
    planned = Run.objects.filter(day=now.date()).values_list("workshop_id", flat=True)
    return list(
        Depot.objects.filter(auto_plan=True, plan_at__lte=now.time())
        .exclude(workshop_id__in=planned)
        .filter(Q(workshop__vehicles__active=True))
        .values_list("workshop_id", flat=True)
        .distinct()
        .order_by("workshop_id")
    )
