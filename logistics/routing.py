"""The route planner for door delivery and central collection (送货上门、集中回收).

Pure functions on plain data: no models, no database, so a request plans one workshop's day and the
benchmark plans a county's. Units: minutes after the run's start, metres, boxes.

A courier leaves the workshop (the depot) with a vehicle carrying at most ``capacity`` boxes and visits:

    deliver   a material kit, depot → the worker's door      (loaded at the depot, dropped at the door)
    collect   finished bundles, the worker's door → depot    (loaded at the door, dropped at the depot)
    handover  collected goods, depot → the partner firm's gate

That is pickup-and-delivery with capacity and time windows. Each stop becomes two solver nodes, the door
and a *copy of the depot* (its own node at the depot's place), so a route may pass the depot mid-run to
reload or unload (several trips a day, as a tricycle does). OR-Tools' routing solver plans every stop
with a point: arc cost = metres; a time dimension (travel minutes = ceil(metres / speed), plus the
stop's service minutes, waiting allowed until a window opens, back within the shift); a load dimension
(never above capacity at any point); and a disjunction per node with a penalty, so it may leave stops out.

Nothing the solver says about loads or times is trusted: every route is walked again here (``_walk``),
loading each trip's kits at the depot as late as possible and unloading bundles as early as possible
(never more on board than any order the solver chose), and a stop that breaks a rule is taken out and
reported. Stops without a map point go last on a route with 0 travel minutes (they stay where the
courier last was). Every stop comes back once: in a route, or in ``unscheduled`` with a reason in words.

The same input gives the same plan: input is sorted by ref, the first solution is PATH_CHEAPEST_ARC and
the local search is GREEDY_DESCENT to a local optimum (no time-dependent metaheuristic); the time limit
is only a safety cap. When OR-Tools finds nothing or fails, or places fewer stops than the greedy
nearest-neighbour plan, the nearest-neighbour plan is used (``solver="nearest"`` forces it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

DELIVER, COLLECT, HANDOVER = "deliver", "collect", "handover"
KINDS = (DELIVER, COLLECT, HANDOVER)
LOADED_AT_DEPOT = (DELIVER, HANDOVER)
EARTH_RADIUS_M = 6_371_008.8
# Cost of leaving a stop out, in metres of driving: more than any detour a county run could take.
DROP_PENALTY = 10_000_000
SERVICE_MIN = 3  # minutes at a door


@dataclass(frozen=True)
class Point:
    """A place in WGS-84 degrees."""

    lat: float
    lng: float


@dataclass(frozen=True)
class StopRequest:
    """One thing to carry. ``boxes`` >= 0; ``window`` (minutes after the run's start) when the place can
    be visited, None for the whole shift; ``point`` None when the place has no map point."""

    ref: str
    kind: str
    point: Point | None
    boxes: int
    window: tuple[int, int] | None = None
    service_min: int = SERVICE_MIN


@dataclass(frozen=True)
class VehicleSpec:
    """A courier and vehicle: ``capacity`` boxes, ``speed_kmh``, a run of ``shift_min`` minutes."""

    ref: str
    capacity: int
    speed_kmh: float = 12.0
    shift_min: int = 240


@dataclass(frozen=True)
class PlannedStop:
    """A stop in a route: ``arrive_min`` is when service starts (after any wait for the window),
    ``load_after`` the boxes on board when the courier leaves it."""

    ref: str
    seq: int
    arrive_min: int
    load_after: int
    note: str = ""


@dataclass(frozen=True)
class Route:
    """One vehicle's run: stops in order, metres driven, minutes until back at the depot, and the seqs
    after which it goes back to the depot mid-run (to reload kits or unload bundles)."""

    vehicle_ref: str
    stops: tuple[PlannedStop, ...]
    distance_m: int
    duration_min: int
    depot_visits: tuple[int, ...] = ()


@dataclass(frozen=True)
class Unscheduled:
    """A stop left out (or a rule broken, from ``check_plan``): a code and the reason in words."""

    ref: str
    code: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """One route per vehicle (in ref order, possibly empty) and every stop left out, by ref. ``solver``
    names whose routes were kept ("ortools" or "nearest"); ``solver_seconds`` is the bare OR-Tools
    search even when its routes were not kept (0 when it did not run); ``plan_seconds`` the whole call."""

    routes: tuple[Route, ...]
    unscheduled: tuple[Unscheduled, ...]
    solver: str
    solver_seconds: float
    plan_seconds: float


def distance_m(a: Point, b: Point) -> int:
    """Great-circle (haversine) distance between two points, in whole metres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lng - a.lng)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))))


