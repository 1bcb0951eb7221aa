"""Bundle tickets on the dashboard: the head prints from the job page (A4 or thermal, name or number),
nobody else can; the firm's inspector scans, records and submits on the job's bundles page; the firm sets
the bundle size when issuing. Pages that list tickets cost the same queries for 3 and for 40 of them."""

from __future__ import annotations

import re
import uuid

import pytest

from dispatch import services
from dispatch.models import Assignment, AssignmentKind, Inspection, Job
from tests.conftest import tomorrow
from tests.tickets.helpers import accepted_share, bundled_job_in_inspection, printed_share
from tickets import services as tickets
from tickets.models import BundleTicket

pytestmark = pytest.mark.django_db


def _tickets() -> list:
    return list(BundleTicket.objects.order_by("pk").values_list("pk", "state", "inspected_at"))


def test_the_head_prints_a_shares_tickets_from_the_job_page(client, cast, issue_job):
    a = accepted_share(cast, issue_job, pieces=120, bundle_size=50)
    client.force_login(cast.head)

    job_page = client.get(f"/dashboard/jobs/{a.job_id}/").content.decode()
    assert f'data-print="{a.pk}"' in job_page
    printed = client.post(f"/dashboard/jobs/{a.job_id}/tickets/{a.pk}/print/", {"size": "a4", "show": "name"})

    assert printed.status_code == 302
    assert printed["Location"] == f"/dashboard/jobs/{a.job_id}/tickets/{a.pk}/?size=a4&show=name"
    sheet = client.get(printed["Location"]).content.decode()
    urls = re.findall(r'data-url="([^"]+)"', sheet)
    tokens = list(
        BundleTicket.objects.filter(assignment=a).order_by("number").values_list("token", flat=True)
    )
    assert urls == [f"http://testserver/m/b/{t}/" for t in tokens]
    assert sheet.count("<svg") == 3 and 'viewBox="0 0 37 37"' in sheet
    assert "第 3/3 扎" in sheet and "20 件" in sheet and "alice" in sheet
    assert "@page { size: A4; margin: 0; }" in sheet


def test_the_thermal_sheet_shows_a_number_instead_of_the_name_when_the_head_chooses(client, cast, issue_job):
    a, _printed = printed_share(cast, issue_job, pieces=60)
    client.force_login(cast.head)

    sheet = client.get(
        f"/dashboard/jobs/{a.job_id}/tickets/{a.pk}/?size=thermal&show=number"
    ).content.decode()

    assert "@page { size: 50mm 30mm; margin: 0; }" in sheet
    assert f"编号 {cast.alice.pk}" in sheet
    assert '<p class="who">alice</p>' not in sheet


def test_printing_twice_prints_the_same_tickets_and_a_reprint_voids_the_old(client, cast, issue_job):
    a = accepted_share(cast, issue_job, pieces=120)
    client.force_login(cast.head)
    url = f"/dashboard/jobs/{a.job_id}/tickets/{a.pk}/print/"
    client.post(url, {"size": "a4"})
    first = set(BundleTicket.objects.values_list("token", flat=True))

    client.post(url, {"size": "a4"})
    assert set(BundleTicket.objects.values_list("token", flat=True)) == first
    client.post(url, {"size": "a4", "run": "1"})

    assert set(BundleTicket.objects.filter(state="void").values_list("token", flat=True)) == first
    assert BundleTicket.objects.filter(state="open", run=2).count() == 3


@pytest.mark.parametrize("who, status", [("other_head", 404), ("eve", 404), ("clerk", 403), ("alice", 403)])
def test_printing_is_the_heads_alone(client, cast, issue_job, who, status):
    a, _printed = printed_share(cast, issue_job)
    user = {
        "other_head": cast.mallory.workshop.head,
        "eve": cast.eve,
        "clerk": cast.clerk,
        "alice": cast.alice.user,
    }[who]
    client.force_login(user)
    before = _tickets()

    assert (
        client.post(f"/dashboard/jobs/{a.job_id}/tickets/{a.pk}/print/", {"run": "1"}).status_code == status
    )
    assert client.get(f"/dashboard/jobs/{a.job_id}/tickets/{a.pk}/").status_code == status
    assert _tickets() == before


def test_a_share_of_another_job_is_not_found_under_this_one(client, cast, issue_job):
    a, _printed = printed_share(cast, issue_job)
    other = accepted_share(cast, issue_job, worker=cast.bob)
    client.force_login(cast.head)

    assert client.post(f"/dashboard/jobs/{a.job_id}/tickets/{other.pk}/print/").status_code == 404
    assert client.get(f"/dashboard/jobs/{a.job_id}/tickets/{other.pk}/").status_code == 404
    assert not BundleTicket.objects.filter(assignment=other).exists()


