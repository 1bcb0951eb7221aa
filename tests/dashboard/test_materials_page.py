"""The head's materials page of a job (/dashboard/jobs/<id>/materials/): what each material needs, what came,
what is in the store and at each worker with her loss against the allowance, and the head's moves posted
from it (each with a key: a double submit counts once; a refused move says why and writes nothing). The
firm's staff and the community admin read it; the firm sees totals, never a worker's row."""

from __future__ import annotations

import re
import uuid

import pytest

from dispatch import services
from materials import services as ledger
from materials.models import Balance, Movement
from materials.services import BomInput
from notices.models import Notification, NotificationKind
from tests.factories import CommunityAdminFactory, UserFactory, WorkerFactory, WorkshopFactory
from tests.materials.conftest import CLOTH, D, ledger_state, line, report, share
from tests.pages import without_tokens

PANEL = BomInput("面板", "ge", "1", "0.5")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def material_job(cast, issue_job):
    def _make(quantity: int = 200, bom=(PANEL,), **kw):
        job = issue_job(quantity=quantity, bom=list(bom), **kw)
        return services.job_accept(actor=cast.head, job=job)

    return _make


def url(job) -> str:
    return f"/dashboard/jobs/{job.pk}/materials/"


def post(client, job, action: str, key: str | None = None, **fields):
    data = {"action": action, f"{action}-key": key or uuid.uuid4().hex}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(url(job), data)


def fig(html: str, material_id: int, name: str) -> str:
    """The figure ``name`` of material ``material_id``'s totals row, as the page shows it."""
    section = html[html.index(f'data-material="{material_id}"') :]
    return re.search(rf'data-fig="{name}">([^<]*)<', section).group(1)


def worker_row(html: str, worker_id: int) -> str:
    return re.search(rf'<tr data-worker="{worker_id}"[^>]*>.*?</tr>', html, re.S).group(0)


def test_the_head_sees_each_material_from_the_firm_to_every_worker(client, cast, material_job):
    job = material_job(quantity=200, bom=(PANEL, CLOTH))
    panel, cloth = line(job, "面板"), line(job, "布料")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=150, actor=cast.head)
    ledger.material_receive(confirm_over=True, line=cloth, quantity_received="80.5", actor=cast.head)
    a = share(job, cast.alice, 100)
    ledger.kit_issue(assignment=a, actor=cast.head)  # 101 panels, 35.7 m
    report(a, 40)

    client.force_login(cast.head)
    response = client.get(url(job))

    html = response.content.decode()
    assert response.status_code == 200
    assert fig(html, panel.pk, "needed") == "201"  # 200 × 1.005 rounded up
    assert fig(html, panel.pk, "from_firm") == "150"
    assert fig(html, panel.pk, "short") == "还差 51"
    assert fig(html, panel.pk, "in_store") == "49"
    assert fig(html, panel.pk, "at_workers") == "61"
    assert fig(html, panel.pk, "consumed") == "40"
    assert fig(html, cloth.pk, "from_firm") == "80.5"
    assert fig(html, cloth.pk, "at_workers") == "21.7"  # 35.7 − 40 × 0.35
    row = worker_row(html, cast.alice.pk)
    assert "alice" in row and "61" in row and "101" in row and "在做" in row
    assert 'data-reconciled="no"' in html and "工坊仓库 49" in html and "alice 61" in html
    assert 'data-move="receive"' in html and 'data-move="write_off"' in html


def test_a_worker_above_her_allowance_is_flagged_in_red_and_in_words(client, cast, material_job):
    job = material_job(quantity=100)
    panel = line(job, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=110, actor=cast.head)
    a = share(job, cast.alice, 100)
    ledger.material_issue(line=panel, worker=cast.alice, quantity_issued=105, actor=cast.head, reason="")
    report(a, 100)  # done, holds 5 of 100 used: 5 % > 0.5 %

    client.force_login(cast.head)
    row = worker_row(client.get(url(job)).content.decode(), cast.alice.pk)

    assert 'class="row-error"' in row and 'data-flag="above"' in row
    assert "超出允许的 0.5%" in row and "5%" in row