def travel_min(metres: int, speed_kmh: float) -> int:
    """Minutes to ride ``metres`` at ``speed_kmh``, rounded up."""
    return math.ceil(metres * 60 / (speed_kmh * 1000)) if metres else 0


# --- the walk: the one judge of a route's loads and times ------------------------------------------------


@dataclass
class _Walk:
    arrive: list[int] = field(default_factory=list)
    load_after: list[int] = field(default_factory=list)
    distance: int = 0
    duration: int = 0
    faults: list[tuple[int, str, str]] = field(default_factory=list)  # (position, code, reason)


def _walk(depot: Point, vehicle: VehicleSpec, stops: Sequence[StopRequest], visits: set[int]) -> _Walk:
    """Ride ``stops`` in order, going back to the depot after each position in ``visits``. Each trip
    loads its kits and goods at the depot as it leaves and unloads its bundles when it comes back."""
    w = _Walk()
    if not stops:
        return w
    trips, start = [], 0
    for i in range(len(stops)):
        if i in visits or i == len(stops) - 1:
            trips.append(range(start, i + 1))
            start = i + 1
    t, here = 0, depot
    for trip in trips:
        load = sum(stops[i].boxes for i in trip if stops[i].kind in LOADED_AT_DEPOT)
        if load > vehicle.capacity:
            biggest = max((stops[i].boxes, i) for i in trip if stops[i].kind in LOADED_AT_DEPOT)[1]
            w.faults.append((biggest, "capacity", _over_capacity(load, vehicle.capacity)))
        for i in trip:
            stop = stops[i]
            there = stop.point or here  # no map point: the courier is where they last were
            metres = distance_m(here, there)
            w.distance += metres
            t += travel_min(metres, vehicle.speed_kmh)
            opens, closes = stop.window or (0, vehicle.shift_min)
            if t > closes and stop.window:
                late = _("第 %(t)d 分钟才到,可上门时间到第 %(end)d 分钟") % {"t": t, "end": closes}
                w.faults.append((i, "window", late))
            elif t > closes:
                w.faults.append(
                    (i, "shift", _("第 %(t)d 分钟才到,出车只有 %(shift)d 分钟") % {"t": t, "shift": closes})
                )
            t = max(t, opens)
            load += -stop.boxes if stop.kind in LOADED_AT_DEPOT else stop.boxes
            if load > vehicle.capacity:
                w.faults.append((i, "capacity", _over_capacity(load, vehicle.capacity)))
            w.arrive.append(t)
            w.load_after.append(load)
            t += stop.service_min
            here = there
        metres = distance_m(here, depot)
        w.distance += metres
        t += travel_min(metres, vehicle.speed_kmh)
        here = depot
    w.duration = t
    if t > vehicle.shift_min and not any(code == "shift" for _i, code, _r in w.faults):
        w.faults.append((len(stops) - 1, "shift", _late_back(t, vehicle.shift_min)))
    return w


def _over_capacity(load: int, capacity: int) -> str:
    return _("车上要装 %(load)d 箱,车最多装 %(c)d 箱") % {"load": load, "c": capacity}


def _late_back(t: int, shift: int) -> str:
    return _("第 %(t)d 分钟才回到作坊,出车只有 %(shift)d 分钟") % {"t": t, "shift": shift}


