"""Every dashboard URL × {anonymous, worker, head of another workshop, staff of another firm, the right
role}: the expected status, and no side effect from any refused request (row counts, states, PINs).

Tasks never run here (``delay_on_commit`` inside the test transaction never fires).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver
from django.utils import timezone

from dashboard.models import Export, ExportKind, ExportStatus
from dispatch import services
from dispatch.models import (
    Assignment,
    FlowEvent,
    Inspection,
    InspectionResult,
    Job,
    WorkReport,
)
from logistics import services as logistics
from logistics.imports import check_cells
from logistics.models import DeliveryNote, Depot, Place, Residence, Run, RunState, Stop, Vehicle
from materials import services as ledger
from materials.models import Balance, MaterialProblem, Movement
from materials.services import BomInput
from notices.models import Notification, NotificationKind
from notices.services import notify
from pay import services as pay
from pay.models import (
    FirmStatement,
    LossRule,
    PayLine,
    Payout,
    PayoutBatch,
    PayPeriod,
    SlipNote,
    StatementDispute,
)
from taskruns.models import TaskRun
from tests.conftest import tomorrow
from tests.dashboard.helpers import inspecting_job, settled_job
from tests.factories import CommunityAdminFactory, UserFactory, WorkerFactory
from tests.lots import completed as by_its_report
from tests.lots import left_done
from tests.tickets.helpers import accepted_share, bundled_job_in_inspection
from tickets import services as tickets
from tickets.models import BundleTicket
from workshop.models import Courier, MinimumWage, Pairing, PairingChange, Worker, WorkerEvent
from workshop.services import courier_create

ANON, WORKER, OTHER_HEAD, OTHER_FIRM, RIGHT = "anonymous", "worker", "other_head", "other_firm", "right"
NEW_WORKER = {
    "name": "新来的",
    "phone": "13700001111",
    "employment": "part_time",
    "work_place": "home",
    "skills": ["assembly"],
    "hours_per_week": "20",
}
ACTORS = (ANON, WORKER, OTHER_HEAD, OTHER_FIRM, RIGHT)


@pytest.fixture
def world(cast, issue_job, settings, tmp_path):
    """One object of each kind the URLs need: an issued job with a photo, a completed job, a job waiting
    for inspection, a finished export of the clerk's, a share with its bundle tickets printed and one
    without, and a job whose bundles were reported by ticket and sent for inspection."""
    settings.MEDIA_ROOT = tmp_path
    issued = issue_job(title="待接单")
    issued.photo.save("sample.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64), save=True)
    completed = issue_job(quantity=50, title="已完工")
    services.job_accept(actor=cast.head, job=completed)
    a = services.assignment_offer(job=completed, worker=cast.alice, pieces=50)
    services.assignment_accept(actor=cast.alice.user, assignment=a)
    services.work_report(actor=cast.alice.user, assignment=a, pieces=50, key="matrix-1")
    by_its_report(completed)
    finished = issue_job(quantity=30, title="全部报工")
    services.job_accept(actor=cast.head, job=finished)
    f = services.assignment_offer(job=finished, worker=cast.bob, pieces=30)
    services.assignment_accept(actor=cast.bob.user, assignment=f)
    services.work_report(actor=cast.bob.user, assignment=f, pieces=30, key="matrix-2")
    finished = left_done(finished)  # for the head's 完工 button: its work done, the job still in production
    handed = issue_job(quantity=20, title="已交货")
    services.job_accept(actor=cast.head, job=handed)
    h = services.assignment_offer(job=handed, worker=cast.carol, pieces=20)
    services.assignment_accept(actor=cast.carol.user, assignment=h)
    services.work_report(actor=cast.carol.user, assignment=h, pieces=20, key="matrix-3")
    by_its_report(handed)
    lot = logistics.note_prepare(actor=cast.head, job=handed)
    logistics.note_send(actor=cast.head, note=lot)
    inspecting = inspecting_job(cast, issue_job, pieces=(60, 40), title="待验收")
    export = Export.objects.create(
        user=cast.clerk, kind=ExportKind.JOBS, params={}, status=ExportStatus.DONE, rows_total=1, rows_done=1
    )
    export.file.save("x.xlsx", ContentFile(b"PK\x03\x04 not really"), save=True)
    note = notify(
        recipient=cast.head,
        kind=NotificationKind.READY_FOR_INSPECTION,
        params={"t": "待验收"},
        link=f"/dashboard/jobs/{inspecting.pk}/",
        dedupe_key="matrix-note",
    )
    printed = accepted_share(cast, issue_job, pieces=60, title="已打印扎票")
    tickets.tickets_print(actor=cast.head, assignment=printed)
    unprinted = accepted_share(cast, issue_job, worker=cast.bob, pieces=60, title="未打印扎票")
    bundled, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(60,))
    material = issue_job(quantity=100, title="来料加工", bom=[BomInput("面板", "ge", "1", "0.5")])
    services.job_accept(actor=cast.head, job=material)
    panel = material.bom_lines.get()
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=101, actor=cast.head)
    share = services.assignment_offer(job=material, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=share)
    ledger.kit_issue(assignment=share, actor=cast.head)
    problem, _made = ledger.material_problem_report(
        assignment=share,
        line=panel,
        kind="damaged",
        quantity_reported=2,
        photo=ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64, name="bad.png"),
        key="matrix-problem",
    )
    # Door delivery: a place, the depot, a courier and a vehicle; today's planned run (planning again with
    # nothing to do replaces it) and yesterday's run still under way (the head may close it).
    place, _made = logistics.place_save(
        actor=cast.head, workshop=cast.ws, name="3幢", lat="30.5", lng="120.9"
    )
    logistics.depot_set(actor=cast.head, workshop=cast.ws, lat="30.53", lng="120.94")
    courier = courier_create(
        actor=cast.head, workshop=cast.ws, name="王师傅", phone="13800001234", pin="482915"
    )
    vehicle = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="一号", courier=courier)
    spare = logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="二号")
    planned = Run.objects.create(workshop=cast.ws, day=timezone.localdate(), vehicle=vehicle, courier=courier)
    Stop.objects.create(run=planned, seq=1, kind="deliver", worker=cast.alice, place=place)
    under_way = Run.objects.create(
        workshop=cast.ws,
        day=timezone.localdate() - dt.timedelta(days=1),
        vehicle=spare,
        state=RunState.UNDER_WAY,
    )
    # A booked job and this month's statement, made before it was booked (its figures are empty), so the
    # head's correction and a fresh preparation both have something new to freeze.
    settled_job(cast, issue_job, pieces=(10,), title="已结算")
    statement = FirmStatement.objects.create(
        firm=cast.firm,
        workshop=cast.ws,
        month=timezone.localdate().replace(day=1),
        pieces_passed=0,
        processing_yuan=0,
        material_deduction_yuan=0,
        operator_fee_yuan=0,
        payable_yuan=0,
        prepared_by=cast.head,
    )
    places_payload = check_cells(
        [(1, ["名称", "纬度", "经度"]), (2, ["5幢", "30.51", "120.91"])], workshop=cast.ws, firms=[]
    ).payload()
    # Money: a job inspected and booked (a result to correct); last month closed with a bonus to pay.
    settled = settled_job(cast, issue_job, pieces=(10,), title="已验收")
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    pay.adjustment_add(
        worker=cast.bob,
        kind="bonus",
        amount="12",
        reason="准时奖:按期交货",
        actor=cast.head,
        key="matrix-bonus",
        booked_on=last_month,
    )
    # Bob, owed the bonus, has an account: the month's transfer list can be made.
    type(cast.bob).objects.filter(pk=cast.bob.pk).update(bank_account="6217000010012345678")
    services.period_close(actor=cast.head, workshop=cast.ws, month=last_month)
    # The workshop was set up the month before last, so that month has a pay month to close.
    month_before = last_month.replace(day=1) - dt.timedelta(days=1)
    type(cast.ws).objects.filter(pk=cast.ws.pk).update(
        created_at=timezone.make_aware(dt.datetime.combine(month_before, dt.time(9)))
    )
    slip_question, _created = pay.slip_ask(
        worker=cast.alice,
        month=timezone.localdate(),
        text="扣款是什么?",
        actor=cast.alice.user,
        key="matrix-slip",
    )
    stopped = WorkerFactory(workshop=cast.ws, name="停用的", active=False)
    # A job whose inspection sent 2 of alice's pieces back to her: rework the head may pass on to bob.
    reworked = inspecting_job(cast, issue_job, pieces=(10,), title="返工中")
    first_round = reworked.assignments.get()
    services.inspection_book(
        inspection=services.job_inspect(
            actor=cast.clerk, job=reworked, results=[services.ResultInput(first_round.pk, 8, 2, 2, "毛刺")]
        )
    )
    return {
        "rework_share": Assignment.objects.get(rework_of__assignment=first_round),
        "stopped": stopped,
        "settled_result": InspectionResult.objects.get(inspection__job=settled),
        "completed_report": WorkReport.objects.get(key="matrix-1"),
        "last_month": f"{last_month:%Y-%m}",
        "month_before": f"{month_before:%Y-%m}",
        "slip_question": slip_question,
        "delivery_note": DeliveryNote.objects.filter(job=inspecting).first(),
        "place": place,
        "courier": courier,
        "under_way": under_way,
        "places_payload": places_payload,
        "issued": issued,
        "completed": completed,
        "finished": finished,
        "handed": handed,
        "lot": lot,
        "inspecting": inspecting,
        "export": export,
        "note": note,
        "printed": printed,
        "unprinted": unprinted,
        "bundled": bundled,
        "bundle": bundles[0],
        "material": material,
        "panel": panel,
        "problem": problem,
        "statement": statement,
    }


def receive_post(c, w):
    return {"action": "receive", "note": w["lot"].pk, "pieces_counted": 20}


def lot_post(c, w):
    return {"mode": "lot", "rejected": 0, "rework": 0}


# name: (method, path(cast, world), post data or None, right role, other_head status, other_firm status,
#        right role's status)
MATRIX = {
    "job_notes": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['completed'].pk}/notes/",
        None,
        "head",
        404,
        404,
        200,
    ),
    "job_notes:post": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['completed'].pk}/notes/",
        {"action": "prepare"},
        "head",
        404,
        404,
        302,
    ),
    "job_notes:receive": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['handed'].pk}/notes/",
        receive_post,
        "clerk",
        404,
        404,
        302,
    ),
    "note_print": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['handed'].pk}/notes/{w['lot'].pk}/print/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "note_by_token": (
        "get",
        lambda c, w: f"/dashboard/notes/{w['lot'].token}/",
        None,
        "clerk",
        404,
        404,
        302,
    ),
    "home": ("get", lambda c, w: "/dashboard/", None, "head", 200, 200, 200),
    "board": ("get", lambda c, w: "/dashboard/board/", None, "head", 200, 200, 200),
    "jobs": ("get", lambda c, w: "/dashboard/jobs/", None, "clerk", 200, 200, 200),
    "job_new": ("get", lambda c, w: "/dashboard/jobs/new/", None, "clerk", 403, 200, 200),
    "job_new:post": (
        "post",
        lambda c, w: "/dashboard/jobs/new/",
        lambda c, w: {
            "workshop": c.ws.pk,
            "line": c.line.pk,
            "title": "新单",
            "quantity": 100,
            "piece_rate": "0.05",
            "due_on": tomorrow().isoformat(),
        },
        "clerk",
        403,
        200,  # eve's form refuses a workshop and line her firm is not paired with
        302,
    ),
    "job": ("get", lambda c, w: f"/dashboard/jobs/{w['issued'].pk}/", None, "head", 404, 404, 200),
    "job_photo": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['issued'].pk}/photo/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "job_accept": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['issued'].pk}/accept/",
        {},
        "head",
        404,
        404,
        302,
    ),
    "job_decline": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['issued'].pk}/decline/",
        {"reason": "忙"},
        "head",
        404,
        404,
        302,
    ),
    "job_dispatch": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['issued'].pk}/dispatch/",
        None,
        "head",
        404,
        404,
        200,
    ),
    "job_dispatch:post": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['issued'].pk}/dispatch/",
        lambda c, w: {f"w{c.alice.pk}": 100, f"w{c.bob.pk}": 100},
        "head",
        404,
        404,
        302,
    ),
    "job_submit": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['finished'].pk}/submit/",
        {},
        "head",
        404,
        404,
        302,
    ),
    "job_cancel": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['issued'].pk}/cancel/",
        {"reason": "撤单"},
        "clerk",
        404,
        404,
        302,
    ),
    "job_inspect": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['inspecting'].pk}/inspect/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "job_inspect:post": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['inspecting'].pk}/inspect/",
        lot_post,
        "clerk",
        404,
        404,
        302,
    ),
    "ticket_print": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['unprinted'].job_id}/tickets/{w['unprinted'].pk}/print/",
        {"size": "a4"},
        "head",
        404,
        404,
        302,
    ),
    "ticket_sheet": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['printed'].job_id}/tickets/{w['printed'].pk}/",
        None,
        "head",
        404,
        404,
        200,
    ),
    "job_bundles": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['bundled'].pk}/bundles/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "job_bundles:post": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['bundled'].pk}/bundles/",
        lambda c, w: {"action": "verdict", "token": w["bundle"].token, "passed": w["bundle"].pieces},
        "clerk",
        404,
        404,
        302,
    ),
    "roster": ("get", lambda c, w: "/dashboard/workers/", None, "head", 200, 403, 200),
    # Adding a worker: another head opens her own form (200) but posting into our workshop is a 404; a
    # firm has no roster (403).
    "worker_new": ("get", lambda c, w: "/dashboard/workers/new/", None, "head", 200, 403, 200),
    "worker_new:post": (
        "post",
        lambda c, w: "/dashboard/workers/new/",
        lambda c, w: {**NEW_WORKER, "workshop": c.ws.pk},
        "head",
        404,
        403,
        302,
    ),
    "worker_edit": (
        "get",
        lambda c, w: f"/dashboard/workers/{c.alice.pk}/edit/",
        None,
        "head",
        404,
        404,
        200,
    ),
    "worker_edit:post": (
        "post",
        lambda c, w: f"/dashboard/workers/{c.alice.pk}/edit/",
        lambda c, w: {**NEW_WORKER, "name": "艾丽丝", "phone": str(c.alice.phone.national_number)},
        "head",
        404,
        404,
        302,
    ),
    "worker_deactivate": (
        "post",
        lambda c, w: f"/dashboard/workers/{c.alice.pk}/deactivate/",
        {"reason": "搬走了"},
        "head",
        404,
        404,
        302,
    ),
    "worker_reactivate": (
        "post",
        lambda c, w: f"/dashboard/workers/{w['stopped'].pk}/reactivate/",
        {},
        "head",
        404,
        404,
        302,
    ),
    "worker": ("get", lambda c, w: f"/dashboard/workers/{c.alice.pk}/", None, "head", 404, 404, 200),
    "worker_pin": (
        "post",
        lambda c, w: f"/dashboard/workers/{c.alice.pk}/pin/",
        {"pin": "482915"},
        "head",
        404,
        404,
        302,
    ),
    "worker_qr": ("post", lambda c, w: f"/dashboard/workers/{c.alice.pk}/qr/", {}, "head", 404, 404, 200),
    "worker_revoke": (
        "post",
        lambda c, w: f"/dashboard/workers/{c.alice.pk}/revoke/",
        {},
        "head",
        404,
        404,
        302,
    ),
    "firms": ("get", lambda c, w: "/dashboard/firms/", None, "clerk", 200, 200, 200),
    "firm": ("get", lambda c, w: f"/dashboard/firms/{c.firm.pk}/", None, "head", 404, 404, 200),
    "firm_directory": ("get", lambda c, w: "/dashboard/firms/directory/", None, "clerk", 200, 200, 200),
    # How the firm sees the workshop's workers (by name or by number): the head's; the pairing's own firm
    # sees the pairing but may not change it (403, WRONG_ROLE_POSTS).
    "pairing_workers": (
        "post",
        lambda c, w: f"/dashboard/pairings/{c.pairing.pk}/workers/",
        {"by": "number"},
        "head",
        404,
        404,
        302,
    ),
    "pay": ("get", lambda c, w: "/dashboard/pay/", None, "head", 200, 200, 200),
    "statements": ("get", lambda c, w: "/dashboard/statements/", None, "head", 200, 200, 200),
    # Another head's form cannot name this pairing (400, nothing written); firm staff may not prepare.
    "statement_prepare": (
        "post",
        lambda c, w: "/dashboard/statements/prepare/",
        lambda c, w: {"pairing": c.pairing.pk, "month": f"{timezone.localdate():%Y-%m}", "reason": "补出"},
        "head",
        400,
        403,
        302,
    ),
    "statement": (
        "get",
        lambda c, w: f"/dashboard/statements/{w['statement'].pk}/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "statement_print": (
        "get",
        lambda c, w: f"/dashboard/statements/{w['statement'].pk}/print/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "statement_xlsx": (
        "get",
        lambda c, w: f"/dashboard/statements/{w['statement'].pk}/statement.xlsx",
        None,
        "head",
        404,
        404,
        200,
    ),
    "statement_sign": (
        "post",
        lambda c, w: f"/dashboard/statements/{w['statement'].pk}/sign/",
        {},
        "clerk",
        404,
        404,
        302,
    ),
    "statement_dispute": (
        "post",
        lambda c, w: f"/dashboard/statements/{w['statement'].pk}/dispute/",
        {"clerk_figure": "1.00", "note": "少了一单", "key": "matrix-dispute"},
        "clerk",
        404,
        404,
        302,
    ),
    "statement_correct": (
        "post",
        lambda c, w: f"/dashboard/statements/{w['statement'].pk}/correct/",
        {"reason": "补入已结算的单"},
        "head",
        404,
        404,
        302,
    ),
    "inspections": ("get", lambda c, w: "/dashboard/inspections/", None, "clerk", 200, 200, 200),
    # Wage slips (工资条): the head's and the community admin's; a firm never sees one (403). Another head
    # sees her own workshop's (200, none of ours); our worker's question is a 404 to her.
    "slip_questions": ("get", lambda c, w: "/dashboard/pay/questions/", None, "head", 200, 403, 200),
    "slip_answer": (
        "post",
        lambda c, w: f"/dashboard/pay/questions/{w['slip_question'].pk}/answer/",
        {"text": "扣了两个坏面板。"},
        "head",
        404,
        404,
        302,
    ),
    "slips_print": (
        "get",
        lambda c, w: f"/dashboard/pay/{timezone.localdate():%Y-%m}/slips/",
        None,
        "head",
        200,
        403,
        200,
    ),
    "inbox": ("get", lambda c, w: "/dashboard/inbox/", None, "head", 200, 200, 200),
    "inbox_open": ("post", lambda c, w: f"/dashboard/inbox/{w['note'].pk}/", {}, "head", 404, 404, 302),
    # Another head or firm marking their own inbox read: allowed (their own messages), never the head's.
    "inbox_read_all": ("post", lambda c, w: "/dashboard/inbox/read-all/", {}, "head", 302, 302, 302),
    "exports": ("get", lambda c, w: "/dashboard/exports/", None, "clerk", 200, 200, 200),
    # Another head or firm asking for an export gets their own (scoped) export: allowed, so not refused.
    "exports:post": ("post", lambda c, w: "/dashboard/exports/", {"kind": "jobs"}, "clerk", 302, 302, 302),
    "export": ("get", lambda c, w: f"/dashboard/exports/{w['export'].pk}/", None, "clerk", 404, 404, 200),
    "export_status": (
        "get",
        lambda c, w: f"/dashboard/exports/{w['export'].pk}/status/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "export_retry": (
        "post",
        lambda c, w: f"/dashboard/exports/{_failed_export(c)}/retry/",
        {},
        "clerk",
        404,
        404,
        302,
    ),
    "failed_tasks": ("get", lambda c, w: "/dashboard/tasks/", None, "head", 200, 403, 200),
    "task_retry": (
        "post",
        lambda c, w: f"/dashboard/tasks/{_failed_booking(c)}/retry/",
        {},
        "head",
        404,
        403,
        302,
    ),
    "export_download": (
        "get",
        lambda c, w: f"/dashboard/exports/{w['export'].pk}/download/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "job_materials": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['material'].pk}/materials/",
        None,
        "head",
        404,
        404,
        200,
    ),
    "job_materials:post": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['material'].pk}/materials/",
        lambda c, w: {
            "action": "receive",
            "receive-key": "matrix-receive",
            "receive-line": w["panel"].pk,
            "receive-quantity": "20",
            "receive-confirm_over": "on",
        },
        "head",
        404,
        404,
        302,
    ),
    "job_materials_statement": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['material'].pk}/materials/statement/",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "job_materials_xlsx": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['material'].pk}/materials/statement.xlsx",
        None,
        "clerk",
        404,
        404,
        200,
    ),
    "material_problem_photo": (
        "get",
        lambda c, w: f"/dashboard/jobs/{w['material'].pk}/materials/problems/{w['problem'].pk}/photo/",
        None,
        "head",
        404,
        404,
        200,
    ),
    # Everyone with a desk sees the materials of the jobs they see (none of another's).
    "materials": ("get", lambda c, w: "/dashboard/materials/", None, "clerk", 200, 200, 200),
    # Door delivery (配送): the head's and the community admin's; a firm's staff get 403. Another head's
    # lists are her own (200); our workshop's ids are 404 to her. Places are the community's table: the
    # other head's workshop (same community in this cast) shares it, so she may open and edit a place.
    "places": ("get", lambda c, w: "/dashboard/places/", None, "head", 200, 403, 200),
    "places:post": (
        "post",
        lambda c, w: "/dashboard/places/",
        lambda c, w: {"workshop": c.ws.pk, "name": "4幢", "kind": "building", "lat": "30.5", "lng": "120.9"},
        "head",
        400,  # our workshop is not among her form's choices
        403,
        302,
    ),
    "place": ("get", lambda c, w: f"/dashboard/places/{w['place'].pk}/", None, "head", 200, 403, 200),
    "place:post": (
        "post",
        lambda c, w: f"/dashboard/places/{w['place'].pk}/",
        {"kind": "building", "lat": "30.6", "lng": "120.8"},
        "head",
        302,
        403,
        302,
    ),
    "places_import": ("get", lambda c, w: "/dashboard/places/import/", None, "head", 200, 403, 200),
    "places_import:post": (
        "post",
        lambda c, w: "/dashboard/places/import/",
        lambda c, w: {"workshop": c.ws.pk, "payload": w["places_payload"]},
        "head",
        404,
        403,
        302,
    ),
    "logistics_settings": (
        "get",
        lambda c, w: f"/dashboard/logistics/settings/?workshop={c.ws.pk}",
        None,
        "head",
        404,
        403,
        200,
    ),
    "depot_save": (
        "post",
        lambda c, w: f"/dashboard/logistics/{c.ws.pk}/depot/",
        {"lat": "30.6", "lng": "120.8", "shift_min": "120"},
        "head",
        404,
        403,
        302,
    ),
    "vehicle_save": (
        "post",
        lambda c, w: f"/dashboard/logistics/{c.ws.pk}/vehicles/",
        {"name": "三号", "kind": "van", "capacity": "20", "speed_kmh": "30"},
        "head",
        404,
        403,
        302,
    ),
    "courier_add": (
        "post",
        lambda c, w: f"/dashboard/logistics/{c.ws.pk}/couriers/",
        {"name": "李师傅", "phone": "13800005678", "pin": "593716"},
        "head",
        404,
        403,
        302,
    ),
    "courier_pin": (
        "post",
        lambda c, w: f"/dashboard/logistics/couriers/{w['courier'].pk}/pin/",
        {"pin": "593716"},
        "head",
        404,
        403,
        302,
    ),
    "courier_active": (
        "post",
        lambda c, w: f"/dashboard/logistics/couriers/{w['courier'].pk}/active/",
        {"stop": "1", "reason": "离岗"},
        "head",
        404,
        403,
        302,
    ),
    "worker_residence": (
        "post",
        lambda c, w: f"/dashboard/workers/{c.alice.pk}/residence/",
        lambda c, w: {"place": w["place"].pk, "room": "2单元301"},
        "head",
        404,
        404,
        302,
    ),
    # The impact report: another head reads his own workshop's figures; firm staff never see income.
    "impact": ("get", lambda c, w: "/dashboard/impact/", None, "head", 200, 403, 200),
    "impact_xlsx": ("get", lambda c, w: "/dashboard/impact.xlsx", None, "head", 200, 403, 200),
    "runs": ("get", lambda c, w: "/dashboard/runs/", None, "head", 200, 403, 200),
    "report_correct": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['completed'].pk}/reports/{w['completed_report'].pk}/correct/",
        {"pieces": 40, "reason": "多数了"},
        "head",
        404,
        404,
        302,
    ),
    "share_take_back": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['unprinted'].job_id}/shares/{w['unprinted'].pk}/take-back/",
        {"rest": 60, "reason": "坊工停用"},
        "head",
        404,
        404,
        302,
    ),
    "rework_pass_on": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['rework_share'].job_id}/shares/{w['rework_share'].pk}/pass-on/",
        lambda c, w: {"worker": c.bob.pk, "rest": 2, "reason": "坊工停用"},
        "head",
        404,
        404,
        302,
    ),
    "result_correct": (
        "post",
        lambda c, w: (
            f"/dashboard/jobs/{w['settled_result'].inspection.job_id}/results/"
            f"{w['settled_result'].pk}/correct/"
        ),
        {"passed": 8, "rejected": 2, "reason": "复检"},
        "head",
        404,
        404,
        302,
    ),
    "worker_bank": (
        "post",
        lambda c, w: f"/dashboard/workers/{c.alice.pk}/bank/",
        {"bank_account": "6228480402564890018", "bank_name": "农业银行"},
        "head",
        404,
        404,
        302,
    ),
    "pay_periods": ("get", lambda c, w: f"/dashboard/pay/periods/?ws={c.ws.pk}", None, "head", 404, 403, 200),
    "pay_period": (
        "get",
        lambda c, w: f"/dashboard/pay/periods/{w['last_month']}/?ws={c.ws.pk}",
        None,
        "head",
        404,
        403,
        200,
    ),
    "pay_period_close": (
        "post",
        lambda c, w: f"/dashboard/pay/periods/{w['month_before']}/close/",
        lambda c, w: {"ws": c.ws.pk},
        "head",
        404,
        403,
        302,
    ),
    "pay_period_pay": (
        "post",
        lambda c, w: f"/dashboard/pay/periods/{w['last_month']}/pay/",
        lambda c, w: {"ws": c.ws.pk, "method": "cash", "key": "matrix-pay"},
        "head",
        404,
        403,
        302,
    ),
    "pay_period_sheet": (
        "get",
        lambda c, w: f"/dashboard/pay/periods/{w['last_month']}/sheet/?ws={c.ws.pk}",
        None,
        "head",
        404,
        403,
        200,
    ),
    "pay_period_transfer": (
        "get",
        lambda c, w: f"/dashboard/pay/periods/{w['last_month']}/transfer.xlsx?ws={c.ws.pk}",
        None,
        "head",
        404,
        403,
        200,
    ),
    "pay_adjustment_reverse": (
        "post",
        lambda c, w: f"/dashboard/pay/adjustments/{PayLine.objects.get(key='matrix-bonus').pk}/reverse/",
        lambda c, w: {"ws": c.ws.pk, "reason": "记错了", "key": "matrix-reverse"},
        "head",
        404,
        403,
        302,
    ),
    "pay_loss_rule": (
        "post",
        lambda c, w: "/dashboard/pay/loss-rule/",
        lambda c, w: {"ws": c.ws.pk, "share_pct": "50", "cap_yuan": "20", "text": "超耗由本人承担一半"},
        "head",
        404,
        403,
        302,
    ),
    "job_loss_deduct": (
        "post",
        lambda c, w: f"/dashboard/jobs/{w['material'].pk}/materials/loss-deduct/",
        None,
        "head",
        404,
        404,
        302,
    ),
    "pay_adjustments": (
        "get",
        lambda c, w: f"/dashboard/pay/adjustments/?ws={c.ws.pk}",
        None,
        "head",
        404,
        403,
        200,
    ),
    "pay_adjustments:post": (
        "post",
        lambda c, w: "/dashboard/pay/adjustments/",
        lambda c, w: {
            "ws": c.ws.pk,
            "worker": c.alice.pk,
            "kind": "on_time",
            "amount": "5",
            "reason": "按期",
            "key": "matrix-adjust",
        },
        "head",
        404,
        403,
        302,
    ),
    "runs_day": (
        "get",
        lambda c, w: f"/dashboard/runs/{timezone.localdate().isoformat()}/",
        None,
        "head",
        200,
        403,
        200,
    ),
    "runs_plan": (
        "post",
        lambda c, w: f"/dashboard/runs/{timezone.localdate().isoformat()}/plan/",
        lambda c, w: {"workshop": c.ws.pk},
        "head",
        404,
        403,
        302,
    ),
    "run_finish": (
        "post",
        lambda c, w: f"/dashboard/runs/run/{w['under_way'].pk}/finish/",
        {},
        "head",
        404,
        403,
        302,
    ),
    # The world's run under way is yesterday's: the head is told in words to finish it instead (a 302 that
    # changes nothing); the handover itself is tests/mobile/test_run_handover.py's story.
    "run_hand_over": (
        "post",
        lambda c, w: f"/dashboard/runs/run/{w['under_way'].pk}/hand-over/",
        lambda c, w: {"courier": w["courier"].pk},
        "head",
        404,
        403,
        302,
    ),
    # The minimum-wage setting is the community admin's alone: heads (any workshop's) and firms get 403.
    "min_wage": ("get", lambda c, w: "/dashboard/min-wage/", None, "admin", 403, 403, 200),
    "min_wage:post": (
        "post",
        lambda c, w: "/dashboard/min-wage/",
        {
            "tier": 2,
            "tier1_hourly": "24",
            "tier2_hourly": "22",
            "tier3_hourly": "20",
            "effective_from": "2024-01-01",
        },
        "admin",
        403,
        403,
        302,
    ),
}


def _failed_booking(cast) -> int:
    """A failed booking run of an inspection of the cast's workshop; its pk."""
    inspection = Inspection.objects.filter(job__workshop=cast.ws).order_by("pk").first()
    Inspection.objects.filter(pk=inspection.pk).update(booked_at=None)  # its booking never ran
    return TaskRun.objects.create(
        task_id=f"outbox-m{inspection.pk}",
        task_name="dispatch.tasks.book_inspection",
        args=[inspection.pk],
        attempts=5,
        state="failed",
        failed_at=timezone.now(),
    ).pk