def test_the_head_moves_material_through_the_page(client, cast, material_job):
    job = material_job(quantity=200)
    panel = line(job, "面板")
    a = share(job, cast.alice, 100)
    # Bob had a share and gave it back: what he still holds can be written off.
    b = services.assignment_offer(job=job, worker=cast.bob, pieces=100)
    services.assignment_decline(actor=cast.bob.user, assignment=b)
    client.force_login(cast.head)
    moves = [
        ("receive", {"line": panel.pk, "quantity": "250", "note": "第一批", "confirm_over": "on"}),
        ("kit", {"share": a.pk}),
        ("issue", {"line": panel.pk, "worker": cast.bob.pk, "quantity": "30"}),
        ("return", {"line": panel.pk, "worker": cast.bob.pk, "quantity": "10"}),
        ("scrap", {"line": panel.pk, "holder": cast.bob.pk, "quantity": "2", "reason": "压坏"}),
        ("scrap", {"line": panel.pk, "holder": "store", "quantity": "1", "reason": "受潮"}),
        ("return_to_firm", {"line": panel.pk, "quantity": "8"}),
        ("write_off", {"line": panel.pk, "worker": cast.bob.pk, "reason": "找不到了"}),
    ]

    assert [post(client, job, action, **fields).status_code for action, fields in moves] == [302] * 8

    kinds = list(Movement.objects.filter(job=job).order_by("pk").values_list("kind", "worker_id", "quantity"))
    assert kinds == [
        ("receive", None, D("250")),
        ("issue", cast.alice.pk, D("101")),
        ("issue", cast.bob.pk, D("30")),
        ("return", cast.bob.pk, D("10")),
        ("scrap", cast.bob.pk, D("2")),
        ("scrap", None, D("1")),
        ("return_to_firm", None, D("8")),
        ("lose", cast.bob.pk, D("18")),
    ]
    assert Movement.objects.filter(job=job, actor=cast.head).count() == 8
    page = client.get(url(job)).content.decode()
    assert fig(page, panel.pk, "in_store") == "120"  # 250 − 101 − 30 + 10 − 1 − 8
    assert fig(page, panel.pk, "at_workers") == "101"  # alice's kit; bob's 18 written off


def test_a_double_submit_of_one_form_moves_material_once(client, cast, material_job):
    job = material_job()
    panel = line(job, "面板")
    client.force_login(cast.head)

    first = post(client, job, "receive", key="same-form", line=panel.pk, quantity="100")
    again = post(client, job, "receive", key="same-form", line=panel.pk, quantity="100")

    assert (first.status_code, again.status_code) == (302, 302)
    assert list(Movement.objects.filter(job=job).values_list("quantity", flat=True)) == [D("100")]


@pytest.mark.parametrize(
    "action, fields, words",
    [
        ("return", {"worker": "alice", "quantity": "5"}, "alice只有面板 0个,不够5个"),
        ("receive", {"quantity": "1.5"}, "面板按个计,只能是整数"),
        ("receive", {"quantity": "-3"}, "数量必须大于0"),
        ("receive", {"quantity": "abc"}, "请输入数字"),
        ("scrap", {"holder": "store", "quantity": "1", "reason": ""}, "报废请写明原因"),
        ("return_to_firm", {"quantity": "500"}, "工坊仓库只有面板 100个,不够500个"),
        ("issue", {"worker": "alice", "quantity": "500"}, "工坊仓库只有面板 100个,不够500个"),
    ],
)
def test_a_refused_move_says_why_in_words_and_writes_nothing(
    client, cast, material_job, action, fields, words
):
    job = material_job()
    panel = line(job, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=100, actor=cast.head)
    share(job, cast.alice, 100)
    before = ledger_state(job)
    client.force_login(cast.head)
    fields = {k: (cast.alice.pk if v == "alice" else v) for k, v in fields.items()}

    response = post(client, job, action, line=panel.pk, **fields)

    assert response.status_code == 400
    assert words in response.content.decode()
    assert ledger_state(job) == before


