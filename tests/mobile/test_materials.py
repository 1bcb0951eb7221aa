"""Supplied materials on the worker's phone: her share's page shows what she holds of the job's materials,
in large type; a button reports a shortage or a damaged part (with an optional photo) to the head, which
moves nothing in the ledger and counts once however often it is tapped."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from materials import services as ledger
from materials.models import MaterialProblem, Unit
from materials.services import BomInput
from notices.messages import UNITS
from notices.models import Notification, NotificationKind
from tests.materials.conftest import CLOTH, D, ledger_state
from tests.mobile.conftest import accepted_job, in_hand, offer

PANEL = BomInput("面板", "ge", "1", "0.5")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def kit(cast, issue_job):
    """alice's share of 100 with her kit: 101 panels and 35.7 m of cloth."""
    job = accepted_job(cast, issue_job, quantity=120, bom=[PANEL, CLOTH])
    panel, cloth = (job.bom_lines.get(material=m) for m in ("面板", "布料"))
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=101, actor=cast.head)
    ledger.material_receive(confirm_over=True, line=cloth, quantity_received="35.7", actor=cast.head)
    a = in_hand(job, cast.alice, 100)
    ledger.kit_issue(assignment=a, actor=cast.head)
    return {"job": job, "share": a, "panel": panel, "cloth": cloth}


def jpeg(size=(800, 600)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 90, 30)).save(out, "JPEG")
    return SimpleUploadedFile("broken.jpg", out.getvalue(), content_type="image/jpeg")


def report_url(a) -> str:
    return f"/m/a/{a.pk}/material/"


def test_her_share_shows_what_she_holds_of_each_material_in_large_type(client, cast, kit):
    client.force_login(cast.alice.user)
    html = client.get(f"/m/a/{kit['share'].pk}/").content.decode()

    assert f'data-held="{kit["panel"].pk}"><span class="key">101</span> 个' in html
    assert f'data-held="{kit["cloth"].pk}"><span class="key">35.7</span> 米' in html
    assert "报告缺料或零件坏了" in html


def test_an_offer_she_has_not_taken_shows_no_materials_in_her_hands(client, cast, issue_job):
    """Found in a trial: an offer read "Material I hold: 0 pcs … give what is left back to the head"."""
    job = accepted_job(cast, issue_job, quantity=120, bom=[PANEL, CLOTH])
    a = offer(job, cast.alice, 60)
    client.force_login(cast.alice.user)

    assert "data-materials" not in client.get(f"/m/a/{a.pk}/").content.decode()


def test_a_job_without_materials_shows_none(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 50)
    client.force_login(cast.alice.user)
    assert "data-materials" not in client.get(f"/m/a/{a.pk}/").content.decode()
    assert client.get(report_url(a)).status_code == 404


def test_she_reports_a_damaged_part_with_a_photo_and_the_head_is_told(client, cast, kit):
    a = kit["share"]
    before = ledger_state(kit["job"])
    client.force_login(cast.alice.user)
    form = client.get(report_url(a)).content.decode()
    assert "哪种材料" in form and 'capture="environment"' in form

    response = client.post(
        report_url(a),
        {
            "line": kit["panel"].pk,
            "kind": "damaged",
            "quantity": "3",
            "note": "边上裂了",
            "photo": jpeg(),
            "key": uuid.uuid4().hex,
        },
    )

    assert response.status_code == 302 and response["Location"] == f"/m/a/{a.pk}/"
    problem = MaterialProblem.objects.get()
    assert (problem.worker, problem.line, problem.quantity, problem.note) == (
        cast.alice,
        kit["panel"],
        D("3"),
        "边上裂了",
    )
    assert problem.photo.name.startswith("material_problems/") and "broken" not in problem.photo.name
    note = Notification.objects.get(kind=NotificationKind.MATERIAL_DAMAGED)
    assert note.recipient == cast.head and note.link == f"/dashboard/jobs/{kit['job'].pk}/materials/"
    assert note.text_in("zh-hans") == "alice 报零件损坏:开关面板装配 的“面板”坏了 3个。边上裂了"
    assert ledger_state(kit["job"]) == before  # the ledger moves only when the head counts
    assert "已经告诉坊长了" in client.get(f"/m/a/{a.pk}/").content.decode()

    client.force_login(cast.head)
    photo = client.get(f"/dashboard/jobs/{kit['job'].pk}/materials/problems/{problem.pk}/photo/")
    assert photo.status_code == 200
    client.force_login(cast.clerk)
    assert (
        client.get(f"/dashboard/jobs/{kit['job'].pk}/materials/problems/{problem.pk}/photo/").status_code
        == 403
    )


