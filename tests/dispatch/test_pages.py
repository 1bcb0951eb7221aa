"""The firm's and head's pages: who may open them, that foreign ids are 404s that write nothing, and the
happy path through every page (the workers' steps on their phone pages; those pages' own tests are in
tests/mobile/).

Tasks are never run here: ``delay_on_commit`` inside the test transaction never fires, so each step the
tasks would take (planning offers, completing, booking) is called directly as a service.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from dispatch import services
from dispatch.models import (
    Assignment,
    AssignmentState,
    FlowEvent,
    Inspection,
    InspectionResult,
    Job,
    JobState,
    PayLine,
    WorkReport,
)
from tests.conftest import tomorrow
from tests.factories import CommunityAdminFactory, LineFactory, UserFactory
from workshop.models import Worker


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def accepted_job(cast, issue_job, **kw) -> Job:
    job = issue_job(**kw)
    services.job_accept(actor=cast.head, job=job)
    return job


def offer(job, worker, pieces: int = 100) -> Assignment:
    return services.assignment_offer(job=job, worker=worker, pieces=pieces)


def row(model, pk) -> dict:
    return model.objects.values().get(pk=pk)


# --- home, login, logout, language ---------------------------------------------------------------------


def test_home_sends_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.parametrize(
    "who, target",
    [
        ("alice", "/m/"),
        ("head", "/dashboard/"),
        ("clerk", "/dashboard/"),
        ("superuser", "/admin/"),
        ("community", "/dashboard/"),
    ],
)
def test_home_redirects_by_role(client, cast, who, target):
    if who == "alice":
        user = cast.alice.user
    elif who == "superuser":
        user = UserFactory(username="root", is_superuser=True, is_staff=True)
    elif who == "community":
        user = CommunityAdminFactory().user
    else:
        user = getattr(cast, who)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == target


def test_home_refuses_a_user_without_a_role(client, db):
    client.force_login(UserFactory(username="nobody"))
    response = client.get("/")
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_login_page_renders_in_chinese_without_secrets(client, db):
    response = client.get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "登录" in body and "用户名" in body and "密码" in body
    assert "pw-for-tests" not in body and "demo" not in body.lower()


def test_login_with_password_then_home(client, cast):
    response = client.post("/accounts/login/", {"username": "clerk", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/dashboard/"


def test_logout_is_post_only(client, cast):
    client.force_login(cast.clerk)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/firm/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/firm/").status_code == 302


def test_language_switch_sets_english(client, cast):
    client.force_login(cast.clerk)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/firm/"})
    assert response.status_code == 302
    assert response["Location"] == "/firm/"
    assert response.cookies["django_language"].value == "en"
    page = client.get("/firm/").content.decode()
    assert 'lang="en"' in page


# --- who may open what -------------------------------------------------------------------------------------


@pytest.fixture
def pages(cast, issue_job):
    """One of each page, for a job with an offer to alice."""
    job = accepted_job(cast, issue_job)
    offer(job, cast.alice)
    return {
        "firm_home": "/firm/",
        "firm_job_new": "/firm/jobs/new/",
        "firm_job": f"/firm/jobs/{job.pk}/",
        "head_home": "/head/",
        "head_job": f"/head/jobs/{job.pk}/",
    }


PAGE_ROLE = {
    "firm_home": "clerk",
    "firm_job_new": "clerk",
    "firm_job": "clerk",
    "head_home": "head",
    "head_job": "head",
}


def user_of(cast, who):
    return getattr(cast, who).user if who in ("alice", "bob", "carol", "mallory") else getattr(cast, who)


@pytest.mark.parametrize("page", PAGE_ROLE)
def test_each_page_renders_for_its_role(client, cast, pages, page):
    client.force_login(user_of(cast, PAGE_ROLE[page]))
    response = client.get(pages[page])
    assert response.status_code == 200
    assert '<meta name="viewport"' in response.content.decode()


@pytest.mark.parametrize("page", PAGE_ROLE)
def test_each_page_sends_anonymous_to_login(client, pages, page):
    response = client.get(pages[page])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


WRONG_ROLE = [
    (page, who) for page in PAGE_ROLE for who in ("clerk", "head", "alice") if PAGE_ROLE[page] != who
]


@pytest.mark.parametrize("page, who", WRONG_ROLE)
def test_each_page_refuses_the_wrong_role(client, cast, pages, page, who):
    client.force_login(user_of(cast, who))
    assert client.get(pages[page]).status_code == 403


def test_post_only_urls_refuse_get(client, cast, issue_job):
    job = accepted_job(cast, issue_job)
    a = offer(job, cast.alice)
    client.force_login(cast.head)
    assert client.get(f"/head/jobs/{job.pk}/accept/").status_code == 405
    assert row(Assignment, a.pk)["state"] == AssignmentState.OFFERED


def test_posts_send_anonymous_to_login_and_write_nothing(client, cast, issue_job):
    job = issue_job()
    events = FlowEvent.objects.count()
    for url in (
        f"/head/jobs/{job.pk}/accept/",
        f"/head/jobs/{job.pk}/decline/",
        f"/firm/jobs/{job.pk}/cancel/",
        f"/firm/jobs/{job.pk}/inspect/",
    ):
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert Job.objects.get(pk=job.pk).state == JobState.ISSUED
    assert FlowEvent.objects.count() == events


# --- foreign objects are 404s and nothing is written --------------------------------------------------------


def test_firm_staff_of_another_firm_get_404_and_write_nothing(client, cast, issue_job):
    job = issue_job()
    before, events = row(Job, job.pk), FlowEvent.objects.count()
    client.force_login(cast.eve)

    assert client.get(f"/firm/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/firm/jobs/{job.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert client.post(f"/firm/jobs/{job.pk}/inspect/", {}).status_code == 404

    assert row(Job, job.pk) == before
    assert FlowEvent.objects.count() == events
    assert Inspection.objects.count() == 0
    listing = client.get("/firm/")
    assert listing.status_code == 200
    assert job.title not in listing.content.decode()


def test_firm_staff_of_another_firm_cannot_inspect(client, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(100,))
    a = job.assignments.get()
    before = row(Job, job.pk)
    client.force_login(cast.eve)
    data = {f"a{a.pk}-passed": 100, f"a{a.pk}-rejected": 0, f"a{a.pk}-rework": 0}
    assert client.post(f"/firm/jobs/{job.pk}/inspect/", data).status_code == 404
    assert Inspection.objects.count() == 0
    assert row(Job, job.pk) == before


def test_head_of_another_workshop_gets_404_and_writes_nothing(client, cast, issue_job):
    job = issue_job()
    other_head = cast.mallory.workshop.head
    before, events = row(Job, job.pk), FlowEvent.objects.count()
    client.force_login(other_head)

    assert client.get("/head/").status_code == 200
    assert job.title not in client.get("/head/").content.decode()
    assert client.get(f"/head/jobs/{job.pk}/").status_code == 404
    assert client.post(f"/head/jobs/{job.pk}/accept/").status_code == 404
    assert client.post(f"/head/jobs/{job.pk}/decline/", {"reason": "x"}).status_code == 404

    assert row(Job, job.pk) == before
    assert FlowEvent.objects.count() == events


def test_worker_phone_is_masked_on_head_page_and_absent_from_firm_page(client, cast, issue_job):
    job = accepted_job(cast, issue_job)
    offer(job, cast.alice)
    national = str(cast.alice.phone.national_number)
    client.force_login(cast.head)
    page = client.get(f"/head/jobs/{job.pk}/").content.decode()
    assert cast.alice.phone_masked in page
    assert national not in page
    client.force_login(cast.clerk)
    page = client.get(f"/firm/jobs/{job.pk}/").content.decode()
    assert "alice" in page
    assert national not in page and cast.alice.phone_masked not in page


# --- the firm's pages -------------------------------------------------------------------------------------


def test_issue_form_offers_only_paired_workshops_and_lines(client, cast):
    unpaired_line = LineFactory(firm=cast.firm, name="未结对线")
    client.force_login(cast.clerk)
    form = client.get("/firm/jobs/new/").context["form"]
    assert list(form.fields["workshop"].queryset) == [cast.ws]
    assert list(form.fields["line"].queryset) == [cast.line]
    assert unpaired_line not in form.fields["line"].queryset


def issue_data(cast, **kw):
    data = {
        "workshop": cast.ws.pk,
        "line": cast.line.pk,
        "title": "开关面板装配",
        "quantity": 300,
        "piece_rate": "0.0350",
        "due_on": tomorrow().isoformat(),
        "instructions": "轻拿轻放",
    }
    data.update(kw)
    return data


def test_issue_refuses_a_foreign_line_or_workshop(client, cast):
    other_line = LineFactory(name="别家的线")
    client.force_login(cast.clerk)
    for bad in ({"line": other_line.pk}, {"workshop": cast.mallory.workshop.pk}):
        response = client.post("/firm/jobs/new/", issue_data(cast, **bad))
        assert response.status_code == 200
        assert response.context["form"].errors
    assert Job.objects.count() == 0


def test_issue_shows_the_services_refusal_and_keeps_the_form(client, cast):
    client.force_login(cast.clerk)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post("/firm/jobs/new/", issue_data(cast, due_on=yesterday))
    assert response.status_code == 200
    assert "交货日期不能早于今天" in response.content.decode()
    assert Job.objects.count() == 0


def test_firm_cancels_an_issued_job(client, cast, issue_job):
    job = issue_job()
    client.force_login(cast.clerk)
    assert "取消外发单" in client.get(f"/firm/jobs/{job.pk}/").content.decode()
    response = client.post(f"/firm/jobs/{job.pk}/cancel/", {"reason": "客户撤单"})
    assert response.status_code == 302
    assert response["Location"] == f"/firm/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert FlowEvent.objects.filter(job=job, to_state=JobState.CANCELLED, note="客户撤单").exists()


def test_cancel_after_work_started_is_refused_with_a_message(client, cast, issue_job):
    job = accepted_job(cast, issue_job)
    services.assignment_accept(actor=cast.alice.user, assignment=offer(job, cast.alice))
    client.force_login(cast.clerk)
    assert "取消外发单" not in client.get(f"/firm/jobs/{job.pk}/").content.decode()
    response = client.post(f"/firm/jobs/{job.pk}/cancel/")
    assert response.status_code == 302
    assert any("生产中" in m for m in messages_of(response))
    assert Job.objects.get(pk=job.pk).state == JobState.IN_PROGRESS


def inspecting_job(cast, issue_job, pieces=(100, 100, 100)) -> Job:
    """A job whose assignments (alice, bob, carol: ``pieces`` each) are done and sent for inspection."""
    job = accepted_job(cast, issue_job, quantity=sum(pieces))
    for worker, n in zip((cast.alice, cast.bob, cast.carol), pieces, strict=False):
        a = offer(job, worker, n)
        services.assignment_accept(actor=worker.user, assignment=a)
        services.work_report(actor=worker.user, assignment=a, pieces=n, key=uuid.uuid4().hex)
    services.job_complete(job=job)
    services.job_submit_for_inspection(job=job)
    job.refresh_from_db()
    return job


def test_bad_inspection_totals_are_refused_and_write_nothing(client, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(100,))
    a = job.assignments.get()
    client.force_login(cast.clerk)
    data = {f"a{a.pk}-passed": 90, f"a{a.pk}-rejected": 5, f"a{a.pk}-rework": 0}
    response = client.post(f"/firm/jobs/{job.pk}/inspect/", data)
    assert response.status_code == 302
    assert any("合格+不合格应等于送检的 100 件" in m for m in messages_of(response))
    assert Inspection.objects.count() == InspectionResult.objects.count() == 0
    assert Job.objects.get(pk=job.pk).state == JobState.INSPECTING
    assert row(Assignment, a.pk)["pieces_passed"] == 0


def test_inspection_form_with_missing_numbers_is_refused(client, cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(100,))
    client.force_login(cast.clerk)
    response = client.post(f"/firm/jobs/{job.pk}/inspect/", {})
    assert response.status_code == 302
    assert messages_of(response)
    assert Inspection.objects.count() == 0


# --- the head's pages -------------------------------------------------------------------------------------


def test_head_declines_with_a_reason(client, cast, issue_job):
    job = issue_job()
    client.force_login(cast.head)
    response = client.post(f"/head/jobs/{job.pk}/decline/", {"reason": "人手不够", "next": "/head/"})
    assert response.status_code == 302
    assert response["Location"] == "/head/"
    job.refresh_from_db()
    assert job.state == JobState.DECLINED
    assert FlowEvent.objects.filter(
        job=job, to_state=JobState.DECLINED, note="人手不够", actor=cast.head
    ).exists()


def test_head_accepting_twice_gets_a_message_not_an_error(client, cast, issue_job):
    job = issue_job()
    client.force_login(cast.head)
    assert client.post(f"/head/jobs/{job.pk}/accept/").status_code == 302
    events = FlowEvent.objects.count()
    response = client.post(f"/head/jobs/{job.pk}/accept/")
    assert response.status_code == 302
    assert any("已接单" in m and "不能" in m for m in messages_of(response))
    assert FlowEvent.objects.count() == events


def test_next_must_be_local(client, cast, issue_job):
    job = issue_job()
    client.force_login(cast.head)
    response = client.post(f"/head/jobs/{job.pk}/accept/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/head/jobs/{job.pk}/"


def test_head_job_page_lists_assignments_and_timeline(client, cast, issue_job):
    job = accepted_job(cast, issue_job)
    offer(job, cast.bob, 120)
    client.force_login(cast.head)
    page = client.get(f"/head/jobs/{job.pk}/").content.decode()
    assert "bob" in page and "120" in page and "待接受" in page
    assert "已分发" in page and "已接单" in page  # timeline: issued → accepted
    assert "系统自动" in page  # the offer was made by the planner


# --- the whole flow through the pages -----------------------------------------------------------------------


def test_full_happy_path_through_the_pages(client, cast, settings):
    settings.NUANXIN_PLANNER = "first_come"  # the plain rule: an even three-way split to check against
    # Part-timers (6 h a week: a day's work is 60 pieces), so the planner splits 300 pieces three ways.
    Worker.objects.filter(pk__in=[cast.alice.pk, cast.bob.pk, cast.carol.pk]).update(hours_per_week=6)
    # The clerk issues.
    client.force_login(cast.clerk)
    response = client.post("/firm/jobs/new/", issue_data(cast))
    job = Job.objects.get()
    assert response["Location"] == f"/firm/jobs/{job.pk}/"
    assert (job.quantity, job.piece_rate, job.state) == (300, Decimal("0.0350"), JobState.ISSUED)
    assert job.issued_by == cast.clerk and job.workshop == cast.ws and job.line == cast.line

    # The head accepts; the planner (a task in production) offers the shares.
    client.force_login(cast.head)
    assert job.title in client.get("/head/").content.decode()
    client.post(f"/head/jobs/{job.pk}/accept/")
    job.refresh_from_db()
    assert job.state == JobState.ACCEPTED
    offers = services.job_plan_offers(job=job)
    assert sum(a.pieces for a in offers) == 300
    assert {a.worker for a in offers} == {cast.alice, cast.bob, cast.carol}

    # Each worker accepts and reports everything.
    for a in offers:
        client.force_login(a.worker.user)
        assert f"/m/a/{a.pk}/" in client.get("/m/").content.decode()
        client.post(f"/m/a/{a.pk}/accept/", {"next": "/m/"})
        key = client.get(f"/m/a/{a.pk}/").context["a"].report_key
        client.post(f"/m/a/{a.pk}/report/", {"pieces": a.pieces, "key": key})
        assert row(Assignment, a.pk)["state"] == AssignmentState.DONE
    assert WorkReport.objects.count() == 3

    # finish_job_if_done, as the task would.
    services.job_complete(job=job)
    services.job_submit_for_inspection(job=job)

    # The clerk inspects: 5 of alice's pieces fail for good, the rest pass.
    client.force_login(cast.clerk)
    page = client.get(f"/firm/jobs/{job.pk}/")
    assert len(page.context["inspection_rows"]) == 3
    data = {"notes": "抽检"}
    for a in offers:
        bad = 5 if a.worker == cast.alice else 0
        data |= {
            f"a{a.pk}-passed": a.pieces - bad,
            f"a{a.pk}-rejected": bad,
            f"a{a.pk}-rework": 0,
            f"a{a.pk}-reason": "划痕" if bad else "",
        }
    response = client.post(f"/firm/jobs/{job.pk}/inspect/", data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.INSPECTED

    # book_inspection, as the task would.
    services.inspection_book(inspection=Inspection.objects.get(job=job))
    job.refresh_from_db()
    assert job.state == JobState.SETTLED
    lines = {p.worker.name: p for p in PayLine.objects.select_related("worker")}
    assert set(lines) == {"alice", "bob", "carol"}
    assert sum(p.pieces_passed for p in lines.values()) == 295
    alice = lines["alice"]
    assert (alice.pieces_passed, alice.amount) == (95, Decimal("3.33"))  # 95 × 0.035 = 3.325, half-up
    assert lines["bob"].amount == Decimal("3.50")

    # Alice sees her pay; the firm sees the whole timeline.
    client.force_login(cast.alice.user)
    assert client.get("/m/").context["d"].today_yuan == alice.amount
    client.force_login(cast.clerk)
    page = client.get(f"/firm/jobs/{job.pk}/").content.decode()
    assert "已结算" in page and "送检中" in page and "已验收" in page