def check_plan(
    depot: Point, stops: Sequence[StopRequest], vehicles: Sequence[VehicleSpec], plan: Plan
) -> list[Unscheduled]:
    """Walk every route of ``plan`` again, trusting none of its figures: capacity at every point of
    every trip, each stop reached before its window closes, back at the depot within the shift; and
    every stop exactly once in routes + unscheduled. Returns the violations, [] when the plan is sound.
    Codes: capacity, window, shift, missing, twice, unknown."""
    by_ref = {s.ref: s for s in stops}
    by_vehicle = {v.ref: v for v in vehicles}
    out: list[Unscheduled] = []
    seen: dict[str, int] = {}
    for ref in [p.ref for r in plan.routes for p in r.stops] + [u.ref for u in plan.unscheduled]:
        seen[ref] = seen.get(ref, 0) + 1
    for ref, n in sorted(seen.items()):
        if ref not in by_ref:
            out.append(Unscheduled(ref, "unknown", _("不是这次要排的站")))
        elif n > 1:
            out.append(Unscheduled(ref, "twice", _("在计划里出现了 %(n)d 次") % {"n": n}))
    for ref in sorted(set(by_ref) - set(seen)):
        out.append(Unscheduled(ref, "missing", _("计划里没有这一站")))
    for route in plan.routes:
        vehicle = by_vehicle.get(route.vehicle_ref)
        if vehicle is None:
            out.extend(Unscheduled(p.ref, "unknown", _("没有这辆车")) for p in route.stops)
            continue
        known = [p for p in sorted(route.stops, key=lambda p: p.seq) if p.ref in by_ref]
        visits = {i for i, p in enumerate(known) if p.seq in route.depot_visits}
        walk = _walk(depot, vehicle, [by_ref[p.ref] for p in known], visits)
        out.extend(Unscheduled(known[i].ref, code, reason) for i, code, reason in walk.faults)
    return out


# --- input -----------------------------------------------------------------------------------------------


def _check_vehicles(vehicles: Sequence[VehicleSpec]) -> None:
    refs = [v.ref for v in vehicles]
    if len(set(refs)) < len(refs):
        raise ValueError(_("车的编号重复:%(refs)s") % {"refs": ", ".join(sorted(_dupes(refs)))})
    for v in vehicles:
        if v.capacity < 0 or v.speed_kmh <= 0 or v.shift_min <= 0:
            raise ValueError(
                _("车 %(ref)s 的数字不对:容量 %(c)d 箱,速度 %(s)s 公里/小时,出车 %(m)d 分钟")
                % {"ref": v.ref, "c": v.capacity, "s": v.speed_kmh, "m": v.shift_min}
            )


def _dupes(refs: list[str]) -> set[str]:
    seen: set[str] = set()
    return {r for r in refs if r in seen or seen.add(r)}


def _bad_input(stop: StopRequest) -> str | None:
    if stop.kind not in KINDS:
        return _("不认识的类型:%(kind)s") % {"kind": stop.kind}
    if stop.boxes < 0:
        return _("箱数不能为负:%(n)d") % {"n": stop.boxes}
    if stop.service_min < 0:
        return _("停留时间不能为负:%(n)d 分钟") % {"n": stop.service_min}
    if stop.window is not None and not 0 <= stop.window[0] <= stop.window[1]:
        return _("时间窗不对:从第 %(start)d 分钟到第 %(end)d 分钟") % {
            "start": stop.window[0],
            "end": stop.window[1],
        }
    return None


def _alone(depot: Point, stop: StopRequest, vehicles: Sequence[VehicleSpec]) -> Unscheduled | None:
    """Why ``stop`` could not be planned even alone on an empty vehicle going straight there, or None."""
    fits = [v for v in vehicles if v.capacity >= stop.boxes]
    if not fits:
        biggest = max(v.capacity for v in vehicles)
        words = _("要 %(n)d 箱,车最多装 %(c)d 箱") % {"n": stop.boxes, "c": biggest}
        return Unscheduled(stop.ref, "too_big", words)
    metres = distance_m(depot, stop.point) if stop.point else 0
    arrive = {v.ref: travel_min(metres, v.speed_kmh) for v in fits}
    if stop.window and all(
        arrive[v.ref] > stop.window[1] or stop.window[0] + stop.service_min + arrive[v.ref] > v.shift_min
        for v in fits
    ):
        # Too late for her window, or her window opens too late to be back within the run: the window is
        # the reason, not the distance (an afternoon at home on a morning run).
        return Unscheduled(
            stop.ref,
            "window",
            _("最快第 %(t)d 分钟才能到,可上门时间是第 %(start)d 到 %(end)d 分钟")
            % {"t": min(arrive.values()), "start": stop.window[0], "end": stop.window[1]},
        )
    back = {
        v.ref: max(arrive[v.ref], stop.window[0] if stop.window else 0) + stop.service_min + arrive[v.ref]
        for v in fits
    }
    if all(back[v.ref] > v.shift_min or arrive[v.ref] > (stop.window or (0, v.shift_min))[1] for v in fits):
        return Unscheduled(
            stop.ref,
            "too_far",
            _("来回最少要 %(need)d 分钟,出车最长 %(shift)d 分钟")
            % {"need": min(back.values()), "shift": max(v.shift_min for v in fits)},
        )
    return None


