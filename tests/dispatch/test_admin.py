"""The admin: every model listed without N+1 queries, masked worker data, and no state edits."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dispatch import services
from dispatch.models import (
    Assignment,
    FlowEvent,
    Inspection,
    InspectionResult,
    Job,
    JobState,
    WorkReport,
)
from logistics import services as logistics
from logistics.models import Collection, DeliveryNote, Place, Run, Stop
from notices.models import Notification
from pay import services as pay_services
from pay.models import PayLine, PayPeriod
from tests.factories import CommunityAdminFactory, UserFactory
from tests.lots import completed, hand_over
from workshop import services as people
from workshop.models import (
    CommunityAdmin,
    Courier,
    FirmStaff,
    Pairing,
    PartnerFirm,
    ProductionLine,
    Worker,
    Workshop,
)

MODELS = [
    Workshop,
    PartnerFirm,
    ProductionLine,
    Pairing,
    Worker,
    FirmStaff,
    CommunityAdmin,
    Job,
    Assignment,
    WorkReport,
    Inspection,
    InspectionResult,
    PayPeriod,
    PayLine,
    FlowEvent,
    Notification,
    Courier,
    DeliveryNote,
    Place,
    Run,
    Stop,
    Collection,
]


def settled_job(cast, issue_job, pieces=(100, 100, 100)) -> Job:
    """A job through the whole flow: three workers' shares made, inspected (5 of each rejected), booked."""
    job = issue_job(quantity=sum(pieces))
    services.job_accept(actor=cast.head, job=job)
    for worker, n in zip((cast.alice, cast.bob, cast.carol), pieces, strict=False):
        a = services.assignment_offer(job=job, worker=worker, pieces=n)
        services.assignment_accept(actor=worker.user, assignment=a)
        services.work_report(actor=worker.user, assignment=a, pieces=n, key=uuid.uuid4().hex)
    completed(job)
    hand_over(job)
    results = [
        services.ResultInput(assignment_id=a.pk, passed=a.pieces - 5, rejected=5, reason="划痕")
        for a in job.assignments.all()
    ]
    inspection = services.job_inspect(actor=cast.clerk, job=job, results=results)
    services.inspection_book(inspection=inspection)
    return job


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def changelist_queries(client) -> dict[str, int]:
    counts = {}
    for model in MODELS:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[model.__name__] = len(ctx.captured_queries)
    return counts


def test_every_changelist_renders_and_does_not_grow_with_rows(client, cast, issue_job, root):
    settled_job(cast, issue_job)
    CommunityAdminFactory()
    pay_services.pay_period_close(workshop=cast.ws, month=PayLine.objects.first().booked_on)
    client.force_login(root)
    few = changelist_queries(client)
    settled_job(cast, issue_job)
    settled_job(cast, issue_job)
    CommunityAdminFactory()
    assert changelist_queries(client) == few


def collected_home_share(cast, issue_job) -> None:
    """A courier's run that collected a home worker's pieces: a place, a run, a stop, a collection."""
    logistics.depot_set(actor=cast.head, workshop=cast.ws, lat="30.526", lng="120.946")
    courier = people.courier_create(
        actor=cast.head, workshop=cast.ws, name="周", phone="13957300021", pin="482916"
    )
    logistics.vehicle_save(actor=cast.head, workshop=cast.ws, name="三轮车", courier=courier)
    place, _ = logistics.place_save(
        actor=cast.head, workshop=cast.ws, name="1幢", lat="30.528", lng="120.948"
    )
    Worker.objects.filter(pk=cast.bob.pk).update(work_place="home")
    cast.bob.refresh_from_db()
    logistics.residence_set(actor=cast.head, worker=cast.bob, place=place, room="101")
    job = issue_job(quantity=10)
    services.job_accept(actor=cast.head, job=job)
    a = services.assignment_offer(job=job, worker=cast.bob, pieces=10)
    services.assignment_accept(actor=cast.bob.user, assignment=a)
    services.work_report(actor=cast.bob.user, assignment=a, pieces=10, key="admin-home")
    (run,) = logistics.runs_plan(workshop=cast.ws, actor=cast.head).runs
    logistics.stop_check(
        actor=courier.user, stop=run.planned_stops[0], check=logistics.CheckOff("done"), key="k1"
    )


def test_every_change_page_renders(client, cast, issue_job, root):
    settled_job(cast, issue_job)
    collected_home_share(cast, issue_job)
    CommunityAdminFactory()
    pay_services.pay_period_close(workshop=cast.ws, month=PayLine.objects.first().booked_on)
    client.force_login(root)
    for model in MODELS:
        obj = model.objects.first()
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url


def test_worker_list_masks_phone_and_id_and_hides_low_income(client, cast, root):
    Worker.objects.filter(pk=cast.alice.pk).update(id_number="33042419800101001X", low_income=True)
    cast.alice.refresh_from_db()
    client.force_login(root)
    page = client.get(reverse("admin:workshop_worker_changelist")).content.decode()
    assert cast.alice.phone_masked in page and "330***********001X" in page
    assert str(cast.alice.phone.national_number) not in page
    assert "33042419800101001X" not in page
    assert "低收入" not in page and "low_income" not in page
    form = client.get(reverse("admin:workshop_worker_change", args=[cast.alice.pk])).content.decode()
    assert 'name="low_income"' in form


def test_job_and_assignment_states_are_read_only(client, cast, issue_job, root):
    job = issue_job()
    services.job_accept(actor=cast.head, job=job)
    a = services.assignment_offer(job=job, worker=cast.alice, pieces=10)
    client.force_login(root)
    job_form = client.get(reverse("admin:dispatch_job_change", args=[job.pk])).context["adminform"].form
    a_form = client.get(reverse("admin:dispatch_assignment_change", args=[a.pk])).context["adminform"].form
    assert "state" not in job_form.fields and "pieces_assigned" not in job_form.fields
    assert "state" not in a_form.fields and "pieces_reported" not in a_form.fields
    assert client.get(reverse("admin:dispatch_job_add")).status_code == 403
    assert client.get(reverse("admin:dispatch_assignment_add")).status_code == 403

    response = client.post(
        reverse("admin:dispatch_job_change", args=[job.pk]),
        {
            "title": job.title,
            "process_kind": job.process_kind,
            "due_on": job.due_on.isoformat(),
            "instructions": "改过",
            "state": JobState.SETTLED,
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.instructions) == (JobState.ACCEPTED, "改过")


def test_flow_events_cannot_be_changed_or_deleted(client, cast, issue_job, root):
    job = issue_job()
    event = FlowEvent.objects.get(job=job)
    client.force_login(root)
    change = reverse("admin:dispatch_flowevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # view only
    client.post(change, {"note": "篡改"})
    assert FlowEvent.objects.get(pk=event.pk).note == ""
    assert (
        client.post(reverse("admin:dispatch_flowevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert FlowEvent.objects.filter(pk=event.pk).exists()


def test_admin_site_header(client, root):
    client.force_login(root)
    assert "暖心坊 · Nuanxin 管理" in client.get("/admin/").content.decode()
