"""The route planner (logistics.routing): pure functions, no database."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.constraint_solver import pywrapcp

from logistics import routing
from logistics.routing import (
    COLLECT,
    DELIVER,
    HANDOVER,
    Plan,
    PlannedStop,
    Point,
    Route,
    StopRequest,
    Unscheduled,
    VehicleSpec,
    check_plan,
    distance_m,
    plan_routes,
)

DEPOT = Point(30.53, 120.94)  # 新街社区, Haiyan
M_PER_DEG = 6_371_008.8 * math.pi / 180


def at(east_m: float, north_m: float) -> Point:
    """A point ``east_m`` metres east and ``north_m`` metres north of the depot."""
    return Point(
        DEPOT.lat + north_m / M_PER_DEG,
        DEPOT.lng + east_m / (M_PER_DEG * math.cos(math.radians(DEPOT.lat))),
    )


def stop(ref, kind=DELIVER, point=None, boxes=1, window=None, service_min=3, *, here=True):
    return StopRequest(
        ref, kind, point if point is not None or not here else at(500, 0), boxes, window, service_min
    )


def refs_of(plan: Plan) -> list[str]:
    return [p.ref for r in plan.routes for p in r.stops] + [u.ref for u in plan.unscheduled]


def shape(plan: Plan):
    """What a plan decides, without its timings."""
    return plan.routes, plan.unscheduled, plan.solver


def day(seed: int, n: int = 16) -> list[StopRequest]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        point = None if rng.random() < 0.1 else at(rng.uniform(-2500, 2500), rng.uniform(-2500, 2500))
        opens = rng.randint(0, 150)
        window = None if rng.random() < 0.6 else (opens, opens + rng.randint(30, 90))
        out.append(
            StopRequest(
                f"s{i:02d}", rng.choice([DELIVER, COLLECT, HANDOVER]), point, rng.randint(1, 4), window
            )
        )
    return out


# --- distances and time ---------------------------------------------------------------------------------


def test_distance_is_haversine_in_whole_metres():
    assert distance_m(DEPOT, DEPOT) == 0
    assert distance_m(Point(0, 0), Point(1, 0)) == 111_195
    assert distance_m(DEPOT, at(1000, 0)) == 1000
    assert distance_m(at(300, 400), DEPOT) == 500


def test_travel_minutes_round_up_service_counts_and_the_courier_waits_for_a_window_to_open():
    # 1,010 m at 12 km/h (200 m a minute) is 5.05 minutes: 6.
    plan = plan_routes(
        DEPOT, [stop("a", point=at(1010, 0), window=(30, 60), service_min=4)], [VehicleSpec("v", 5)]
    )
    (route,) = plan.routes
    assert route.stops == (PlannedStop("a", 1, 30, 0),)  # arrived at 6, waited until 30
    assert route.duration_min == 30 + 4 + 6
    assert route.distance_m == 2020
    plan = plan_routes(DEPOT, [stop("a", point=at(1010, 0))], [VehicleSpec("v", 5)])
    assert plan.routes[0].stops[0].arrive_min == 6


# --- every stop comes back once -------------------------------------------------------------------------


def test_every_stop_comes_back_exactly_once_routed_or_with_a_reason():
    stops = [*day(3, 20), stop("big", boxes=40), stop("nowhere", point=None, here=False)]
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v1", 8, shift_min=120)])
    assert sorted(refs_of(plan)) == sorted(s.ref for s in stops)
    assert plan.unscheduled and all(u.reason for u in plan.unscheduled)
    assert any(r.stops for r in plan.routes)
    assert check_plan(DEPOT, stops, [VehicleSpec("v1", 8, shift_min=120)], plan) == []


def test_a_stop_without_a_map_point_is_planned_last_with_a_note_and_no_travel_time():
    stops = [
        stop("a", point=at(1000, 0)),
        stop("b", kind=COLLECT, point=at(1000, 400)),
        stop("c-nowhere", point=None, here=False, service_min=5),
    ]
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v", 6)])
    route = plan.routes[0]
    assert [p.ref for p in route.stops][-1] == "c-nowhere"
    last, before = route.stops[-1], route.stops[-2]
    assert last.note == "没有地图位置,排在本车最后,路上时间按 0 算"
    assert before.note == ""
    assert last.arrive_min == before.arrive_min + 3  # the stop before's service, then 0 minutes' ride
    assert plan.unscheduled == ()


def test_a_stop_without_a_map_point_that_does_not_fit_comes_back_unscheduled():
    stops = [
        stop("a", point=at(1000, 0), window=(0, 10)),
        stop("b-nowhere", point=None, here=False, service_min=30),
    ]
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v", 6, shift_min=30)])
    assert [p.ref for p in plan.routes[0].stops] == ["a"]
    assert plan.unscheduled == (
        Unscheduled("b-nowhere", "no_room", "没有地图位置,排在最后也装不下或来不及回作坊"),
    )


# --- why a stop was left out ----------------------------------------------------------------------------


def test_a_stop_too_big_for_any_vehicle_comes_back_with_its_reason():
    plan = plan_routes(
        DEPOT, [stop("big", boxes=13), stop("ok", boxes=12)], [VehicleSpec("a", 6), VehicleSpec("b", 12)]
    )
    assert plan.unscheduled == (Unscheduled("big", "too_big", "要 13 箱,车最多装 12 箱"),)
    assert [p.ref for r in plan.routes for p in r.stops] == ["ok"]


def test_a_window_no_vehicle_can_reach_going_straight_comes_back_as_window():
    plan = plan_routes(DEPOT, [stop("early", point=at(2000, 0), window=(0, 9))], [VehicleSpec("v", 6)])
    assert plan.unscheduled == (
        Unscheduled("early", "window", "最快第 10 分钟才能到,可上门时间是第 0 到 9 分钟"),
    )


def test_a_place_too_far_to_come_back_within_the_shift_comes_back_as_too_far():
    plan = plan_routes(DEPOT, [stop("far", point=at(20_000, 0))], [VehicleSpec("v", 6, shift_min=120)])
    assert plan.unscheduled == (Unscheduled("far", "too_far", "来回最少要 203 分钟,出车最长 120 分钟"),)


def test_a_stop_that_fits_alone_but_not_with_the_rest_comes_back_as_no_room():
    # Four full kits 2 km out, each its own 23-minute round trip: a 60-minute shift has room for two.
    stops = [stop(f"s{i}", point=at(2000 * math.cos(i), 2000 * math.sin(i)), boxes=6) for i in range(4)]
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v", 6, shift_min=60)])
    assert len(plan.routes[0].stops) == 2
    assert {u.code for u in plan.unscheduled} == {"no_room"}
    assert len(plan.unscheduled) == 2
    assert "已满" in plan.unscheduled[0].reason


# --- capacity and trips ---------------------------------------------------------------------------------


def test_the_load_never_exceeds_capacity_the_vehicle_goes_back_to_reload():
    stops = [stop(f"k{i}", point=at(800 + 100 * i, 300), boxes=3) for i in range(4)]
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v", 6)])
    (route,) = plan.routes
    assert len(route.stops) == 4 and plan.unscheduled == ()
    assert route.depot_visits  # 12 boxes of kits on a 6-box tricycle: at least two trips
    assert all(p.load_after <= 6 for p in route.stops)
    assert check_plan(DEPOT, stops, [VehicleSpec("v", 6)], plan) == []


def test_collected_bundles_and_kits_share_the_box_and_goods_for_the_firm_leave_from_the_depot():
    stops = [
        stop("c1", COLLECT, at(1000, 0), boxes=4),
        stop("c2", COLLECT, at(1200, 0), boxes=4),
        stop("firm", HANDOVER, at(-1500, 0), boxes=5),
    ]
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v", 6)])
    (route,) = plan.routes
    assert plan.unscheduled == ()
    assert route.depot_visits  # two collects of 4 boxes cannot ride together on a 6-box tricycle
    loads = {p.ref: p.load_after for p in route.stops}
    assert loads == {"c1": 4, "c2": 4, "firm": 0}


# --- check_plan: the solver is never trusted -----------------------------------------------------------


def test_check_plan_finds_the_overload_the_late_arrival_and_the_overlong_run_of_a_hand_made_plan():
    stops = [
        stop("a", point=at(2000, 0), boxes=4),
        stop("b", point=at(2000, 200), boxes=4, window=(0, 5)),
        stop("c", COLLECT, at(0, 2000), boxes=1),
    ]
    vehicle = VehicleSpec("v", 6, shift_min=30)
    bad = Plan(
        routes=(Route("v", tuple(PlannedStop(s.ref, i + 1, 0, 0) for i, s in enumerate(stops)), 0, 0),),
        unscheduled=(),
        solver="hand",
        solver_seconds=0,
        plan_seconds=0,
    )
    found = check_plan(DEPOT, stops, [vehicle], bad)
    assert [(u.ref, u.code) for u in found] == [("b", "capacity"), ("b", "window"), ("c", "shift")]
    assert found[0].reason == "车上要装 8 箱,车最多装 6 箱"
    # The same stops on two trips carry 4 boxes at most: only the window and the shift remain.
    two_trips = Plan((Route("v", bad.routes[0].stops, 0, 0, depot_visits=(1,)),), (), "hand", 0, 0)
    assert [u.code for u in check_plan(DEPOT, stops, [vehicle], two_trips)] == ["window", "shift"]


def test_check_plan_finds_missing_repeated_and_unknown_stops():
    stops = [stop("a"), stop("b"), stop("c")]
    bad = Plan(
        routes=(Route("v", (PlannedStop("a", 1, 5, 0), PlannedStop("x", 2, 9, 0)), 0, 0),),
        unscheduled=(Unscheduled("a", "no_room", ""),),
        solver="hand",
        solver_seconds=0,
        plan_seconds=0,
    )
    found = check_plan(DEPOT, stops, [VehicleSpec("v", 6)], bad)
    assert sorted((u.ref, u.code) for u in found) == [
        ("a", "twice"),
        ("b", "missing"),
        ("c", "missing"),
        ("x", "unknown"),
    ]


def test_a_stop_the_solver_placed_against_the_rules_is_moved_to_unscheduled(monkeypatch):
    stops = [stop("a", boxes=4), stop("b", boxes=4), stop("c", boxes=1)]

    def overloading(depot, routed, vehicles, time_limit_s):
        return [(list(routed), set())], 0.01  # 9 boxes of kits on a 6-box vehicle in one trip

    monkeypatch.setattr(routing, "_solve_ortools", overloading)
    monkeypatch.setattr(routing, "_solve_nearest", lambda *a: [([], set())])
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v", 6)])
    assert plan.solver == "ortools"
    assert [p.ref for p in plan.routes[0].stops] == ["a", "c"]
    assert plan.unscheduled == (Unscheduled("b", "no_room", "车上要装 9 箱,车最多装 6 箱"),)
    assert check_plan(DEPOT, stops, [VehicleSpec("v", 6)], plan) == []


# --- the same input, the same plan ----------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["auto", "nearest"])
def test_the_same_input_in_any_order_gives_the_same_plan(solver):
    stops = day(11, 20)
    vehicles = [VehicleSpec("v1", 8), VehicleSpec("v2", 10)]
    first = plan_routes(DEPOT, stops, vehicles, solver=solver)
    assert shape(plan_routes(DEPOT, stops, vehicles, solver=solver)) == shape(first)
    shuffled = stops[:]
    random.Random(5).shuffle(shuffled)
    assert shape(plan_routes(DEPOT, shuffled, vehicles[::-1], solver=solver)) == shape(first)
    assert [r.vehicle_ref for r in first.routes] == ["v1", "v2"]


# --- the fallback ---------------------------------------------------------------------------------------


def test_nearest_neighbour_is_used_when_asked_and_keeps_the_rules():
    stops = day(4, 20)
    vehicles = [VehicleSpec("v1", 6), VehicleSpec("v2", 8, speed_kmh=15)]
    plan = plan_routes(DEPOT, stops, vehicles, solver="nearest")
    assert plan.solver == "nearest" and plan.solver_seconds == 0
    assert sorted(refs_of(plan)) == sorted(s.ref for s in stops)
    assert check_plan(DEPOT, stops, vehicles, plan) == []
    assert any(r.depot_visits for r in plan.routes)
    auto = plan_routes(DEPOT, stops, vehicles)
    assert auto.solver == "ortools" and auto.solver_seconds > 0
    assert sum(r.distance_m for r in auto.routes) <= sum(r.distance_m for r in plan.routes)


def test_when_ortools_finds_nothing_the_plan_falls_back_to_nearest_neighbour(monkeypatch):
    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveWithParameters", lambda self, params: None)
    stops = day(4, 12)
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v", 8)])
    assert plan.solver == "nearest"
    assert shape(plan)[:2] == shape(plan_routes(DEPOT, stops, [VehicleSpec("v", 8)], solver="nearest"))[:2]


def test_when_ortools_fails_the_plan_falls_back_to_nearest_neighbour(monkeypatch):
    def broken(self, params):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveWithParameters", broken)
    plan = plan_routes(DEPOT, day(4, 12), [VehicleSpec("v", 8)])
    assert plan.solver == "nearest"
    assert any(r.stops for r in plan.routes)


# --- several vehicles -----------------------------------------------------------------------------------


def test_stops_spread_over_the_vehicles_and_an_idle_vehicle_has_an_empty_route():
    stops = [stop(f"k{i}", point=at(3000, 100 * i), boxes=5, window=(0, 30)) for i in range(3)]
    vehicles = [VehicleSpec("a", 5), VehicleSpec("b", 5), VehicleSpec("c", 5), VehicleSpec("d", 5)]
    plan = plan_routes(DEPOT, stops, vehicles)
    # Each kit fills a vehicle and must be at the door within 30 minutes: one vehicle each, one idle.
    assert sorted(len(r.stops) for r in plan.routes) == [0, 1, 1, 1]
    idle = next(r for r in plan.routes if not r.stops)
    assert (idle.distance_m, idle.duration_min, idle.depot_visits) == (0, 0, ())
    assert plan.unscheduled == ()


# --- bad input ------------------------------------------------------------------------------------------


def test_a_stop_with_bad_figures_comes_back_as_bad_input_and_the_rest_is_planned():
    stops = [stop("neg", boxes=-1), stop("back", window=(60, 30)), stop("odd", kind="post"), stop("ok")]
    plan = plan_routes(DEPOT, stops, [VehicleSpec("v", 6)])
    assert [(u.ref, u.code, u.reason) for u in plan.unscheduled] == [
        ("back", "bad_input", "时间窗不对:从第 60 分钟到第 30 分钟"),
        ("neg", "bad_input", "箱数不能为负:-1"),
        ("odd", "bad_input", "不认识的类型:post"),
    ]
    assert [p.ref for p in plan.routes[0].stops] == ["ok"]


def test_without_vehicles_every_stop_comes_back_as_no_vehicle():
    plan = plan_routes(DEPOT, [stop("a"), stop("b")], [])
    assert plan.routes == ()
    assert [(u.ref, u.code, u.reason) for u in plan.unscheduled] == [
        ("a", "no_vehicle", "没有可用的车"),
        ("b", "no_vehicle", "没有可用的车"),
    ]


@pytest.mark.parametrize(
    ("stops", "vehicles", "words"),
    [
        ([stop("a"), stop("a")], [VehicleSpec("v", 6)], "站的编号重复:a"),
        ([stop("a")], [VehicleSpec("v", 6), VehicleSpec("v", 8)], "车的编号重复:v"),
        ([stop("a")], [VehicleSpec("v", 6, speed_kmh=0)], "车 v 的数字不对"),
        ([stop("a")], [VehicleSpec("v", -1)], "车 v 的数字不对"),
    ],
)
def test_duplicate_refs_and_impossible_vehicles_are_refused_in_words(stops, vehicles, words):
    with pytest.raises(ValueError, match=words):
        plan_routes(DEPOT, stops, vehicles)


def test_an_unknown_solver_is_refused():
    with pytest.raises(ValueError, match="不认识的排线方式"):
        plan_routes(DEPOT, [stop("a")], [VehicleSpec("v", 6)], solver="magic")


# --- properties -----------------------------------------------------------------------------------------

places = st.one_of(st.none(), st.builds(at, st.integers(-3000, 3000), st.integers(-3000, 3000)))
windows = st.one_of(
    st.none(), st.tuples(st.integers(0, 200), st.integers(0, 90)).map(lambda w: (w[0], w[0] + w[1]))
)
requests = st.lists(
    st.tuples(
        st.sampled_from([DELIVER, COLLECT, HANDOVER]), places, st.integers(0, 9), windows, st.integers(0, 6)
    ),
    max_size=9,
)
fleets = st.lists(
    st.tuples(st.integers(0, 10), st.sampled_from([8.0, 12.0, 18.0]), st.integers(30, 240)),
    min_size=1,
    max_size=3,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests, fleets, st.sampled_from(["auto", "nearest"]))
def test_every_stop_comes_back_once_and_every_plan_passes_its_own_check(raw, raw_fleet, solver):
    stops = [StopRequest(f"s{i}", k, p, b, w, m) for i, (k, p, b, w, m) in enumerate(raw)]
    vehicles = [VehicleSpec(f"v{i}", c, s, m) for i, (c, s, m) in enumerate(raw_fleet)]
    plan = plan_routes(DEPOT, stops, vehicles, time_limit_s=1.0, solver=solver)
    assert sorted(refs_of(plan)) == sorted(s.ref for s in stops)
    assert check_plan(DEPOT, stops, vehicles, plan) == []
    for route in plan.routes:
        assert [p.seq for p in route.stops] == list(range(1, len(route.stops) + 1))
        assert all(0 <= p.load_after for p in route.stops)
        assert route.duration_min <= next(v.shift_min for v in vehicles if v.ref == route.vehicle_ref)


def test_a_window_that_opens_after_the_run_ends_comes_back_as_window_not_as_too_far():
    afternoon = stop("pm", point=at(300, 0), window=(270, 510))  # 13:00–17:00 on a run 08:30–12:30

    plan = plan_routes(DEPOT, [afternoon], [VehicleSpec("v", 6, shift_min=240)])

    assert [(u.ref, u.code) for u in plan.unscheduled] == [("pm", "window")]
