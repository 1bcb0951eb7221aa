"""A courier's one tap per stop: counts into the materials ledger and the collections, once per key, only
on her own run today, and nothing written when refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dispatch import services
from dispatch.models import FlowEvent, JobState
from logistics import services as logistics
from logistics.models import Collection, DeliveryNote, NoteState, Run, RunState, Stop, StopKind, StopState
from logistics.services import CheckOff
from materials.models import Balance, Movement, MovementKind
from materials.selectors import balances_agree
from notices.models import Notification, NotificationKind
from tests.logistics.conftest import home_share, key
from tests.lots import completed
from tickets import services as tickets


def _run(cast):
    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head)
    return plan.runs[0], {(s.kind, s.worker_id): s for s in plan.runs[0].planned_stops}


def _written() -> tuple:
    return (
        Movement.objects.count(),
        Collection.objects.count(),
        list(Stop.objects.order_by("pk").values_list("state", "key")),
        Notification.objects.count(),
    )


def test_setting_off_loads_the_kits_and_a_delivery_moves_them_to_the_workers_door(cast, issue_job, delivery):
    a = home_share(cast, issue_job, cast.alice, pieces=100)
    run, stops = _run(cast)
    courier = delivery.courier

    logistics.run_start(actor=courier.user, run=run)
    loaded = Balance.objects.get(line__job=a.job, holder_key=f"courier:{courier.pk}")
    assert loaded.quantity == 102  # 100 pieces × 1 + 2 % allowed loss
    stop, done = logistics.stop_check(
        actor=courier.user, stop=stops[(StopKind.DELIVER, cast.alice.pk)], check=CheckOff("done"), key=key()
    )

    assert done and stop.state == StopState.DELIVERED
    kinds = list(Movement.objects.filter(job=a.job).order_by("pk").values_list("kind", "quantity"))
    assert kinds[-2:] == [(MovementKind.LOAD, 102), (MovementKind.DELIVER, 102)]
    assert Balance.objects.get(line__job=a.job, holder_key=f"worker:{cast.alice.pk}").quantity == 102
    assert Balance.objects.get(line__job=a.job, holder_key=f"courier:{courier.pk}").quantity == 0
    assert balances_agree(a.job)


def test_the_same_check_off_sent_twice_counts_once(cast, issue_job, delivery):
    home_share(cast, issue_job, cast.alice)
    run, stops = _run(cast)
    k = key()
    stop = stops[(StopKind.DELIVER, cast.alice.pk)]
    logistics.stop_check(actor=delivery.courier.user, stop=stop, check=CheckOff("done"), key=k)
    before = _written()

    again, done = logistics.stop_check(actor=delivery.courier.user, stop=stop, check=CheckOff("done"), key=k)

    assert not done and again.state == StopState.DELIVERED
    assert _written() == before


def test_a_stop_not_on_her_run_today_is_refused_and_nothing_is_written(cast, issue_job, delivery):
    home_share(cast, issue_job, cast.alice)
    run, stops = _run(cast)
    before = _written()

    with pytest.raises(PermissionDenied):
        logistics.stop_check(
            actor=delivery.other_courier.user,
            stop=stops[(StopKind.DELIVER, cast.alice.pk)],
            check=CheckOff("done"),
            key=key(),
        )
    with pytest.raises(PermissionDenied):
        logistics.stop_check(
            actor=cast.alice.user,
            stop=stops[(StopKind.DELIVER, cast.alice.pk)],
            check=CheckOff("done"),
            key=key(),
        )
    assert _written() == before
    run.refresh_from_db()
    assert run.state == RunState.PLANNED


def _reported_home_share(cast, issue_job, pieces=120, reported=120, worker=None):
    a = home_share(cast, issue_job, worker or cast.alice, pieces=pieces, bom=False, bundle_size=50)
    printed = tickets.tickets_print(actor=cast.head, assignment=a)
    done = 0
    for t in printed:
        if done + t.pieces > reported:
            break
        tickets.ticket_report(actor=a.worker.user, ticket=t)
        done += t.pieces
    return a, printed


def test_a_collection_counts_the_pieces_and_the_scanned_bundles(cast, issue_job, delivery):
    a, printed = _reported_home_share(cast, issue_job)
    run, stops = _run(cast)
    stop = stops[(StopKind.COLLECT, cast.alice.pk)]
    assert [sl.pieces for sl in stop.lines.all()] == [120]

    logistics.stop_check(
        actor=delivery.courier.user,
        stop=stop,
        check=CheckOff("done", counts={a.pk: 120}, tickets=[t.token for t in printed]),
        key=key(),
    )

    rows = sorted(Collection.objects.values_list("ticket__number", "pieces"))
    assert rows == [(1, 50), (2, 50), (3, 20)]
    assert not Notification.objects.filter(kind=NotificationKind.COLLECTION_SHORT).exists()


def test_counts_above_what_is_left_to_collect_are_refused_and_nothing_is_written(cast, issue_job, delivery):
    a, printed = _reported_home_share(cast, issue_job, reported=100)
    run, stops = _run(cast)
    before = _written()

    with pytest.raises(ValidationError, match="还有 100 件没收,不能收 120 件"):
        logistics.stop_check(
            actor=delivery.courier.user,
            stop=stops[(StopKind.COLLECT, cast.alice.pk)],
            check=CheckOff("done", counts={a.pk: 120}),
            key=key(),
        )
    assert _written() == before


def test_a_short_collection_is_flagged_to_the_head_and_the_rest_is_collected_next_time(
    cast, issue_job, delivery
):
    a, _printed = _reported_home_share(cast, issue_job, pieces=100, reported=100)
    run, stops = _run(cast)
    logistics.stop_check(
        actor=delivery.courier.user,
        stop=stops[(StopKind.COLLECT, cast.alice.pk)],
        check=CheckOff("done", counts={a.pk: 90}),
        key=key(),
    )

    (flag,) = Notification.objects.filter(kind=NotificationKind.COLLECTION_SHORT)
    assert (flag.recipient_id, flag.params["r"], flag.params["c"]) == (cast.head.pk, 100, 90)
    logistics.run_finish(actor=delivery.courier.user, run=run)
    tomorrow = logistics.runs_plan(workshop=cast.ws, day=run.day + dt.timedelta(days=1), actor=cast.head)
    (again,) = tomorrow.runs[0].planned_stops
    assert (again.kind, again.worker_id, [sl.pieces for sl in again.lines.all()]) == (
        StopKind.COLLECT,
        cast.alice.pk,
        [10],
    )


def test_a_bundle_of_another_share_or_collected_already_is_refused(cast, issue_job, delivery):
    a, printed = _reported_home_share(cast, issue_job)
    b, theirs = _reported_home_share(cast, issue_job, worker=cast.bob)
    run, stops = _run(cast)
    alice_stop = stops[(StopKind.COLLECT, cast.alice.pk)]

    with pytest.raises(ValidationError, match="不是这一站的"):
        logistics.stop_check(
            actor=delivery.courier.user,
            stop=alice_stop,
            check=CheckOff("done", tickets=[theirs[0].token]),
            key=key(),
        )
    assert not Collection.objects.exists()


def test_nobody_home_tells_the_head_and_the_door_comes_back_in_the_next_plan(cast, issue_job, delivery):
    home_share(cast, issue_job, cast.alice)
    run, stops = _run(cast)
    stop = stops[(StopKind.DELIVER, cast.alice.pk)]

    logistics.stop_check(actor=delivery.courier.user, stop=stop, check=CheckOff("nobody_home"), key=key())
    logistics.run_finish(actor=delivery.courier.user, run=run)

    stop.refresh_from_db()
    assert stop.state == StopState.NOBODY_HOME
    (told,) = Notification.objects.filter(kind=NotificationKind.STOP_MISSED)
    assert told.recipient_id == cast.head.pk and told.params["w"] == "alice"
    # The kit went back to the store with the courier, and alice is still waiting for it.
    courier_holds = Balance.objects.filter(holder_key=f"courier:{delivery.courier.pk}").values_list(
        "quantity", flat=True
    )
    assert set(courier_holds) == {0}
    assert Movement.objects.filter(kind=MovementKind.UNLOAD).count() == 1


def test_a_refusal_needs_a_reason(cast, issue_job, delivery):
    home_share(cast, issue_job, cast.alice)
    run, stops = _run(cast)
    before = _written()

    with pytest.raises(ValidationError, match="为什么拒收"):
        logistics.stop_check(
            actor=delivery.courier.user,
            stop=stops[(StopKind.DELIVER, cast.alice.pk)],
            check=CheckOff("refused", reason="  "),
            key=key(),
        )
    assert _written() == before


def test_handing_a_lot_over_at_the_firm_sends_its_note_and_the_firm_counts_it_in(cast, issue_job, delivery):
    a, printed = _reported_home_share(cast, issue_job, pieces=100, reported=100)
    run, stops = _run(cast)
    logistics.stop_check(
        actor=delivery.courier.user,
        stop=stops[(StopKind.COLLECT, cast.alice.pk)],
        check=CheckOff("done", counts={a.pk: 100}),
        key=key(),
    )
    logistics.run_finish(actor=delivery.courier.user, run=run)
    completed(a.job)
    note = logistics.note_prepare(actor=cast.head, job=a.job)
    assert (note.pieces_sent, note.bundles_sent) == (100, 2)

    Run.objects.filter(pk=run.pk).update(day=run.day - dt.timedelta(days=1))  # that run was yesterday's

    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head)
    (handover,) = plan.runs[0].planned_stops
    assert handover.firm_id == cast.firm.pk
    logistics.stop_check(actor=delivery.courier.user, stop=handover, check=CheckOff("done"), key=key())

    note.refresh_from_db()
    a.job.refresh_from_db()
    assert (note.state, a.job.state) == (NoteState.SENT, JobState.HANDED_OVER)
    logistics.note_receive(actor=cast.clerk, note=note, pieces_counted=98, remark="少两件")
    note.refresh_from_db()
    a.job.refresh_from_db()
    assert (note.state, note.difference, a.job.state) == (NoteState.RECEIVED, -2, JobState.INSPECTING)
    assert DeliveryNote.objects.count() == 1


def test_a_check_off_kept_offline_past_midnight_and_sent_again_still_counts_once(cast, issue_job, delivery):
    home_share(cast, issue_job, cast.alice)
    run, stops = _run(cast)
    k = key()
    stop = stops[(StopKind.DELIVER, cast.alice.pk)]
    logistics.stop_check(actor=delivery.courier.user, stop=stop, check=CheckOff("done"), key=k)
    Run.objects.filter(pk=run.pk).update(
        day=run.day - dt.timedelta(days=1)
    )  # the phone sends it again tomorrow
    before = _written()

    again, done = logistics.stop_check(actor=delivery.courier.user, stop=stop, check=CheckOff("done"), key=k)

    assert (done, again.state) == (False, StopState.DELIVERED)
    assert _written() == before
    with pytest.raises(PermissionDenied):  # another courier replaying her key is still refused
        logistics.stop_check(actor=delivery.other_courier.user, stop=stop, check=CheckOff("done"), key=k)


def test_a_collection_of_nothing_is_refused_in_favour_of_nobody_home(cast, issue_job, delivery):
    a, _printed = _reported_home_share(cast, issue_job, pieces=100, reported=100)
    run, stops = _run(cast)
    before = _written()

    with pytest.raises(ValidationError, match="没人在家"):
        logistics.stop_check(
            actor=delivery.courier.user,
            stop=stops[(StopKind.COLLECT, cast.alice.pk)],
            check=CheckOff("done", counts={a.pk: 0}),
            key=key(),
        )
    assert _written() == before


def _lot_at_the_gate(cast, issue_job, pieces=40):
    """A job carol finished at the workshop, its note written, and today's run with its hand-over stop."""
    job = issue_job(quantity=pieces)
    services.job_accept(actor=cast.head, job=job)
    share = services.assignment_offer(job=job, worker=cast.carol, pieces=pieces)
    services.assignment_accept(actor=cast.carol.user, assignment=share)
    services.work_report(actor=cast.carol.user, assignment=share, pieces=pieces, key=key())
    completed(job)
    note = logistics.note_prepare(actor=cast.head, job=job)
    plan = logistics.runs_plan(workshop=cast.ws, actor=cast.head)
    (handover,) = plan.runs[0].planned_stops
    return job, note, handover


