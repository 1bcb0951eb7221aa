"""The head chooses how a paired firm sees the workshop's workers: by name, or by the number printed on
their bundle tickets ("12号坊工"). Set on the firm's page of the dashboard, kept as a record of who changed
it and when; the firm's pages, messages and spreadsheets follow at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dispatch import services
from tests.dashboard.helpers import inspecting_job
from tests.pages import without_tokens
from workshop.models import Pairing, PairingChange
from workshop.pairings import pairing_show_workers
from workshop.roles import scope_for


def shows(pairing) -> str:
    return "name" if Pairing.objects.get(pk=pairing.pk).firm_sees_names else "number"


def test_the_head_shows_her_workers_to_the_firm_by_number_and_the_change_is_kept(client, cast):
    client.force_login(cast.head)
    page = client.get(f"/dashboard/firms/{cast.firm.pk}/").content.decode()
    assert f'action="/dashboard/pairings/{cast.pairing.pk}/workers/"' in page

    response = client.post(f"/dashboard/pairings/{cast.pairing.pk}/workers/", {"by": "number"}, follow=True)

    assert shows(cast.pairing) == "number"
    change = PairingChange.objects.get()
    assert (change.pairing_id, change.before, change.after, change.changed_by) == (
        cast.pairing.pk,
        "name",
        "number",
        cast.head,
    )
    page = response.content.decode()
    assert "现在只看到" in page and "企业看到坊工:姓名 → 编号" in page


def test_choosing_what_is_already_set_writes_no_record(cast):
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="name")
    assert PairingChange.objects.count() == 0
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="number")
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="number")
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="name")
    assert list(PairingChange.objects.order_by("pk").values_list("before", "after")) == [
        ("name", "number"),
        ("number", "name"),
    ]


def test_only_the_head_or_the_community_decides(cast):
    for someone in (cast.clerk, cast.mallory.workshop.head, cast.eve, cast.alice.user):
        with pytest.raises(PermissionDenied):
            pairing_show_workers(actor=someone, pairing=cast.pairing, by="number")
    with pytest.raises(ValidationError):
        pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="nickname")
    assert shows(cast.pairing) == "name" and not PairingChange.objects.exists()


def test_the_firm_sees_the_choice_but_cannot_change_it(client, cast):
    client.force_login(cast.clerk)
    page = client.get(f"/dashboard/firms/{cast.firm.pk}/").content.decode()
    assert f'data-workers-shown="{cast.pairing.pk}">姓名' in page and "/workers/" not in page
    assert client.post(f"/dashboard/pairings/{cast.pairing.pk}/workers/", {"by": "number"}).status_code == 403
    assert shows(cast.pairing) == "name"


def test_a_firm_sees_numbers_on_the_job_page_and_in_the_timeline(client, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(10, 10), title="编号单")
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="number")
    client.force_login(cast.clerk)
    page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert f"{cast.alice.pk}号坊工" in page and f"{cast.bob.pk}号坊工" in page
    assert "alice" not in without_tokens(page) and "bob" not in without_tokens(page)
    # The head still sees names, with each worker's number on her own page.
    client.force_login(cast.head)
    assert "alice" in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    worker_page = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()
    assert f"<dd data-number>{cast.alice.pk} " in worker_page


def test_another_firm_paired_with_the_same_workshop_keeps_its_own_choice(cast):
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="number")
    other = Pairing.objects.create(firm=scope_for(cast.eve).firm, workshop=cast.ws, signed_on="2025-01-01")
    assert scope_for(cast.clerk).worker_label(cast.alice) == f"{cast.alice.pk}号坊工"
    assert scope_for(cast.eve).worker_label(cast.alice) == "alice"
    assert other.firm_sees_names
    assert scope_for(cast.head).worker_label(cast.alice) == "alice"


def test_ticket_labels_default_to_numbers_for_a_firm_that_sees_numbers(client, cast, issue_job):
    job = issue_job(quantity=20)
    services.job_accept(actor=cast.head, job=job)
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=20)
    services.assignment_accept(actor=cast.alice.user, assignment=share)
    client.force_login(cast.head)
    assert '<option value="number" selected>' not in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="number")
    assert '<option value="number" selected>' in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()


def test_a_firm_reads_numbers_where_a_correction_names_a_worker(client, cast, issue_job):
    """A head's correction reason naming workers (one with a share, one without) reaches a firm that sees
    numbers with the numbers in their place: the results, the inspections' notes, the timeline and the
    inspections list. The head still reads the names."""
    from tests.pay.conftest import booked

    job, (alice_share, _bob) = booked(cast, issue_job)
    result = alice_share.inspection_results.get()
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="number")
    services.result_correct(
        actor=cast.head, result=result, passed=120, rejected=10, reason="alice点错了,carol 复点 10 件"
    )
    alice, carol = f"{cast.alice.pk}号坊工", f"{cast.carol.pk}号坊工"
    client.force_login(cast.clerk)
    for url in (f"/dashboard/jobs/{job.pk}/", "/dashboard/inspections/"):
        page = client.get(url).content.decode()
        assert f"{alice}点错了,{carol} 复点 10 件" in page, url
        assert "alice" not in without_tokens(page) and "carol" not in without_tokens(page), url
    client.force_login(cast.head)
    page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "alice点错了,carol 复点 10 件" in page


def test_unname_matches_whole_latin_names_and_the_longest_chinese_name(cast):
    cast.alice.name, cast.bob.name = "王芳", "王芳芳"
    cast.alice.save(update_fields=["name"])
    cast.bob.save(update_fields=["name"])
    cast.carol.name = "Ann"
    cast.carol.save(update_fields=["name"])
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="number")
    scope = scope_for(cast.clerk)
    a, b, c = (f"{w.pk}号坊工" for w in (cast.alice, cast.bob, cast.carol))
    assert scope.unname("王芳芳和王芳, Ann; Annual") == f"{b}和{a}, {c}; Annual"
    # By her given name too (王芳芳 → 芳芳), not a two-character name's one character.
    assert scope.unname("芳芳姐帮忙复核") == f"{b}姐帮忙复核"
    assert scope_for(cast.head).unname("王芳芳和王芳") == "王芳芳和王芳"


def test_a_wrong_inspection_row_is_named_by_number_to_a_firm_that_sees_numbers(client, cast, issue_job):
    """Found in review: the refusal of a wrong row named the worker in full to a firm that sees numbers."""
    pairing_show_workers(actor=cast.head, pairing=cast.pairing, by="number")
    job = inspecting_job(cast, issue_job, pieces=(100,))
    a = job.assignments.get()
    client.force_login(cast.clerk)
    data = {"mode": "assignment", f"a{a.pk}-passed": 100, f"a{a.pk}-rejected": "-1", f"a{a.pk}-rework": 0}
    page = client.post(f"/dashboard/jobs/{job.pk}/inspect/", data).content.decode()
    label = scope_for(cast.clerk).worker_label(a.worker)
    assert f"{label} 这一行:" in page
    assert a.worker.name not in without_tokens(page)