def _failed_export(cast) -> int:
    """A failed export of the clerk's; its pk."""
    return Export.objects.create(user=cast.clerk, kind=ExportKind.JOBS, status=ExportStatus.FAILED).pk


def actor_user(cast, actor, right):
    if actor == RIGHT and right == "admin":
        return CommunityAdminFactory(user=UserFactory(username="admin")).user
    return {
        ANON: None,
        WORKER: cast.alice.user,
        OTHER_HEAD: cast.mallory.workshop.head,
        OTHER_FIRM: cast.eve,
        RIGHT: getattr(cast, right, None),
    }[actor]


def snapshot() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "counts": {
            m.__name__: m.objects.count()
            for m in (
                Job,
                Assignment,
                FlowEvent,
                Inspection,
                InspectionResult,
                PayLine,
                WorkReport,
                PayPeriod,
                PayoutBatch,
                Payout,
                Export,
                Notification,
                Movement,
                MaterialProblem,
                DeliveryNote,
                MinimumWage,
                FirmStatement,
                StatementDispute,
                LossRule,
                SlipNote,
                WorkerEvent,
            )
        },
        "retries": (
            list(Export.objects.order_by("pk").values_list("pk", "status")),
            list(TaskRun.objects.order_by("pk").values_list("pk", "state")),
        ),
        "statements": list(FirmStatement.objects.order_by("pk").values_list("pk", "signed_by", "signed_at")),
        "notes": list(DeliveryNote.objects.order_by("pk").values_list("pk", "state", "pieces_counted")),
        "balances": list(Balance.objects.order_by("pk").values_list("pk", "quantity")),
        "jobs": list(Job.objects.order_by("pk").values_list("pk", "state", "pieces_assigned", "photo")),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list("pk", "state", "pieces_passed", "pieces_rejected")
        ),
        "workers": list(
            Worker.objects.order_by("pk").values_list(
                "pk", "pin_hash", "signin_nonce", "bank_account", "name", "phone", "active"
            )
        ),
        "read": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        "tickets": list(
            BundleTicket.objects.order_by("pk").values_list("pk", "state", "report_id", "inspected_at")
        ),
        "places": list(Place.objects.order_by("pk").values_list("pk", "name", "lat", "lng")),
        "depots": list(Depot.objects.order_by("pk").values_list("pk", "lat", "lng", "shift_min")),
        "vehicles": list(Vehicle.objects.order_by("pk").values_list("pk", "name", "capacity")),
        "couriers": list(Courier.objects.order_by("pk").values_list("pk", "pin_hash", "active")),
        "homes": list(Residence.objects.order_by("pk").values_list("pk", "place", "room")),
        "runs": list(Run.objects.order_by("pk").values_list("pk", "state")),
        "stops": list(Stop.objects.order_by("pk").values_list("pk", "state")),
        "pairings": list(Pairing.objects.order_by("pk").values_list("pk", "firm_sees_names")),
        "pairing_changes": PairingChange.objects.count(),
    }


