"""Delivery notes (送货单): a lot is what is at the workshop; the firm's count, not the workshop's word, sends
it to inspection; a difference is kept as both figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dispatch import services
from dispatch.models import IllegalTransition, JobState
from logistics import services as logistics
from logistics.models import Collection, DeliveryNote, NoteState, Run, Stop, StopKind, StopLine
from logistics.services import CheckOff
from materials.models import Movement, MovementKind
from materials.services import BomInput, material_receive
from notices.models import Notification, NotificationKind
from tests.dispatch.test_concurrency import race
from tests.logistics.conftest import DEPOT, home_share, key
from tests.lots import completed
from tickets import services as tickets
from workshop import services as people


def _finished_home_job(cast, issue_job, pieces=100):
    a = home_share(cast, issue_job, cast.alice, pieces=pieces, bom=False)
    services.work_report(actor=cast.alice.user, assignment=a, pieces=pieces, key=key())
    completed(a.job)
    return a


def _finished_workshop_job(cast, issue_job, pieces: int):
    """A job carol (who works at the workshop: her pieces are there once reported) finished alone."""
    job = issue_job(quantity=pieces)
    services.job_accept(actor=cast.head, job=job)
    share = services.assignment_offer(job=job, worker=cast.carol, pieces=pieces)
    services.assignment_accept(actor=cast.carol.user, assignment=share)
    services.work_report(actor=cast.carol.user, assignment=share, pieces=pieces, key=key())
    completed(job)
    return job, share


def test_a_note_cannot_be_written_while_the_goods_are_still_at_the_workers_home(cast, issue_job, delivery):
    a = _finished_home_job(cast, issue_job)

    with pytest.raises(ValidationError, match="还在坊工家里:alice"):
        logistics.note_prepare(actor=cast.head, job=a.job)
    assert not DeliveryNote.objects.exists()


def test_a_note_with_pieces_still_out_needs_the_heads_word_and_names_what_is_missing(
    cast, issue_job, delivery
):
    a = _finished_home_job(cast, issue_job)
    (run,) = logistics.runs_plan(workshop=cast.ws, actor=cast.head).runs
    (stop,) = run.planned_stops
    logistics.stop_check(
        actor=delivery.courier.user, stop=stop, check=CheckOff("done", counts={a.pk: 70}), key=key()
    )

    with pytest.raises(ValidationError, match="还有件在坊工家里没收回:alice"):
        logistics.note_prepare(actor=cast.head, job=a.job)
    assert not DeliveryNote.objects.exists()

    note = logistics.note_prepare(actor=cast.head, job=a.job, partial=True)

    assert (note.lot, note.pieces_sent, note.pieces_expected, note.state) == (1, 70, 100, NoteState.PREPARED)
    assert [(line.assignment_id, line.pieces) for line in note.lines.all()] == [(a.pk, 70)]
    a.job.refresh_from_db()
    assert a.job.state == JobState.COMPLETED  # still the workshop's until it is sent


def test_only_the_firms_count_sends_the_lot_to_inspection_and_a_difference_stays_on_record(
    cast, issue_job, delivery
):
    job, share = _finished_workshop_job(cast, issue_job, 50)
    note = logistics.note_prepare(actor=cast.head, job=job)
    with pytest.raises(ValidationError, match="还没有送出"):
        logistics.note_receive(actor=cast.clerk, note=note, pieces_counted=50)

    logistics.note_send(actor=cast.head, note=note)
    job.refresh_from_db()
    assert job.state == JobState.HANDED_OVER
    with pytest.raises(IllegalTransition):
        services.job_inspect(actor=cast.clerk, job=job, results=[services.ResultInput(share.pk, 50, 0)])

    remark = "少2件\u202e\x00"
    logistics.note_receive(actor=cast.clerk, note=note, pieces_counted=48, bundles_counted=1, remark=remark)

    note.refresh_from_db()
    job.refresh_from_db()
    assert (note.pieces_sent, note.pieces_counted, note.difference, job.state) == (
        50,
        48,
        -2,
        JobState.INSPECTING,
    )
    (told,) = Notification.objects.filter(kind=NotificationKind.LOT_RECEIVED)
    assert (told.recipient_id, told.params["s"], told.params["c"]) == (cast.head.pk, 50, 48)
    with pytest.raises(ValidationError, match="已经点收过了"):
        logistics.note_receive(actor=cast.clerk, note=note, pieces_counted=50)
    note.refresh_from_db()
    assert note.pieces_counted == 48
    assert note.counted_note == "少2件"  # control and direction-override characters dropped


def test_another_firms_staff_and_the_head_cannot_count_a_lot_in(cast, issue_job, delivery):
    job, share = _finished_workshop_job(cast, issue_job, 20)
    note = logistics.note_prepare(actor=cast.head, job=job)
    logistics.note_send(actor=cast.head, note=note)

    for actor in (cast.eve, cast.head, cast.carol.user):
        with pytest.raises(PermissionDenied):
            logistics.note_receive(actor=actor, note=note, pieces_counted=20)
    note.refresh_from_db()
    assert note.state == NoteState.SENT
    with pytest.raises(PermissionDenied):
        logistics.note_prepare(actor=cast.clerk, job=job)


@pytest.mark.parametrize("count", ["-1", "abc", "2001"])
def test_an_impossible_count_is_refused_in_words(cast, issue_job, delivery, count):
    job, share = _finished_workshop_job(cast, issue_job, 200)
    note = logistics.note_prepare(actor=cast.head, job=job)
    logistics.note_send(actor=cast.head, note=note)

    with pytest.raises(ValidationError):
        logistics.note_receive(actor=cast.clerk, note=note, pieces_counted=count)
    note.refresh_from_db()
    job.refresh_from_db()
    assert (note.state, job.state) == (NoteState.SENT, JobState.HANDED_OVER)


def test_leftover_material_goes_back_to_the_firm_with_the_note(cast, issue_job, delivery):
    job = issue_job(quantity=10, bom=[BomInput("纽扣", "ge", "2", "0")])
    services.job_accept(actor=cast.head, job=job)
    line = job.bom_lines.get()
    material_receive(line=line, quantity_received=25, actor=cast.head, confirm_over=True)
    share = services.assignment_offer(job=job, worker=cast.carol, pieces=10)
    services.assignment_accept(actor=cast.carol.user, assignment=share)
    services.work_report(actor=cast.carol.user, assignment=share, pieces=10, key=key())
    completed(job)
    note = logistics.note_prepare(actor=cast.head, job=job, returned={line.pk: "5"})

    (back,) = note.materials.all()
    assert back.quantity == 5
    moved = Movement.objects.get(kind=MovementKind.RETURN_TO_FIRM)
    assert (moved.quantity, moved.key) == (5, f"note:{note.pk}:{line.pk}")


def test_two_couriers_confirming_the_same_bundle_at_once_count_it_once(
    postgres_only, transactional_db, cast, issue_job, published
):
    logistics.depot_set(actor=cast.head, workshop=cast.ws, lat=DEPOT[0], lng=DEPOT[1])
    c1 = people.courier_create(
        actor=cast.head, workshop=cast.ws, name="周", phone="13957300011", pin="482916"
    )
    c2 = people.courier_create(
        actor=cast.head, workshop=cast.ws, name="陈", phone="13957300012", pin="482917"
    )
    place, _ = logistics.place_save(
        actor=cast.head, workshop=cast.ws, name="1幢", lat="30.528", lng="120.948"
    )
    cast.alice.work_place = "home"
    cast.alice.save(update_fields=["work_place"])
    logistics.residence_set(actor=cast.head, worker=cast.alice, place=place, room="101")
    a = home_share(cast, issue_job, cast.alice, pieces=50, bom=False, bundle_size=50)
    (ticket,) = tickets.tickets_print(actor=cast.head, assignment=a)
    tickets.ticket_report(actor=cast.alice.user, ticket=ticket)
    logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="一号", courier=c1)
    (run1,) = logistics.runs_plan(workshop=cast.ws, actor=cast.head).runs
    (stop1,) = run1.planned_stops
    # The same door on a second courier's run (a plan made by hand on paper and typed in twice): the
    # database, not the planner, has to hold the line.
    v2 = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="二号", courier=c2)
    run2 = Run.objects.create(workshop=cast.ws, day=run1.day, vehicle=v2, courier=c2)
    stop2 = Stop.objects.create(run=run2, seq=1, kind=StopKind.COLLECT, worker=cast.alice, place=place)
    StopLine.objects.create(stop=stop2, assignment=a, pieces=50)

    def confirm(courier, stop):
        return lambda: logistics.stop_check(
            actor=courier.user, stop=stop.pk, check=CheckOff("done", tickets=[ticket.token]), key=key()
        )

    outcomes = race(confirm(c1, stop1), confirm(c2, stop2))

    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    (error,) = [v for kind, v in outcomes if kind == "error"]
    assert isinstance(error, ValidationError)
    assert Collection.objects.filter(ticket=ticket).count() == 1
    assert sum(Collection.objects.filter(assignment=a).values_list("pieces", flat=True)) == 50
    assert sorted(Stop.objects.filter(pk__in=[stop1.pk, stop2.pk]).values_list("state", flat=True)) == [
        "collected",
        "pending",
    ]


def test_a_partial_lot_is_inspected_and_paid_for_what_arrived_and_the_rest_goes_as_the_next_lot(
    cast, issue_job, delivery
):
    a = _finished_home_job(cast, issue_job, pieces=100)
    (run,) = logistics.runs_plan(workshop=cast.ws, actor=cast.head).runs
    (stop,) = run.planned_stops
    logistics.stop_check(
        actor=delivery.courier.user, stop=stop, check=CheckOff("done", counts={a.pk: 70}), key=key()
    )
    logistics.run_finish(actor=delivery.courier.user, run=run)
    first = logistics.note_prepare(actor=cast.head, job=a.job, partial=True)
    logistics.note_send(actor=cast.head, note=first)
    logistics.note_receive(actor=cast.clerk, note=first, pieces_counted=70)
    a.refresh_from_db()
    handed = (a.pieces_handed_over, a.pieces_to_inspect, a.pieces_uninspected, a.pieces_not_handed_over)
    assert handed == (70, 70, 100, 30)

    with pytest.raises(ValidationError):  # the 30 still at her home are not the firm's to pass
        services.job_inspect(actor=cast.clerk, job=a.job, results=[services.ResultInput(a.pk, 100, 0)])
    inspection = services.job_inspect(
        actor=cast.clerk, job=a.job, results=[services.ResultInput(a.pk, 70, 0)]
    )
    services.inspection_book(inspection=inspection)

    a.job.refresh_from_db()
    assert a.job.state == JobState.COMPLETED  # not settled: 30 pieces are still to come
    assert sum(a.job.inspections.values_list("results__pay_line__pieces_passed", flat=True)) == 70
    Run.objects.filter(pk=run.pk).update(day=run.day - dt.timedelta(days=1))
    (run2,) = logistics.runs_plan(workshop=cast.ws, actor=cast.head).runs
    (stop2,) = run2.planned_stops
    assert [sl.pieces for sl in stop2.lines.all()] == [30]
    logistics.stop_check(actor=delivery.courier.user, stop=stop2, check=CheckOff("done"), key=key())
    second = logistics.note_prepare(actor=cast.head, job=a.job)
    assert (second.lot, second.pieces_sent) == (2, 30)
    logistics.note_send(actor=cast.head, note=second)
    logistics.note_receive(actor=cast.clerk, note=second, pieces_counted=30)
    services.inspection_book(
        inspection=services.job_inspect(
            actor=cast.clerk, job=a.job, results=[services.ResultInput(a.pk, 30, 0)]
        )
    )
    a.job.refresh_from_db()
    assert a.job.state == JobState.SETTLED


def test_pieces_the_firm_did_not_receive_cannot_be_passed_and_come_prefilled_as_short(
    client, cast, issue_job, delivery
):
    # Two workers' 60 pieces go as one lot; the firm counts 55. Nobody may be paid for the 5 that never came.
    job = issue_job(quantity=60)
    services.job_accept(actor=cast.head, job=job)
    shares = []
    for worker, n in ((cast.carol, 40), (cast.bob, 20)):
        worker.work_place = "workshop"
        worker.save(update_fields=["work_place"])
        share = services.assignment_offer(job=job, worker=worker, pieces=n)
        services.assignment_accept(actor=worker.user, assignment=share)
        services.work_report(actor=worker.user, assignment=share, pieces=n, key=key())
        shares.append(share)
    completed(job)
    note = logistics.note_prepare(actor=cast.head, job=job)
    logistics.note_send(actor=cast.head, note=note)
    logistics.note_receive(actor=cast.clerk, note=note, pieces_counted=55)
    job.refresh_from_db()
    assert job.pieces_short == 5

    with pytest.raises(ValidationError, match="少了 5 件"):
        services.job_inspect(
            actor=cast.clerk, job=job, results=[services.ResultInput(s.pk, s.pieces, 0) for s in shares]
        )

    client.force_login(cast.clerk)
    page = client.get(f"/dashboard/jobs/{job.pk}/inspect/").content.decode()
    assert "点收比送出少了 5 件" in page
    carol, bob = shares
    # Split in proportion: 40:20 of 5 short → 3 and 2 (largest remainder), reason 短少.
    assert f'name="a{carol.pk}-rejected" value="3"' in page
    assert f'name="a{bob.pk}-rejected" value="2"' in page
    response = client.post(
        f"/dashboard/jobs/{job.pk}/inspect/",
        {
            "mode": "assignment",
            f"a{carol.pk}-passed": 37,
            f"a{carol.pk}-rejected": 3,
            f"a{carol.pk}-rework": 0,
            f"a{carol.pk}-reason": "短少",
            f"a{bob.pk}-passed": 18,
            f"a{bob.pk}-rejected": 2,
            f"a{bob.pk}-rework": 0,
            f"a{bob.pk}-reason": "短少",
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.pieces_short == 0
    assert sum(s.pieces_passed for s in job.assignments.all()) == 55


def test_the_prefilled_short_reason_is_stored_once_and_read_in_each_workers_language(
    client, cast, issue_job, delivery
):
    """The firm's clerk works in English and leaves the prefilled "Missing" on a short lot: the worker,
    in Chinese, reads 短少 in her message and on her phone, never the clerk's English."""
    from notices.messages import render

    job = issue_job(quantity=20)
    services.job_accept(actor=cast.head, job=job)
    cast.carol.work_place = "workshop"
    cast.carol.save(update_fields=["work_place"])
    share = services.assignment_offer(job=job, worker=cast.carol, pieces=20)
    services.assignment_accept(actor=cast.carol.user, assignment=share)
    services.work_report(actor=cast.carol.user, assignment=share, pieces=20, key=key())
    note = logistics.note_prepare(actor=cast.head, job=completed(job))
    logistics.note_send(actor=cast.head, note=note)
    logistics.note_receive(actor=cast.clerk, note=note, pieces_counted=18)

    client.force_login(cast.clerk)
    client.cookies["django_language"] = "en"
    page = client.get(f"/dashboard/jobs/{job.pk}/inspect/").content.decode()
    assert f'name="a{share.pk}-reason" value="Missing"' in page
    response = client.post(
        f"/dashboard/jobs/{job.pk}/inspect/",
        {
            "mode": "assignment",
            f"a{share.pk}-passed": 18,
            f"a{share.pk}-rejected": 2,
            f"a{share.pk}-rework": 0,
            f"a{share.pk}-reason": "Missing",
        },
    )
    assert response.status_code == 302
    result = share.inspection_results.get()
    assert result.reason == "短少"  # the system's word, stored as its msgid
    services.inspection_book(inspection=result.inspection)  # as the booking task does after commit
    told = Notification.objects.get(kind=NotificationKind.INSPECTION, recipient=cast.carol.user)
    assert render(told.kind, told.params, "zh-hans").endswith("短少")
    assert render(told.kind, told.params, "en").endswith("Missing")

    client.force_login(cast.carol.user)
    client.cookies["django_language"] = "zh-hans"
    phone = client.get(f"/m/a/{share.pk}/").content.decode()
    assert "原因:短少" in phone and "Missing" not in phone

    # Her wage slip says why those pieces were not paid, as Earnings does: the firm never got them.
    slip = client.get("/m/slip/").content.decode()
    assert "data-slip-reasons>短少</dd>" in slip
    client.cookies["django_language"] = "en"
    assert "data-slip-reasons>Missing</dd>" in client.get("/m/slip/").content.decode()
    client.force_login(cast.head)
    client.cookies["django_language"] = "zh-hans"
    month = timezone.localdate().strftime("%Y-%m")
    printed = client.get(f"/dashboard/pay/{month}/slips/").content.decode()
    assert "data-slip-reasons>原因:短少</span>" in printed