def test_a_hand_over_at_the_gate_moves_the_note_by_its_swap_and_the_job_without_savepoints(
    cast, issue_job, delivery
):
    job, note, handover = _lot_at_the_gate(cast, issue_job)
    events = FlowEvent.objects.filter(job=job).count()

    with CaptureQueriesContext(connection) as ctx:
        logistics.stop_check(actor=delivery.courier.user, stop=handover, check=CheckOff("done"), key=key())

    sql = [q["sql"] for q in ctx.captured_queries]
    # The note's row is not read again to lock it (its compare-and-swap locks it), and the job's hand-over
    # and the stop's move take no savepoint of their own: one, stop_check's own in the test's transaction
    # (the run's start in between has its own), where there were three.
    assert not [s for s in sql if s.startswith('SELECT "logistics_deliverynote"."id"')]
    assert sum(s.upper().startswith("SAVEPOINT") for s in sql) == 2, sql
    note.refresh_from_db()
    job.refresh_from_db()
    assert (note.state, note.sent_by_id, job.state) == (
        NoteState.SENT,
        delivery.courier.user.pk,
        JobState.HANDED_OVER,
    )
    sent = FlowEvent.objects.get(job=job, to_state=JobState.HANDED_OVER)
    assert (sent.from_state, sent.actor_id, sent.note) == (
        JobState.COMPLETED,
        delivery.courier.user.pk,
        "配送员交到企业",
    )
    told = Notification.objects.get(kind=NotificationKind.READY_FOR_INSPECTION)
    assert (told.recipient_id, told.dedupe_key) == (
        cast.clerk.pk,
        f"inspect:{job.pk}:{events + 1}:{cast.clerk.pk}",
    )
    assert Stop.objects.get(pk=handover.pk).state == StopState.HANDED_OVER