def test_a_shortage_without_a_photo_counts_once_however_often_it_is_sent(client, cast, kit):
    a = kit["share"]
    client.force_login(cast.alice.user)
    data = {"line": kit["cloth"].pk, "kind": "short", "quantity": "1.5", "key": "same-tap"}

    first = client.post(report_url(a), data)
    again = client.post(report_url(a), data)

    assert (first.status_code, again.status_code) == (302, 302)
    assert MaterialProblem.objects.get().quantity == D("1.5")
    assert Notification.objects.filter(kind=NotificationKind.MATERIAL_SHORT).count() == 1
    assert "没有重复" in client.get(f"/m/a/{a.pk}/").content.decode()


def test_the_head_reads_how_much_is_short_with_its_unit_in_her_own_language(client, cast, kit):
    a = kit["share"]
    client.force_login(cast.alice.user)
    client.post(report_url(a), {"line": kit["cloth"].pk, "kind": "short", "quantity": "1.5", "key": "k"})

    note = Notification.objects.get(kind=NotificationKind.MATERIAL_SHORT)
    assert note.params["u"] == "m"  # the unit's code, not a word in the sender's language
    assert note.text_in("zh-hans") == "alice 报缺料:开关面板装配 的“布料”缺 1.5米。"
    assert "1.5 m of “布料”" in note.text_in("en")


def test_a_shortage_stored_before_it_had_a_unit_still_reads(cast):
    old = Notification.objects.create(
        recipient=cast.head,
        kind=NotificationKind.MATERIAL_SHORT,
        params={"t": "开关面板装配", "w": "alice", "m": "面板", "q": "3", "why": ""},
        dedupe_key="before-units",
    )
    assert old.text_in("zh-hans") == "alice 报缺料:开关面板装配 的“面板”缺 3。"
    assert "3 of “面板”" in old.text_in("en")


def test_the_messages_units_are_the_ledgers_units():
    with translation.override("zh-hans"):  # the msgids: the Chinese is the source
        assert UNITS == {unit.value: str(unit.label) for unit in Unit}


@pytest.mark.parametrize(
    "change, words",
    [
        ({"quantity": "1.5"}, "面板按个计,只能是整数"),
        ({"quantity": ""}, "请填写数量"),
        ({"kind": ""}, "请选缺料还是零件坏了"),
        ({"line": "999999"}, "请选是哪种材料"),
        (
            {"photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")},
            "这不是一张照片",
        ),
    ],
)
def test_a_bad_report_is_refused_in_words_and_nothing_written(client, cast, kit, change, words):
    client.force_login(cast.alice.user)
    data = {"line": kit["panel"].pk, "kind": "damaged", "quantity": "2", "key": uuid.uuid4().hex, **change}

    response = client.post(report_url(kit["share"]), data)

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not MaterialProblem.objects.exists() and not Notification.objects.filter(
        kind__startswith="material"
    )


def test_a_photo_above_the_limit_is_refused(client, cast, kit, settings):
    settings.NUANXIN_PHOTO_MAX_MB = 0
    client.force_login(cast.alice.user)
    data = {"line": kit["panel"].pk, "kind": "damaged", "quantity": "2", "key": "k", "photo": jpeg()}
    response = client.post(report_url(kit["share"]), data)
    assert response.status_code == 400 and "照片太大了" in response.content.decode()
    assert not MaterialProblem.objects.exists()


def test_another_jobs_material_cannot_be_named(client, cast, kit, issue_job):
    other = accepted_job(cast, issue_job, quantity=10, bom=[PANEL], title="另一单")
    client.force_login(cast.alice.user)
    data = {"line": other.bom_lines.get().pk, "kind": "short", "quantity": "1", "key": "k"}
    assert client.post(report_url(kit["share"]), data).status_code == 400
    assert not MaterialProblem.objects.exists()


def test_an_offer_not_yet_accepted_cannot_report(client, cast, kit):
    offered = offer(kit["job"], cast.bob, 20)
    client.force_login(cast.bob.user)
    response = client.post(
        report_url(offered), {"line": kit["panel"].pk, "kind": "short", "quantity": "1", "key": "k"}
    )
    assert response.status_code == 302 and not MaterialProblem.objects.exists()
    assert "报告缺料或零件坏了" not in client.get(f"/m/a/{offered.pk}/").content.decode()


@pytest.mark.parametrize("who", ["bob", "mallory"])
def test_another_worker_cannot_see_or_report_on_her_share(client, cast, kit, who):
    client.force_login(getattr(cast, who).user)
    a = kit["share"]
    assert client.get(report_url(a)).status_code == 404
    response = client.post(
        report_url(a), {"line": kit["panel"].pk, "kind": "short", "quantity": "1", "key": "k"}
    )
    assert response.status_code == 404
    assert not MaterialProblem.objects.exists() and not Notification.objects.filter(
        kind__startswith="material"
    )


def test_staff_are_sent_to_their_own_pages(client, cast, kit):
    client.force_login(cast.head)
    assert client.get(report_url(kit["share"])).status_code == 403
