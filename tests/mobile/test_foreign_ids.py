"""Every /m/ URL that takes an id, opened by another worker (bob of the same workshop, mallory of
another): a 404, and nothing is written. Earnings take no id: they are always the signed-in worker's."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from dispatch.models import Assignment, FlowEvent, Job, WorkReport
from dispatch.tasks import make_job_photo_copy
from materials.models import MaterialProblem, Movement
from materials.services import BomInput
from notices.models import Notification
from pay.models import PayLine
from tests.mobile.conftest import accepted_job, in_hand, inspect_and_book, offer, report
from tests.pages import without_tokens


def png() -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 120, 40)).save(out, "PNG")
    return ContentFile(out.getvalue(), name="sample.png")


@pytest.fixture
def alices(cast, issue_job, settings, tmp_path):
    """alice's things: an offer, work in hand (with a photo), booked pay and a notification."""
    settings.MEDIA_ROOT = tmp_path
    job = accepted_job(cast, issue_job, quantity=300, bom=[BomInput("面板", "ge", "1")])
    job.refresh_from_db()
    job.photo.save("sample.png", png())
    offered = offer(job, cast.alice, 100)
    working = in_hand(job, cast.alice, 100)
    booked_job = accepted_job(cast, issue_job, quantity=50, title="已验收")
    booked = in_hand(booked_job, cast.alice, 50)
    report(booked, 50)
    inspect_and_book(cast, booked_job, {booked.pk: (50, 0, 0, "")})
    note = Notification.objects.filter(recipient=cast.alice.user).first()
    return {"offered": offered, "working": working, "booked": booked, "note": note}


def snapshot() -> dict:
    return {
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "jobs": list(Job.objects.order_by("pk").values()),
        "reports": WorkReport.objects.count(),
        "events": FlowEvent.objects.count(),
        "notes": list(Notification.objects.order_by("pk").values("pk", "read_at")),
        "pay": PayLine.objects.count(),
        "materials": (Movement.objects.count(), MaterialProblem.objects.count()),
    }


def urls(alices) -> list[tuple[str, str]]:
    out = []
    for name in ("offered", "working", "booked"):
        pk = alices[name].pk
        out += [
            ("get", f"/m/a/{pk}/"),
            ("get", f"/m/a/{pk}/photo/"),
            ("get", f"/m/a/{pk}/photo/?full=1"),
            ("post", f"/m/a/{pk}/accept/"),
            ("post", f"/m/a/{pk}/decline/"),
            ("post", f"/m/a/{pk}/report/"),
            ("post", f"/m/a/{pk}/finish/"),
            ("get", f"/m/a/{pk}/material/"),
            ("post", f"/m/a/{pk}/material/"),
        ]
    booked_report = WorkReport.objects.filter(assignment=alices["booked"]).latest("pk").pk
    for name in ("offered", "working", "booked"):
        out.append(("post", f"/m/a/{alices[name].pk}/undo/{booked_report}/"))
    out.append(("post", f"/m/inbox/{alices['note'].pk}/"))
    return out


@pytest.mark.parametrize("who", ["bob", "mallory"])
def test_another_worker_gets_404_for_every_url_and_writes_nothing(client, cast, alices, who):
    before = snapshot()
    client.force_login(getattr(cast, who).user)
    for method, url in urls(alices):
        data = (
            {"pieces": 1, "key": uuid.uuid4().hex, "next": "/m/", "kind": "short", "quantity": "1"}
            if method == "post"
            else None
        )
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url)
        assert "alice" not in without_tokens(response.content.decode())
    assert snapshot() == before


@pytest.mark.parametrize("who", ["bob", "mallory"])
def test_another_workers_pages_never_show_alices_work_or_pay(client, cast, alices, who):
    client.force_login(getattr(cast, who).user)
    for url in ("/m/", "/m/earnings/", "/m/inbox/", "/m/slip/"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "已验收" not in page and "开关面板装配" not in page
    assert client.get("/m/earnings/").context["e"].booked_yuan == 0
    assert client.get("/m/slip/").context["slip"].total == 0


def test_mark_all_read_touches_only_ones_own_messages(client, cast, alices):
    before = list(Notification.objects.filter(recipient=cast.alice.user).values("pk", "read_at"))
    client.force_login(cast.bob.user)
    client.post("/m/inbox/read/")
    assert list(Notification.objects.filter(recipient=cast.alice.user).values("pk", "read_at")) == before


def test_the_owner_gets_the_photo_phone_sized_and_in_full(client, cast, alices):
    client.force_login(cast.alice.user)
    make_job_photo_copy(alices["working"].job_id)  # the task job_issue queues after commit
    small = client.get(f"/m/a/{alices['working'].pk}/photo/")
    assert small.status_code == 200 and small["Content-Type"] == "image/jpeg"
    assert small["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(small.content)).size == (720, 540)
    assert len(small.content) < 100_000
    full = client.get(f"/m/a/{alices['working'].pk}/photo/?full=1")
    assert full["Content-Type"] == "image/png" and Image.open(io.BytesIO(full.content)).size == (1600, 1200)
    page = client.get(f"/m/a/{alices['working'].pk}/").content.decode()
    assert f"/m/a/{alices['working'].pk}/photo/" in page and "/media/" not in page


def test_the_photo_has_no_public_url(client, cast, alices):
    name = Job.objects.exclude(photo="").get().photo.name
    assert client.get(f"/media/{name}").status_code == 404