# --- the solvers: each returns, per vehicle, the stops in order and the positions after which it reloads --

_Runs = list[tuple[list[StopRequest], set[int]]]


def _solve_ortools(
    depot: Point, stops: list[StopRequest], vehicles: list[VehicleSpec], time_limit_s: float
) -> tuple[_Runs | None, float]:
    """The pickup-and-delivery model (see the module's docstring). Returns (runs or None, solver seconds)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    # Node 0 is the depot the vehicles start and end at; each stop adds its door and a depot copy.
    places, demand, service, door_of = [depot], [0], [0], [None]
    pairs = []
    for stop in stops:
        door, copy = len(places), len(places) + 1
        places += [stop.point, depot]
        service += [stop.service_min, 0]
        door_of += [stop, None]
        sign = -1 if stop.kind in LOADED_AT_DEPOT else 1
        demand += [sign * stop.boxes, -sign * stop.boxes]
        pairs.append((copy, door) if stop.kind in LOADED_AT_DEPOT else (door, copy))
    n = len(places)
    metres = [[distance_m(a, b) for b in places] for a in places]
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), 0)
    model = pywrapcp.RoutingModel(manager)
    model.SetArcCostEvaluatorOfAllVehicles(model.RegisterTransitMatrix(metres))
    minutes_cb: dict[float, int] = {}
    for v in vehicles:
        if v.speed_kmh not in minutes_cb:
            ride = [[service[i] + travel_min(metres[i][j], v.speed_kmh) for j in range(n)] for i in range(n)]
            minutes_cb[v.speed_kmh] = model.RegisterTransitMatrix(ride)
    longest = max(v.shift_min for v in vehicles)
    model.AddDimensionWithVehicleTransitAndCapacity(
        [minutes_cb[v.speed_kmh] for v in vehicles], longest, [v.shift_min for v in vehicles], True, "time"
    )
    clock = model.GetDimensionOrDie("time")
    model.AddDimensionWithVehicleCapacity(
        model.RegisterUnaryTransitVector(demand), 0, [v.capacity for v in vehicles], True, "load"
    )
    cp = model.solver()
    for stop, (first, then) in zip(stops, pairs, strict=True):
        a, b = manager.NodeToIndex(first), manager.NodeToIndex(then)
        model.AddPickupAndDelivery(a, b)
        cp.Add(model.VehicleVar(a) == model.VehicleVar(b))
        cp.Add(clock.CumulVar(a) <= clock.CumulVar(b))
        model.AddDisjunction([a], DROP_PENALTY)
        model.AddDisjunction([b], DROP_PENALTY)
        opens, closes = stop.window or (0, longest)
        door = first if door_of[first] is not None else then
        clock.CumulVar(manager.NodeToIndex(door)).SetRange(opens, min(closes, longest))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    started = time.perf_counter()
    solution = model.SolveWithParameters(params)
    seconds = time.perf_counter() - started
    if solution is None:
        return None, seconds
    runs: _Runs = []
    for k in range(len(vehicles)):
        order: list[StopRequest] = []
        visits: set[int] = set()
        back = False
        index = solution.Value(model.NextVar(model.Start(k)))
        while not model.IsEnd(index):
            stop = door_of[manager.IndexToNode(index)]
            if stop is None:
                back = bool(order)
            else:
                if back:
                    visits.add(len(order) - 1)
                    back = False
                order.append(stop)
            index = solution.Value(model.NextVar(index))
        runs.append((order, visits))
    return runs, seconds


def _solve_nearest(depot: Point, stops: list[StopRequest], vehicles: list[VehicleSpec]) -> _Runs:
    """Greedy nearest neighbour under the same rules: the vehicle free earliest takes the nearest stop it
    can still serve (capacity over the trip, window, back within the shift); when none fits its current
    trip it goes back to the depot for a fresh one, if that helps. Ties go to the smaller ref."""
    runs: _Runs = [([], set()) for _ in vehicles]
    # Per vehicle: where, when it leaves there, the trip's peak load and its load now.
    state = [(depot, 0, 0, 0) for _ in vehicles]
    left = list(stops)

    def pick(k: int, fresh: bool):
        v, (here, t, peak, load) = vehicles[k], state[k]
        if fresh:
            t, here, peak, load = t + travel_min(distance_m(here, depot), v.speed_kmh), depot, 0, 0
        best = None
        for stop in left:
            if stop.kind in LOADED_AT_DEPOT:
                new_peak, new_load = peak + stop.boxes, load
            else:
                new_load = load + stop.boxes
                new_peak = max(peak, new_load)
            if new_peak > v.capacity:
                continue
            metres = distance_m(here, stop.point)
            arrive = t + travel_min(metres, v.speed_kmh)
            opens, closes = stop.window or (0, v.shift_min)
            leave = max(arrive, opens) + stop.service_min
            home = leave + travel_min(distance_m(stop.point, depot), v.speed_kmh)
            if arrive > closes or home > v.shift_min:
                continue
            if best is None or metres < best[0]:
                best = (metres, stop, (stop.point, leave, new_peak, new_load))
        return best

    while left:
        for k in sorted(range(len(vehicles)), key=lambda k: (state[k][1], vehicles[k].ref)):
            order, visits = runs[k]
            best = pick(k, fresh=False)
            if best is None and order and state[k][0] != depot:
                best = pick(k, fresh=True)
                if best is not None:
                    visits.add(len(order) - 1)
            if best is not None:
                order.append(best[1])
                state[k] = best[2]
                left.remove(best[1])
                break
        else:
            break
    return runs


# --- the plan --------------------------------------------------------------------------------------------


def _settle(depot: Point, vehicle: VehicleSpec, order: list[StopRequest], visits: set[int]):
    """Walk the run and take out any stop that breaks a rule (until none does). Returns the sound run,
    its walk, and the stops taken out as Unscheduled."""
    out = []
    while True:
        walk = _walk(depot, vehicle, order, visits)
        if not walk.faults:
            return order, visits, walk, out
        i, _code, reason = walk.faults[0]
        out.append(Unscheduled(order[i].ref, "no_room", reason))
        order = order[:i] + order[i + 1 :]
        # The trip that ended at the removed stop now ends at the one before it (unless that one already
        # ends a trip, or there is none); the positions after it move down by one.
        ends = {p - 1 if p > i else p for p in visits if p != i}
        if i in visits and i > 0:
            ends.add(i - 1)
        visits = {p for p in ends if 0 <= p < len(order) - 1}


def plan_routes(
    depot: Point,
    stops: Sequence[StopRequest],
    vehicles: Sequence[VehicleSpec],
    *,
    time_limit_s: float = 2.0,
    solver: str = "auto",
) -> Plan:
    """Plan one workshop's day: each vehicle's run from ``depot`` and back, and every stop that could not
    be planned with its reason in words (codes: too_big, window, too_far, no_room, no_vehicle, bad_input).

    ``solver``: "auto" (OR-Tools, falling back to nearest neighbour when it finds nothing in
    ``time_limit_s`` seconds, raises, or places fewer stops), or "nearest". Raises ValueError on
    duplicate stop or vehicle refs, a vehicle with impossible figures, or an unknown ``solver``; a stop
    with bad figures comes back unscheduled as "bad_input", and with no vehicles every stop comes back
    as "no_vehicle". Routes come in the vehicles' ref order; the same input in any order gives the same
    plan."""
    started = time.perf_counter()
    if solver not in ("auto", "nearest"):
        raise ValueError(_("不认识的排线方式:%(s)s") % {"s": solver})
    refs = [s.ref for s in stops]
    if len(set(refs)) < len(refs):
        raise ValueError(_("站的编号重复:%(refs)s") % {"refs": ", ".join(sorted(_dupes(refs)))})
    _check_vehicles(vehicles)
    stops = sorted(stops, key=lambda s: s.ref)
    fleet = sorted(vehicles, key=lambda v: v.ref)
    unscheduled: list[Unscheduled] = []
    good = []
    for stop in stops:
        bad = _bad_input(stop)
        if bad:
            unscheduled.append(Unscheduled(stop.ref, "bad_input", bad))
        elif not fleet:
            unscheduled.append(Unscheduled(stop.ref, "no_vehicle", _("没有可用的车")))
        elif (why := _alone(depot, stop, fleet)) is not None:
            unscheduled.append(why)
        else:
            good.append(stop)
    routed = [s for s in good if s.point is not None]
    pointless = [s for s in good if s.point is None]

    used, solver_seconds = "nearest", 0.0
    runs = _solve_nearest(depot, routed, fleet) if fleet else []
    if solver == "auto" and routed:
        try:
            found, solver_seconds = _solve_ortools(depot, routed, fleet, time_limit_s)
        except Exception:  # noqa: BLE001 - any failure of the solver falls back to the greedy plan
            found = None
        if found is not None and sum(len(o) for o, _v in found) >= sum(len(o) for o, _v in runs):
            runs, used = found, "ortools"
    elif solver == "auto":
        used = "ortools"

    settled = []
    for vehicle, (order, visits) in zip(fleet, runs, strict=True):
        order, visits, walk, out = _settle(depot, vehicle, order, visits)
        unscheduled.extend(out)
        settled.append([order, visits, walk])
    for stop in pointless:
        if not _place_last(depot, stop, fleet, settled):
            unscheduled.append(
                Unscheduled(stop.ref, "no_room", _("没有地图位置,排在最后也装不下或来不及回作坊"))
            )
    placed = {s.ref for order, _v, _w in settled for s in order}
    left_out = {u.ref for u in unscheduled}
    for stop in routed:
        if stop.ref not in placed and stop.ref not in left_out:
            unscheduled.append(
                Unscheduled(stop.ref, "no_room", _("单独能排,但今天的车次已满(装不下或时间不够)"))
            )

    routes = []
    for vehicle, (order, visits, walk) in zip(fleet, settled, strict=True):
        planned = tuple(
            PlannedStop(
                ref=s.ref,
                seq=i + 1,
                arrive_min=walk.arrive[i],
                load_after=walk.load_after[i],
                note="" if s.point else _("没有地图位置,排在本车最后,路上时间按 0 算"),
            )
            for i, s in enumerate(order)
        )
        routes.append(
            Route(vehicle.ref, planned, walk.distance, walk.duration, tuple(sorted(p + 1 for p in visits)))
        )
    return Plan(
        routes=tuple(routes),
        unscheduled=tuple(sorted(unscheduled, key=lambda u: u.ref)),
        solver=used,
        solver_seconds=solver_seconds,
        plan_seconds=time.perf_counter() - started,
    )


def _place_last(depot: Point, stop: StopRequest, fleet: list[VehicleSpec], settled: list) -> bool:
    """Put a stop without a map point at the end of the run back soonest that can take it: on its last
    trip, or after one more trip to the depot. Returns whether it was placed."""
    for k in sorted(range(len(fleet)), key=lambda k: (settled[k][2].duration, fleet[k].ref)):
        order, visits, _walk_ = settled[k]
        tries = [visits] + ([visits | {len(order) - 1}] if order else [])
        for trial in tries:
            walk = _walk(depot, fleet[k], [*order, stop], trial)
            if not walk.faults:
                settled[k] = [[*order, stop], trial, walk]
                return True
    return False