@pytest.mark.parametrize("pieces", [150, 2000])  # 3 and 40 tickets
def test_the_sheet_and_the_job_page_cost_the_same_queries_for_3_and_40_tickets(
    client, cast, issue_job, django_assert_num_queries, pieces
):
    a, printed = printed_share(cast, issue_job, pieces=pieces, bundle_size=50)
    client.force_login(cast.head)
    client.get("/dashboard/")  # the session and the user's scope are warm, as on a real visit

    with django_assert_num_queries(6):
        sheet = client.get(f"/dashboard/jobs/{a.job_id}/tickets/{a.pk}/")
    # The job page also reads the job's bill of materials (one query), and its rate against the minimum
    # hourly wage (two: the workshop's speeds, taken for the day by the home page above, and the
    # minimum-wage rows), and for the head the shares' reports she may correct (one); the inbox's unread
    # count in the header (one); and whether the firm sees workers by number, so the labels show numbers
    # first (one).
    with django_assert_num_queries(14):
        page = client.get(f"/dashboard/jobs/{a.job_id}/")

    assert sheet.content.decode().count("data-url=") == len(printed)
    assert f"待报工 {len(printed)} 张" in page.content.decode()


@pytest.mark.parametrize("shares", [(120, 60), (1000, 1000)])  # 5 and 40 reported bundles
def test_the_bundles_page_costs_the_same_queries_for_5_and_40_bundles(
    client, cast, issue_job, django_assert_num_queries, shares
):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=shares)
    client.force_login(cast.clerk)
    client.get("/dashboard/")

    # Eight, one for how the head shows her workers to this firm (by name or by number), and one for the
    # inbox's unread count in the header.
    with django_assert_num_queries(9):
        page = client.get(f"/dashboard/jobs/{job.pk}/bundles/?t={bundles[0].token}")

    assert page.content.decode().count("data-bundle=") == len(bundles)


def _rework_passed_on_twice(cast, issue_job, pieces=(120, 60)):
    """Bundles inspected by bundle: 16 of alice's first bundle sent back to her for rework; she reworked 4,
    the head passed the other 12 to bob, who reworked 2 and was passed over for carol (the other 10).
    Returns the job, its tickets and the three rework shares in the order handed."""
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=pieces)
    for i, t in enumerate(bundles):
        rejected = 16 if i == 0 else 0
        tickets.bundle_verdict_record(
            actor=cast.clerk,
            job=job,
            token=t.token,
            passed=t.pieces - rejected,
            rejected=rejected,
            rework=rejected,
            reason="毛刺" if rejected else "",
        )
    services.inspection_book(inspection=tickets.bundle_inspection_submit(actor=cast.clerk, job=job))
    alices = Assignment.objects.get(job=job, kind=AssignmentKind.REWORK)
    services.work_report(actor=cast.alice.user, assignment=alices, pieces=4, key=uuid.uuid4().hex)
    bobs = services.rework_pass_on(
        actor=cast.head, assignment=alices, worker=cast.bob, rest=12, reason="生病"
    )
    services.work_report(actor=cast.bob.user, assignment=bobs, pieces=2, key=uuid.uuid4().hex)
    carols = services.rework_pass_on(
        actor=cast.head, assignment=bobs, worker=cast.carol, rest=10, reason="外出"
    )
    return job, bundles, (alices, bobs, carols)


def test_the_bundles_page_shows_where_a_bundles_rework_was_passed_on(client, cast, issue_job):
    """Found in a trial: the row said only 返工 4 件 · 已完成 of alice's rework, and not that the head had
    passed the other 12 on (转给别人返工), so the firm's 16 seemed to have shrunk to 4."""
    job, bundles, (alices, bobs, carols) = _rework_passed_on_twice(cast, issue_job)
    client.force_login(cast.head)

    html = client.get(f"/dashboard/jobs/{job.pk}/bundles/").content.decode()

    row = re.search(rf'<tr data-bundle="{bundles[0].pk}".*?</tr>', html, re.S).group(0)
    cell = row.split("data-rework=")[1]
    said = [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in cell.split("<br>")]
    assert said == [
        f'"{alices.pk}">返工 4 件 · 已完成',
        "转给 bob 返工 2 件 · 已完成",
        "转给 carol 返工 10 件 · 进行中",
    ]
    assert f'data-passed-on="{bobs.pk}"' in row and f'data-passed-on="{carols.pk}"' in row
    bobs_row = re.search(rf'<tr data-bundle="{bundles[-1].pk}".*?</tr>', html, re.S).group(0)
    assert "data-rework=" not in bobs_row and "data-passed-on" not in bobs_row
    # Her second bundle passed whole: it tells no rework (a trial read every bundle of hers as sent back).
    assert bundles[1].assignment_id == bundles[0].assignment_id
    second = re.search(rf'<tr data-bundle="{bundles[1].pk}".*?</tr>', html, re.S).group(0)
    assert "data-rework=" not in second and "data-passed-on" not in second
    client.cookies["django_language"] = "en"
    html = client.get(f"/dashboard/jobs/{job.pk}/bundles/").content.decode()
    assert "passed to carol: rework 10 pieces · " in html