def test_a_count_above_what_was_sent_needs_the_clerk_to_confirm_it(client, cast, issue_job, delivery):
    """300 typed for 250 sent is likelier a typo than a gift: refused in words until she ticks 确认多收; then
    the difference (+50) stays on record as before."""
    job, _share = _finished_workshop_job(cast, issue_job, 250)
    note = logistics.note_prepare(actor=cast.head, job=job)
    logistics.note_send(actor=cast.head, note=note)
    client.force_login(cast.clerk)
    url = f"/dashboard/jobs/{job.pk}/notes/"
    form = {"action": "receive", "note": note.pk, "pieces_counted": "300", "remark": ""}

    refused = client.post(url, form)

    assert refused.status_code == 400 and "比送出的 250 件还多 50 件" in refused.content.decode()
    assert 'name="confirm_over"' in refused.content.decode()
    note.refresh_from_db()
    assert note.state == NoteState.SENT

    done = client.post(url, {**form, "confirm_over": "on"}, follow=True)

    note.refresh_from_db()
    job.refresh_from_db()
    assert (note.state, note.pieces_counted, note.difference, job.state) == (
        NoteState.RECEIVED,
        300,
        50,
        JobState.INSPECTING,
    )
    said = " ".join(str(m) for m in done.context["messages"])
    assert "比送出的 250 件多 50 件" in said  # not "差 +50 件"


