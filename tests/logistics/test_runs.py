"""Planning a day of runs (排线): what a day needs comes from the facts, one run per vehicle and day, an
order that is the same on every run, and every door either in the order or listed with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics import routing, tasks
from logistics import services as logistics
from logistics.models import Residence, Run, RunState, Stop, StopKind, StopState
from logistics.selectors import run_start, stop_reason, workshop_runs
from materials.models import Balance
from tests.factories import UserFactory, WorkshopFactory
from tests.logistics.conftest import home_share


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def _order(plan) -> list[tuple[str, int | None]]:
    return [(s.kind, s.worker_id) for r in plan.runs for s in r.planned_stops]


def test_a_day_with_two_home_shares_is_one_run_delivering_both_kits(cast, issue_job, delivery):
    a = home_share(cast, issue_job, cast.alice, pieces=100)
    b = home_share(cast, issue_job, cast.bob, pieces=60)

    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head)

    assert plan.unscheduled == [] and plan.waiting == []
    (run,) = plan.runs
    assert (run.vehicle_id, run.courier_id, run.state) == (
        delivery.vehicle.pk,
        delivery.courier.pk,
        RunState.PLANNED,
    )
    stops = list(run.stops.order_by("seq"))
    assert [s.seq for s in stops] == [1, 2]
    assert {(s.kind, s.worker_id) for s in stops} == {
        (StopKind.DELIVER, cast.alice.pk),
        (StopKind.DELIVER, cast.bob.pk),
    }
    assert {sl.assignment_id for s in stops for sl in s.lines.all()} == {a.pk, b.pk}
    assert run.distance_m > 0 and run.duration_min > 0
    assert run.solver in ("ortools", "nearest")


def test_planning_the_same_day_again_keeps_one_run_per_vehicle_and_the_same_order(cast, issue_job, delivery):
    for worker in (cast.alice, cast.bob, cast.carol):
        if worker is cast.carol:
            worker.work_place = "home"
            worker.save(update_fields=["work_place"])
            logistics.residence_set(
                actor=cast.head, worker=worker, place=delivery.places["新街小区5幢"], room="3单元501"
            )
        home_share(cast, issue_job, worker, pieces=40)

    first = _order(logistics.runs_plan(workshop=cast.ws, actor=cast.head))
    second = _order(logistics.runs_plan(workshop=cast.ws, actor=cast.head))

    assert first == second and len(first) == 3
    assert Run.objects.filter(workshop=cast.ws, day=timezone.localdate()).count() == 1
    assert Stop.objects.count() == 3  # the first plan's stops were replaced, not kept beside


def test_a_worker_without_a_map_point_is_planned_last_with_the_reason(cast, issue_job, delivery):
    home_share(cast, issue_job, cast.alice)
    home_share(cast, issue_job, cast.bob)
    Residence.objects.filter(worker=cast.bob).update(place=None)

    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head)

    last = plan.runs[0].planned_stops[-1]
    assert last.worker_id == cast.bob.pk
    assert "没有地图位置" in stop_reason(last)


def test_a_door_too_big_for_the_vehicle_comes_back_unscheduled_with_its_reason_in_words(
    cast, issue_job, delivery
):
    delivery.vehicle.capacity = 2
    delivery.vehicle.save()
    home_share(cast, issue_job, cast.alice, pieces=40)
    home_share(cast, issue_job, cast.bob, pieces=2000, bundle_size=50)  # 40 bundles = 10 boxes

    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head)

    (left,) = plan.unscheduled
    assert (left.worker_id, left.state, left.seq) == (cast.bob.pk, StopState.UNSCHEDULED, None)
    assert stop_reason(left) == "要装 10 箱,车最多装 2 箱,请分两次或换车"
    assert [s.worker_id for s in plan.runs[0].planned_stops] == [cast.alice.pk]
    (run,) = workshop_runs([cast.ws.pk], timezone.localdate())
    assert [s.pk for s in run.unscheduled] == [left.pk]  # the head's page lists it


def test_every_planned_stop_keeps_the_capacity_and_the_home_hours_checked_again_after_solving(
    cast, issue_job, delivery
):
    delivery.vehicle.capacity = 3
    delivery.vehicle.save()
    logistics.residence_set(
        actor=cast.head,
        worker=cast.alice,
        place=delivery.places["新街小区1幢"],
        home_from="10:00",
        home_until="11:00",
    )
    for worker in (cast.alice, cast.bob):
        home_share(cast, issue_job, worker, pieces=200, bundle_size=50)  # 4 bundles = 1 box each

    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head, now=_at(timezone.localdate(), 7, 30))

    (run,) = plan.runs
    depot = cast.ws.depot
    alice = next(s for s in run.planned_stops if s.worker_id == cast.alice.pk)
    start = dt.datetime.combine(run.day, depot.start_at)
    arrive = (start + dt.timedelta(minutes=alice.arrive_min)).time()
    assert dt.time(10, 0) <= arrive <= dt.time(11, 0)
    stops = [
        routing.StopRequest(
            ref=str(s.pk),
            kind=s.kind,
            point=routing.Point(float(s.place.lat), float(s.place.lng)),
            boxes=s.boxes,
            window=(90, 150) if s.worker_id == cast.alice.pk else None,
        )
        for s in run.planned_stops
    ]
    walked = routing.Plan(
        routes=(
            routing.Route(
                vehicle_ref="v",
                stops=tuple(
                    routing.PlannedStop(ref=str(s.pk), seq=s.seq, arrive_min=s.arrive_min, load_after=0)
                    for s in run.planned_stops
                ),
                distance_m=run.distance_m,
                duration_min=run.duration_min,
            ),
        ),
        unscheduled=(),
        solver=run.solver,
        solver_seconds=0,
        plan_seconds=0,
    )
    vehicle = routing.VehicleSpec(ref="v", capacity=3, speed_kmh=12.0, shift_min=depot.shift_min)
    assert routing.check_plan(routing.Point(30.526, 120.946), stops, [vehicle], walked) == []


def test_a_share_whose_kit_is_not_in_the_store_waits_and_says_so(cast, issue_job, delivery):
    a = home_share(cast, issue_job, cast.alice, pieces=100)
    Balance.objects.filter(line__job=a.job, holder_key="store").update(quantity=10)

    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head)

    assert plan.runs == [] and plan.waiting == ["alice 的料仓库里不够,先收料再送"]


def test_a_day_cannot_be_planned_without_a_depot_or_a_vehicle_or_once_a_run_is_under_way(
    cast, issue_job, delivery
):
    home_share(cast, issue_job, cast.alice)
    other = WorkshopFactory(head=UserFactory(username="head2"))
    with pytest.raises(ValidationError, match="配送设置"):
        logistics.runs_plan(workshop=other, actor=other.head)
    logistics.depot_set(actor=other.head, workshop=other, lat="30.5", lng="120.9")
    with pytest.raises(ValidationError, match="登记一辆车"):
        logistics.runs_plan(workshop=other, actor=other.head)

    (run,) = logistics.runs_plan(workshop=cast.ws, actor=cast.head).runs
    logistics.run_start(actor=delivery.courier.user, run=run)
    with pytest.raises(ValidationError, match="已经有车出发"):
        logistics.runs_plan(workshop=cast.ws, actor=cast.head)
    assert Stop.objects.filter(run=run).count() == 1


def test_another_workshops_head_cannot_plan_this_workshops_day(cast, issue_job, delivery):
    home_share(cast, issue_job, cast.alice)
    other = WorkshopFactory(head=UserFactory(username="head2"))

    with pytest.raises(PermissionDenied):
        logistics.runs_plan(workshop=cast.ws, actor=other.head)
    assert not Run.objects.exists()


def test_beat_plans_a_workshop_once_its_hour_has_passed_and_only_once(cast, issue_job, delivery):
    home_share(cast, issue_job, cast.alice)
    depot = cast.ws.depot
    early = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(6, 0)))
    late = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(8, 0)))
    assert logistics.runs_plan_due(early) == []
    assert logistics.runs_plan_due(late) == [cast.ws.pk]
    depot.plan_at = dt.time(5, 0)
    depot.save()

    assert tasks.plan_workshop_runs.run(cast.ws.pk).startswith("1 stops")
    assert tasks.plan_workshop_runs.run(cast.ws.pk) == "planned-already"
    assert logistics.runs_plan_due(late) == []
    assert Run.objects.count() == 1


def test_a_vehicle_nobody_rides_is_not_planned_and_an_afternoon_window_is_named_as_the_reason(
    cast, issue_job, delivery
):
    logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="小电驴", capacity=2)  # no courier
    logistics.residence_set(
        actor=cast.head,
        worker=cast.bob,
        place=delivery.places["新街小区5幢"],
        home_from="13:00",
        home_until="17:00",
    )
    home_share(cast, issue_job, cast.alice)
    home_share(cast, issue_job, cast.bob)

    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head, now=_at(timezone.localdate(), 7, 30))

    assert {r.vehicle_id for r in plan.runs} == {delivery.vehicle.pk}
    (left,) = plan.unscheduled
    assert left.worker_id == cast.bob.pk and stop_reason(left) == "在家时间(13:00–17:00)这趟赶不到"
    delivery.vehicle.courier = None
    delivery.vehicle.save()
    with pytest.raises(ValidationError, match="没有一辆车有在岗的配送员"):
        logistics.runs_plan(workshop=cast.ws, actor=cast.head)


def test_planning_reads_the_workshop_with_the_depots_lock(cast, issue_job, delivery):
    with CaptureQueriesContext(connection) as ctx:
        plan = logistics.runs_plan(workshop=cast.ws.pk, actor=cast.head)

    assert plan.runs == []  # nothing to take anywhere today
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [
        s for s in sql if s.startswith('SELECT "workshop_workshop"."id", "workshop_workshop"."name"')
    ], sql
    assert sum('"logistics_depot"' in s and '"workshop_workshop"' in s for s in sql) == 1


def test_a_planned_runs_clock_starts_at_the_later_of_now_and_the_depots_time_on_its_day():
    today = timezone.localdate()
    run = Run(day=today, state=RunState.PLANNED)
    depot = dt.time(8, 30)

    # Planned at 14:00 for today: its times count from now, to the minute, until it sets off.
    assert run_start(run, depot, now=_at(today, 14, 0) + dt.timedelta(seconds=42)) == _at(
        today, 14, 0
    ).replace(tzinfo=None)
    # Before the depot's time, from the depot's time; no depot: 08:30.
    assert run_start(run, depot, now=_at(today, 7, 10)) == dt.datetime.combine(today, depot)
    assert run_start(run, None, now=_at(today, 7, 10)) == dt.datetime.combine(today, dt.time(8, 30))
    # A run for a later day: the depot's time on that day, whatever the time now.
    later = Run(day=today + dt.timedelta(days=1), state=RunState.PLANNED)
    assert run_start(later, dt.time(9, 0), now=_at(today, 14, 0)) == dt.datetime.combine(
        later.day, dt.time(9, 0)
    )
    # Once it set off: when it left.
    left = Run(day=today, state=RunState.UNDER_WAY, started_at=_at(today, 14, 20))
    assert run_start(left, depot, now=_at(today, 16, 0)) == dt.datetime.combine(today, dt.time(14, 20))


def test_a_day_planned_in_the_afternoon_counts_from_now_and_leaves_out_a_morning_already_past(
    cast, issue_job, delivery
):
    """Planned at 14:00, the run was checked against alice's 08:00–12:00 as if it left at the depot's
    08:30: she was put on it with a morning arrival, and bob, home 14:30–16:00, was left out."""
    today = timezone.localdate()
    for worker, hours in ((cast.alice, ("08:00", "12:00")), (cast.bob, ("14:30", "16:00"))):
        place = Residence.objects.get(worker=worker).place
        logistics.residence_set(
            actor=cast.head, worker=worker, place=place, home_from=hours[0], home_until=hours[1]
        )
        home_share(cast, issue_job, worker)
    two_pm = _at(today, 14, 0)

    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head, now=two_pm)

    (left,) = plan.unscheduled
    assert left.worker_id == cast.alice.pk and stop_reason(left) == "在家时间(08:00–12:00)这趟赶不到"
    (run,) = plan.runs
    (bob,) = run.planned_stops
    # The time the head's page and the courier's phone show (run_start) falls inside bob's home hours,
    # whenever they are opened: the clock it was planned from, not the clock now (a trial opened a run
    # planned at 14:00 at 14:40 and saw every time 40 minutes later).
    run.refresh_from_db()
    arrive = run_start(run, cast.ws.depot.start_at) + dt.timedelta(minutes=bob.arrive_min)
    assert run_start(run, cast.ws.depot.start_at) == two_pm.replace(tzinfo=None)
    assert bob.worker_id == cast.bob.pk and dt.time(14, 30) <= arrive.time() <= dt.time(16, 0)


def test_a_later_day_planned_in_the_afternoon_still_counts_from_the_depots_time(cast, issue_job, delivery):
    today = timezone.localdate()
    place = Residence.objects.get(worker=cast.alice).place
    logistics.residence_set(
        actor=cast.head, worker=cast.alice, place=place, home_from="08:00", home_until="12:00"
    )
    home_share(cast, issue_job, cast.alice)

    plan = logistics.runs_plan(
        workshop=cast.ws, day=today + dt.timedelta(days=1), actor=cast.head, now=_at(today, 14, 0)
    )

    assert plan.unscheduled == []
    ((alice,),) = [r.planned_stops for r in plan.runs]
    arrive = dt.datetime.combine(alice.run.day, cast.ws.depot.start_at) + dt.timedelta(
        minutes=alice.arrive_min
    )
    assert dt.time(8, 0) <= arrive.time() <= dt.time(12, 0)