def test_the_matrix_covers_every_dashboard_url():
    names = {p.name for p in get_resolver("dashboard.urls").url_patterns}
    assert names == {key.split(":")[0] for key in MATRIX}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("key", list(MATRIX))
def test_dashboard_url_by_role(client, cast, world, key, actor):
    method, path, data, right, other_head, other_firm, right_status = MATRIX[key]
    url = path(cast, world)
    payload = data(cast, world) if callable(data) else data
    user = actor_user(cast, actor, right)
    if user is not None:
        client.force_login(user)
    before = snapshot()

    response = client.post(url, payload) if method == "post" else client.get(url)

    expected = {ANON: 302, WORKER: 403, OTHER_HEAD: other_head, OTHER_FIRM: other_firm, RIGHT: right_status}[
        actor
    ]
    assert response.status_code == expected, (key, actor, response.status_code)
    if actor == ANON:
        assert response["Location"].startswith("/accounts/login/?next=")
    refused = (
        actor in (ANON, WORKER) or expected in (400, 403, 404) or (key == "job_new:post" and actor != RIGHT)
    )
    if refused:
        assert snapshot() == before, (key, actor)
    # (Deducting by a rule writes only where a worker lost more than allowed: the world has no such loss.)
    if actor == RIGHT and method == "post" and key not in ("worker_qr", "job_loss_deduct", "run_hand_over"):
        assert snapshot() != before, (key, "the right role's POST should change something")