def test_a_lot_the_head_sent_already_is_not_handed_over_again_at_the_gate(cast, issue_job, delivery):
    job, note, handover = _lot_at_the_gate(cast, issue_job)
    logistics.note_send(actor=cast.head, note=note)
    events = FlowEvent.objects.filter(job=job).count()

    logistics.stop_check(actor=delivery.courier.user, stop=handover, check=CheckOff("done"), key=key())

    note.refresh_from_db()
    assert (note.state, note.sent_by_id) == (NoteState.SENT, cast.head.pk)
    assert FlowEvent.objects.filter(job=job).count() == events
    assert Notification.objects.filter(kind=NotificationKind.READY_FOR_INSPECTION).count() == 1
    assert Stop.objects.get(pk=handover.pk).state == StopState.HANDED_OVER


def test_a_check_off_finds_and_locks_the_stops_run_in_one_statement(cast, issue_job, delivery):
    job, note, handover = _lot_at_the_gate(cast, issue_job)
    run = Run.objects.get(stops=handover)
    Run.objects.filter(pk=run.pk).update(state=RunState.UNDER_WAY)

    with CaptureQueriesContext(connection) as ctx:
        logistics.stop_check(actor=delivery.courier.user, stop=handover.pk, check=CheckOff("done"), key=key())

    sql = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert not [s for s in sql if s.startswith('SELECT "logistics_stop"."run_id"')]  # no read of its own
    assert sum(s.startswith('SELECT "logistics_run"."id"') for s in sql) == 1
    assert Stop.objects.get(pk=handover.pk).state == StopState.HANDED_OVER
    with pytest.raises(ValidationError, match="找不到这一站"):
        logistics.stop_check(actor=delivery.courier.user, stop=987654, check=CheckOff("done"), key=key())