def test_another_jobs_material_or_worker_or_share_is_refused_and_nothing_written(client, cast, material_job):
    job = material_job()
    other = material_job(title="另一单")
    panel, foreign_line = line(job, "面板"), line(other, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=100, actor=cast.head)
    ledger.material_receive(confirm_over=True, line=foreign_line, quantity_received=100, actor=cast.head)
    share(job, cast.alice, 50)
    foreign_share = share(other, cast.bob, 50)
    befores = ledger_state(job), ledger_state(other)
    client.force_login(cast.head)

    refused = [
        post(client, job, "receive", line=foreign_line.pk, quantity="5"),
        post(client, job, "issue", line=panel.pk, worker=cast.mallory.pk, quantity="5"),
        post(client, job, "issue", line=panel.pk, worker=cast.bob.pk, quantity="5"),  # no share of this job
        post(client, job, "kit", share=foreign_share.pk),
        post(client, job, "write_off", line=panel.pk, worker=cast.carol.pk),
        post(client, job, "nonsense"),
    ]

    assert [r.status_code for r in refused] == [400, 400, 400, 400, 400, 404]
    assert (ledger_state(job), ledger_state(other)) == befores


def test_a_share_named_for_extra_material_must_be_that_workers(client, cast, material_job):
    job = material_job()
    panel = line(job, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=100, actor=cast.head)
    share(job, cast.alice, 50)
    b = share(job, cast.bob, 50)
    before = ledger_state(job)
    client.force_login(cast.head)

    response = post(client, job, "issue", line=panel.pk, worker=cast.alice.pk, quantity="5", share=b.pk)

    assert response.status_code == 400 and "所选派工不是alice的" in response.content.decode()
    assert ledger_state(job) == before


# --- who sees what, who may move ------------------------------------------------------------------------


@pytest.fixture
def busy_job(cast, material_job):
    job = material_job(quantity=100)
    panel = line(job, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=101, actor=cast.head)
    a = share(job, cast.alice, 100)
    ledger.kit_issue(assignment=a, actor=cast.head)
    return job


def test_the_firm_reads_the_totals_without_any_workers_row_or_form(client, cast, busy_job):
    client.force_login(cast.clerk)
    html = client.get(url(busy_job)).content.decode()

    assert fig(html, line(busy_job, "面板").pk, "at_workers") == "101"
    assert "坊工手上共 101" in html
    assert "alice" not in without_tokens(html) and "data-worker" not in html
    assert "data-move" not in html and "只读" in html


def test_the_community_admin_reads_every_workers_row_but_cannot_move(client, cast, busy_job):
    admin = CommunityAdminFactory()
    client.force_login(admin.user)
    html = client.get(url(busy_job)).content.decode()

    assert "alice" in html and "data-worker" in html and "data-move" not in html
    before = ledger_state(busy_job)
    assert post(client, busy_job, "receive", line=line(busy_job, "面板").pk, quantity="5").status_code == 403
    assert ledger_state(busy_job) == before


@pytest.mark.parametrize("who, status", [("clerk", 403), ("other_head", 404), ("eve", 404), ("alice", 403)])
def test_only_the_jobs_head_may_post_a_move(client, cast, busy_job, who, status):
    users = {
        "clerk": cast.clerk,
        "other_head": cast.mallory.workshop.head,
        "eve": cast.eve,
        "alice": cast.alice.user,
    }
    client.force_login(users[who])
    before = ledger_state(busy_job), Notification.objects.count()

    response = post(client, busy_job, "write_off", line=line(busy_job, "面板").pk, worker=cast.alice.pk)

    assert response.status_code == status
    assert (ledger_state(busy_job), Notification.objects.count()) == before