@pytest.mark.parametrize("shares", [(120, 60), (1000, 1000)])  # 5 and 40 reported bundles
def test_the_bundles_page_with_passed_on_rework_costs_the_same_queries_for_5_and_40_bundles(
    client, cast, issue_job, django_assert_num_queries, shares
):
    job, bundles, _reworks = _rework_passed_on_twice(cast, issue_job, pieces=shares)
    client.force_login(cast.clerk)
    client.get("/dashboard/")

    # The job is inspected, so no scan box and no scanned ticket (eight, as above less the scan), and one
    # for the shares the rework was passed on to.
    with django_assert_num_queries(9):
        page = client.get(f"/dashboard/jobs/{job.pk}/bundles/?t={bundles[0].token}")

    # Told on the one bundle the firm sent back for rework, not on each of alice's (a trial).
    assert page.content.decode().count("data-passed-on=") == 2


def test_the_inspector_scans_records_and_submits_on_the_bundles_page(client, cast, issue_job):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(120, 60))
    client.force_login(cast.clerk)
    url = f"/dashboard/jobs/{job.pk}/bundles/"

    page = client.get(url)
    assert "已验 0 / 5 扎" in page.content.decode()
    for i, t in enumerate(bundles):
        scanned = client.get(url, {"t": f"http://nuanxin.example/m/b/{t.token}/"})  # a hand scanner types it
        assert f'data-found="{t.token}"' in scanned.content.decode()
        verdict = {"action": "verdict", "token": t.token, "passed": t.pieces, "rejected": 0, "rework": 0}
        if i == 1:
            verdict.update(passed=t.pieces - 3, rejected=3, rework=3, reason="脱线")
        done = client.post(url, verdict, follow=True)
        assert "请扫下一扎" in done.content.decode()
    assert "已验 5 / 5 扎" in client.get(url).content.decode()

    submitted = client.post(url, {"action": "submit", "notes": ""})

    assert submitted.status_code == 302 and submitted["Location"] == f"/dashboard/jobs/{job.pk}/"
    result = Inspection.objects.get().results.get(assignment__worker=cast.alice)
    assert (result.pieces_passed, result.pieces_rejected, result.pieces_rework) == (117, 3, 3)


def test_a_verdict_that_does_not_add_up_is_refused_in_words(client, cast, issue_job):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(50,))
    client.force_login(cast.clerk)
    url = f"/dashboard/jobs/{job.pk}/bundles/"

    response = client.post(
        url,
        {"action": "verdict", "token": bundles[0].token, "passed": 40, "rejected": 5, "reason": "毛刺"},
        follow=True,
    )

    assert "合格 + 不合格要等于 50" in response.content.decode()
    assert not BundleTicket.objects.filter(inspected_at__isnull=False).exists()
    assert client.get(url, {"t": "nosuchticket0000"}).status_code == 404


@pytest.mark.parametrize("who, status", [("head", 403), ("eve", 404), ("other_head", 404)])
def test_only_the_firm_records_verdicts_on_the_bundles_page(client, cast, issue_job, who, status):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(50,))
    user = {"head": cast.head, "eve": cast.eve, "other_head": cast.mallory.workshop.head}[who]
    client.force_login(user)
    before = _tickets()

    url = f"/dashboard/jobs/{job.pk}/bundles/"
    verdict = {"action": "verdict", "token": bundles[0].token, "passed": 50, "rejected": 0}
    assert client.post(url, verdict).status_code == status
    assert client.post(url, {"action": "submit"}).status_code == status
    assert _tickets() == before and not Inspection.objects.exists()


def test_the_head_sees_the_jobs_bundles_but_no_scan_box(client, cast, issue_job):
    job, bundles = bundled_job_in_inspection(cast, issue_job, pieces=(50,))
    client.force_login(cast.head)

    html = client.get(f"/dashboard/jobs/{job.pk}/bundles/", {"t": bundles[0].token}).content.decode()

    assert f'data-bundle="{bundles[0].pk}"' in html
    assert "data-scan" not in html and "data-found" not in html


def test_the_firm_sets_the_bundle_size_when_issuing(client, cast):
    client.force_login(cast.clerk)
    form = client.get("/dashboard/jobs/new/").content.decode()
    assert 'name="bundle_size"' in form and 'value="50"' in form

    response = client.post(
        "/dashboard/jobs/new/",
        {
            "workshop": cast.ws.pk,
            "line": cast.line.pk,
            "title": "包装盒",
            "quantity": 100,
            "piece_rate": "0.05",
            "due_on": tomorrow().isoformat(),
            "bundle_size": 25,
        },
    )

    assert response.status_code == 302
    assert Job.objects.get().bundle_size == 25


def test_a_bundle_size_of_zero_is_refused_on_the_issue_form(client, cast):
    client.force_login(cast.clerk)
    response = client.post(
        "/dashboard/jobs/new/",
        {
            "workshop": cast.ws.pk,
            "line": cast.line.pk,
            "title": "包装盒",
            "quantity": 100,
            "piece_rate": "0.05",
            "due_on": tomorrow().isoformat(),
            "bundle_size": 0,
        },
    )

    assert response.status_code == 200 and not Job.objects.exists()