# A role that sees the object but may not do the action gets a 403, and nothing changes.
WRONG_ROLE_POSTS = [
    ("clerk", "job_accept"),
    ("clerk", "job_decline"),
    ("clerk", "job_dispatch:post"),
    ("clerk", "job_submit"),
    ("head", "job_cancel"),
    ("head", "job_inspect:post"),
    ("head", "job_new:post"),
    ("clerk", "ticket_print"),
    ("head", "job_bundles:post"),
    ("clerk", "job_materials:post"),
    ("clerk", "job_loss_deduct"),
    ("clerk", "job_notes:post"),
    ("head", "job_notes:receive"),
    ("clerk", "report_correct"),
    ("clerk", "share_take_back"),
    ("clerk", "rework_pass_on"),
    ("head", "statement_sign"),
    ("head", "statement_dispute"),
    ("clerk", "statement_correct"),
    ("clerk", "statement_prepare"),
    ("clerk", "pairing_workers"),
]


@pytest.mark.parametrize("who, key", WRONG_ROLE_POSTS)
def test_a_role_that_sees_a_job_cannot_take_the_other_roles_actions(client, cast, world, who, key):
    method, path, data, *_rest = MATRIX[key]
    client.force_login(getattr(cast, who))
    before = snapshot()
    payload = data(cast, world) if callable(data) else data
    assert client.post(path(cast, world), payload).status_code == 403
    assert snapshot() == before


def test_firm_staff_cannot_open_the_roster_or_a_workers_page(client, cast, world):
    client.force_login(cast.clerk)
    assert client.get("/dashboard/workers/").status_code == 403
    assert client.get(f"/dashboard/workers/{cast.alice.pk}/").status_code == 404
    before = snapshot()
    assert client.post(f"/dashboard/workers/{cast.alice.pk}/pin/", {"pin": "482915"}).status_code == 404
    assert snapshot() == before


def test_get_only_and_post_only_urls_refuse_the_other_method(client, cast, world):
    client.force_login(cast.head)
    job = world["issued"]
    assert client.get(f"/dashboard/jobs/{job.pk}/accept/").status_code == 405
    assert client.get(f"/dashboard/workers/{cast.alice.pk}/qr/").status_code == 405
    assert client.post("/dashboard/").status_code == 405
    assert Job.objects.get(pk=job.pk).state == "issued"