def test_a_bundle_another_courier_collected_first_rolls_the_whole_check_off_back(
    cast, issue_job, delivery, monkeypatch
):
    """The race the check cannot see: another courier's confirmation of the same bundle commits between
    this check-off's reads and its INSERT. The unique ticket refuses it; nothing of the stop is written."""
    from logistics.services import stops as stop_services

    a, printed = _reported_home_share(cast, issue_job)
    run, stops = _run(cast)
    alice_stop = stops[(StopKind.COLLECT, cast.alice.pk)]
    real_tickets = stop_services._tickets

    def seen_then_taken(tokens, shares):
        found = real_tickets(tokens, shares)
        # The other courier's row, written after this check-off read the tickets as uncollected.
        Collection.objects.create(
            stop=alice_stop, assignment=a, ticket=found[0], pieces=found[0].pieces, by=cast.head
        )
        return found

    monkeypatch.setattr(stop_services, "_tickets", seen_then_taken)
    with pytest.raises(ValidationError, match="刚刚已经有人收过了"):
        logistics.stop_check(
            actor=delivery.courier.user,
            stop=alice_stop,
            check=CheckOff("done", tickets=[printed[0].token]),
            key=key(),
        )

    alice_stop.refresh_from_db()
    assert alice_stop.state == StopState.PENDING
    assert not Collection.objects.exists()  # the other row too: the test's one transaction rolled back