def test_a_head_of_another_workshop_never_sees_the_page(client, cast, busy_job):
    other_head = UserFactory(username="oscar")
    WorkshopFactory(name="别的坊", head=other_head)
    client.force_login(other_head)
    assert client.get(url(busy_job)).status_code == 404
    assert client.get(f"{url(busy_job)}statement/").status_code == 404


# --- loss above the allowance, told to the head ---------------------------------------------------------


def test_writing_off_above_the_allowance_tells_the_head_once(client, cast, material_job):
    job = material_job(quantity=100)
    panel = line(job, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=120, actor=cast.head)
    a = share(job, cast.alice, 50)
    ledger.material_issue(line=panel, worker=cast.alice, quantity_issued=60, actor=cast.head, reason="")
    report(a, 30)  # still working: she holds 30, nothing flagged yet
    assert not Notification.objects.filter(kind=NotificationKind.MATERIAL_LOSS).exists()
    report(a, 20)  # done, 10 left over against an allowance of 1: the head is asked to collect it
    assert Notification.objects.filter(kind=NotificationKind.MATERIAL_LOSS).count() == 1
    client.force_login(cast.head)

    post(client, job, "write_off", key="off-1", line=panel.pk, worker=cast.alice.pk, reason="丢了")
    post(client, job, "write_off", key="off-1", line=panel.pk, worker=cast.alice.pk, reason="丢了")

    note = Notification.objects.filter(kind=NotificationKind.MATERIAL_LOSS).latest("pk")
    assert Notification.objects.filter(kind=NotificationKind.MATERIAL_LOSS).count() == 2
    assert note.recipient == cast.head and note.link == url(job)
    said = "开关面板装配:alice 的“面板”损耗 10个(其中还在坊工手上 0个),损耗率 20.00%,超过允许的 0.50%,"
    assert note.text_in("zh-hans") == said + "请收回或核对。"
    assert "loss" in note.text_in("en").lower() and "10 pcs" in note.text_in("en")  # its unit, in her words
    assert Movement.objects.filter(job=job, kind="lose").count() == 1


def test_a_write_off_within_the_allowance_tells_no_one(client, cast, material_job):
    job = material_job(quantity=100, bom=[BomInput("面板", "ge", "1", "5")])
    panel = line(job, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=110, actor=cast.head)
    a = share(job, cast.alice, 100)
    ledger.kit_issue(assignment=a, actor=cast.head)  # 105
    report(a, 100)
    client.force_login(cast.head)

    post(client, job, "write_off", line=panel.pk, worker=cast.alice.pk)

    assert Movement.objects.filter(job=job, kind="lose").get().quantity == D("5")
    assert not Notification.objects.filter(kind=NotificationKind.MATERIAL_LOSS).exists()


def test_a_finished_share_holding_more_than_the_allowance_tells_the_head(cast, material_job):
    job = material_job(quantity=100)
    panel = line(job, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=110, actor=cast.head)
    a = share(job, cast.alice, 100)
    ledger.material_issue(line=panel, worker=cast.alice, quantity_issued=104, actor=cast.head, reason="")

    report(a, 60)
    assert not Notification.objects.filter(kind=NotificationKind.MATERIAL_LOSS).exists()
    report(a, 40)  # done: holds 4 of 100 used, 4 % > 0.5 %

    note = Notification.objects.get(kind=NotificationKind.MATERIAL_LOSS)
    assert note.recipient == cast.head
    assert "alice" in note.text_in("zh-hans") and "4.00%" in note.text_in("zh-hans")