def test_a_count_below_what_was_sent_says_how_many_fewer_without_a_minus(client, cast, issue_job, delivery):
    """Found in a trial: "和送出的 118 件差 -2 件", a double negative."""
    job, _share = _finished_workshop_job(cast, issue_job, 120)
    note = logistics.note_prepare(actor=cast.head, job=job)
    logistics.note_send(actor=cast.head, note=note)
    client.force_login(cast.clerk)

    done = client.post(
        f"/dashboard/jobs/{job.pk}/notes/",
        {"action": "receive", "note": note.pk, "pieces_counted": "118", "remark": ""},
        follow=True,
    )

    said = " ".join(str(m) for m in done.context["messages"])
    assert "比送出的 120 件少 2 件" in said and "-2" not in said


@pytest.mark.parametrize("typed", ["0", "-0", "100", "244"])
def test_a_count_far_below_what_was_sent_needs_the_clerk_to_confirm_it(
    client, cast, issue_job, delivery, typed
):
    """Found by a fresh-user trial: a clerk's "0" (or "-0") for a lot of 2,570 was taken at once, could not
    be undone, and marked every piece short: every worker in it unpaid. A minus sign is refused; 0, or a
    count short by more than 1 in 100 (and 5 pieces), is refused in words until she ticks 确认少收."""
    job, _share = _finished_workshop_job(cast, issue_job, 250)
    note = logistics.note_prepare(actor=cast.head, job=job)
    logistics.note_send(actor=cast.head, note=note)
    client.force_login(cast.clerk)
    url = f"/dashboard/jobs/{job.pk}/notes/"
    form = {"action": "receive", "note": note.pk, "pieces_counted": typed, "remark": ""}

    refused = client.post(url, form)
    refused_again = client.post(url, {**form, "confirm_short": "on"}) if typed == "-0" else None

    page = refused.content.decode()
    note.refresh_from_db()
    assert refused.status_code == 400 and note.state == NoteState.SENT
    if typed == "-0":
        assert "件数要填 0 或正整数" in page and refused_again.status_code == 400
        return
    assert f"比送出的 250 件少 {250 - int(typed)} 件" in page and 'name="confirm_short"' in page

    client.post(url, {**form, "confirm_short": "on"})

    note.refresh_from_db()
    assert (note.state, note.pieces_counted) == (NoteState.RECEIVED, int(typed))