def test_a_worker_of_another_workshop_cannot_be_named_as_holder(client, cast, material_job):
    job = material_job()
    panel = line(job, "面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=10, actor=cast.head)
    stranger = WorkerFactory(name="stranger")
    before = ledger_state(job)
    client.force_login(cast.head)

    response = post(client, job, "scrap", line=panel.pk, holder=stranger.pk, quantity="1", reason="坏")

    assert response.status_code == 400 and ledger_state(job) == before


def test_before_any_share_only_the_stores_moves_are_offered(client, cast, material_job):
    job = material_job()
    client.force_login(cast.head)
    html = client.get(url(job)).content.decode()
    assert re.findall(r'data-move="(\w+)"', html) == ["receive", "scrap", "return_to_firm"]


def test_kits_of_a_jobs_shares_add_up_to_what_the_firm_sent_for_the_job(client, cast, material_job):
    """Found by a fresh-user trial: each kit rounded up on its own (40, 30 and 30 pieces at 0.5 % took 41 +
    31 + 31 = 103 panels) while the firm sends the job's 101, so the last worker was refused her kit.
    Rounded on the running total of the kits handed out they take 101 in whatever order they go."""
    job = material_job(quantity=110)
    panel = line(job, "面板")
    a = share(job, cast.alice, 40)
    gone = services.assignment_offer(job=job, worker=cast.carol, pieces=10)
    services.assignment_decline(actor=cast.carol.user, assignment=gone)
    b = share(job, cast.bob, 30)
    c = share(job, cast.carol, 30)
    client.force_login(cast.head)
    assert post(client, job, "receive", line=panel.pk, quantity="101", note="整单").status_code == 302

    assert [post(client, job, "kit", share=s.pk).status_code for s in (c, a, b)] == [302] * 3

    issued = dict(Movement.objects.filter(job=job, kind="issue").values_list("assignment_id", "quantity"))
    assert issued == {c.pk: D("31"), a.pk: D("40"), b.pk: D("30")}
    assert Balance.objects.get(line=panel, holder_key="store").quantity == D("0")


def test_a_share_declined_after_others_had_their_kits_leaves_enough_for_whoever_takes_it(
    client, cast, issue_job
):
    """The trial's second case: 3 buttons a piece at 7 %, 81 pieces need 261. Shares of 20, 37 and 24; the
    first and last take their kits, the 37 are declined and offered again: the new share's kit is what is
    left, 261 in all."""
    job = services.job_accept(
        actor=cast.head, job=issue_job(quantity=81, bom=[BomInput("纽扣", "ge", "3", "7")])
    )
    button = line(job, "纽扣")
    a = share(job, cast.alice, 20)
    declined = services.assignment_offer(job=job, worker=cast.bob, pieces=37)
    c = share(job, cast.carol, 24)
    client.force_login(cast.head)
    assert post(client, job, "receive", line=button.pk, quantity="261", note="整单").status_code == 302
    assert [post(client, job, "kit", share=s.pk).status_code for s in (a, c)] == [302] * 2
    services.assignment_decline(actor=cast.bob.user, assignment=declined)
    again = share(job, cast.bob, 37)

    assert post(client, job, "kit", share=again.pk).status_code == 302

    issued = Movement.objects.filter(job=job, kind="issue").values_list("quantity", flat=True)
    assert sum(issued) == D("261")
    assert Balance.objects.get(line=button, holder_key="store").quantity == D("0")


def test_a_worker_still_at_work_shows_no_loss_yet(client, cast, material_job):
    # Found by a fresh-user trial: her whole kit in hand read as 损耗 while she was still making the pieces.
    job = material_job(quantity=100)
    panel = line(job, "面板")
    ledger.material_receive(line=panel, quantity_received=101, actor=cast.head)
    a = share(job, cast.alice, 100)
    ledger.kit_issue(assignment=a, actor=cast.head)
    report(a, 30)
    client.force_login(cast.head)

    row = worker_row(client.get(url(job)).content.decode(), cast.alice.pk)
    assert re.search(r'data-fig="loss"><span class="muted">—</span>', row)

    report(a, 70)
    row = worker_row(client.get(url(job)).content.decode(), cast.alice.pk)
    assert 'data-fig="loss">1<' in row