def test_more_bundles_than_were_sent_need_the_clerk_to_confirm_them_too(client, cast, issue_job, delivery):
    """Found by a fresh-user trial: 50 bundles typed for the 5 sent were taken silently. Refused in words
    like a count of pieces above what was sent, until she ticks 确认多收."""
    job, _share = _finished_workshop_job(cast, issue_job, 250)
    note = logistics.note_prepare(actor=cast.head, job=job)
    logistics.note_send(actor=cast.head, note=note)
    note.refresh_from_db()
    assert note.bundles_sent > 0
    client.force_login(cast.clerk)
    url = f"/dashboard/jobs/{job.pk}/notes/"
    over = note.bundles_sent * 10
    form = {"action": "receive", "note": note.pk, "pieces_counted": "250", "bundles_counted": str(over)}

    refused = client.post(url, form)

    said = f"点收 {over} 扎比送出的 {note.bundles_sent} 扎还多 {over - note.bundles_sent} 扎"
    assert refused.status_code == 400 and said in refused.content.decode()
    # The form comes back with what she typed, so ticking 确认多收 keeps her count.
    assert f'name="bundles_counted" min="0" inputmode="numeric" value="{over}"' in refused.content.decode()
    note.refresh_from_db()
    assert note.state == NoteState.SENT

    client.post(url, {**form, "confirm_over": "on"})

    note.refresh_from_db()
    assert (note.state, note.bundles_counted) == (NoteState.RECEIVED, over)


def test_a_note_counts_the_bundles_reported_with_the_phones_form_as_well_as_the_scanned(cast, issue_job):
    """carol scanned the first of her three bundles and reported the rest with the form: the lot goes out
    as three bundles, not the one that was scanned."""
    job = issue_job(quantity=120, bundle_size=50)
    services.job_accept(actor=cast.head, job=job)
    share = services.assignment_offer(job=job, worker=cast.carol, pieces=120)
    services.assignment_accept(actor=cast.carol.user, assignment=share)
    first, *_rest = tickets.tickets_print(actor=cast.head, assignment=share)
    tickets.ticket_report(actor=cast.carol.user, ticket=first)
    services.work_report(actor=cast.carol.user, assignment=share, pieces=70, key=key())
    completed(job)

    note = logistics.note_prepare(actor=cast.head, job=job)

    assert (note.pieces_sent, note.bundles_sent) == (120, 3)
