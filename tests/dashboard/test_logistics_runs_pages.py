"""The day's runs (配送趟次) on the dashboard: the runs page (stops in order with clock times, exceptions
and reasons, short collections; constant query counts), planning a day and its refusals in words,
finishing a run; and the printed delivery note's QR decoded at print size. Who may open them:
``test_logistics_pages``."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import services
from dispatch.models import Assignment
from logistics import services as logistics
from logistics.models import Run, RunState, Stop, StopLine, StopState
from tests.dashboard.logistics_world import TODAY, depot_with_courier, run_by_hand, snapshot
from tests.factories import CommunityAdminFactory, UserFactory
from tests.lots import completed
from tests.tickets.printing import decode, page_size_mm, print_pdf, rasterise
from tests.web.test_dashboard_browser import sign_in


@pytest.fixture
def admin(cast):
    return CommunityAdminFactory(user=UserFactory(username="admin")).user


def test_the_runs_page_shows_stops_in_order_with_clock_times_exceptions_and_reasons(client, cast):
    courier, vehicle = depot_with_courier(cast)
    run = run_by_hand(cast, vehicle, courier, 4)
    client.force_login(cast.head)

    response = client.get(f"/dashboard/runs/{TODAY().isoformat()}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "一号三轮" in html and "王师傅" in html and "约 5.4 公里,75 分钟" in html
    assert "完成 1,未办成 1,待办 1,未排上 1" in html
    assert "08:40" in html and "09:00" in html  # start 08:30 + 10 and + 30 minutes
    assert "要装 12 箱,车最多装 8 箱,请分两次或换车" in html
    assert "敲门没人" in html
    shown = response.context["workshops"][0].day_runs[0]
    assert [s.seq for s in shown.ordered] == [1, 2, 3]
    assert [s.exception for s in shown.ordered] == [False, True, False]
    assert f'data-run="{run.pk}"' in html and 'data-action="finish"' in html
    history = response.context["history"]
    assert [(h["pk"], h["stops"], h["done"], h["missed"], h["unscheduled"]) for h in history] == [
        (run.pk, 3, 1, 1, 1)
    ]
    assert client.get("/dashboard/runs/").status_code == 200


def test_a_run_whose_courier_was_stopped_says_so(client, cast):
    courier, vehicle = depot_with_courier(cast)
    run_by_hand(cast, vehicle, courier, 2)
    client.force_login(cast.head)
    assert "data-courier-stopped" not in client.get("/dashboard/runs/").content.decode()

    client.post(f"/dashboard/logistics/couriers/{courier.pk}/active/", {"stop": "1", "reason": "离岗"})

    assert "data-courier-stopped" in client.get("/dashboard/runs/").content.decode()


def test_a_short_collection_is_marked(client, cast, issue_job):
    courier, vehicle = depot_with_courier(cast)
    run = run_by_hand(cast, vehicle, courier, 2)
    job = issue_job(quantity=50)
    services.job_accept(actor=cast.head, job=job)
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=50)
    stop = Stop.objects.create(run=run, seq=9, kind="collect", state=StopState.COLLECTED, worker=cast.alice)
    StopLine.objects.create(stop=stop, assignment=share, pieces=50)
    stop.collections.create(assignment=share, pieces=45, by=cast.head)
    client.force_login(cast.head)
    html = client.get("/dashboard/runs/").content.decode()
    assert "少收 5 件" in html


def test_the_runs_page_costs_the_same_queries_with_2_and_8_stops(client, cast, admin):
    courier, vehicle = depot_with_courier(cast)
    client.force_login(admin)

    def count(n: int) -> int:
        Run.objects.all().delete()
        run_by_hand(cast, vehicle, courier, n)
        run_by_hand(cast, vehicle, courier, n, day=TODAY() - dt.timedelta(days=3))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/dashboard/runs/").status_code == 200
        return len(ctx)

    assert count(2) == count(8)


@pytest.mark.parametrize(
    "prepare, words",
    [
        (lambda cast: None, "请先在配送设置里填好工坊的位置"),
        (
            lambda cast: logistics.depot_set(actor=cast.head, workshop=cast.ws, lat="30.53", lng="120.94"),
            "请先登记一辆车",
        ),
    ],
)
def test_planning_is_refused_in_words(client, cast, prepare, words):
    prepare(cast)
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/runs/{TODAY().isoformat()}/plan/", {"workshop": cast.ws.pk}, follow=True
    )
    assert words in response.content.decode()
    assert not Run.objects.exists()


def test_planning_a_day_with_a_run_under_way_is_refused(client, cast):
    courier, vehicle = depot_with_courier(cast)
    run_by_hand(cast, vehicle, courier, 3)
    before = snapshot()
    client.force_login(cast.head)
    response = client.post(
        f"/dashboard/runs/{TODAY().isoformat()}/plan/", {"workshop": cast.ws.pk}, follow=True
    )
    assert "今天已经有车出发了,不能重新排线" in response.content.decode()
    assert snapshot() == before


def test_head_plans_the_day_and_a_home_collection_becomes_a_stop(client, cast, issue_job):
    courier, vehicle = depot_with_courier(cast)
    place, _c = logistics.place_save(actor=cast.head, workshop=cast.ws, name="3幢", lat="30.54", lng="120.95")
    logistics.residence_set(actor=cast.head, worker=cast.alice, place=place, room="301")
    job = issue_job(quantity=40)
    services.job_accept(actor=cast.head, job=job)
    share = services.assignment_offer(job=job, worker=cast.alice, pieces=40)
    services.assignment_accept(actor=cast.alice.user, assignment=share)
    services.work_report(actor=cast.alice.user, assignment=share, pieces=40, key=uuid.uuid4().hex)
    Assignment.objects.filter(pk=share.pk).update(delivery="home")
    client.force_login(cast.head)

    response = client.post(
        f"/dashboard/runs/{TODAY().isoformat()}/plan/", {"workshop": cast.ws.pk}, follow=True
    )

    run = Run.objects.get()
    assert (run.vehicle, run.courier, run.state) == (vehicle, courier, RunState.PLANNED)
    assert list(run.stops.values_list("kind", "worker", "seq")) == [("collect", cast.alice.pk, 1)]
    assert "已排线:1 趟,1 站" in response.content.decode()


def test_head_finishes_a_run_under_way_and_a_planned_one_is_refused(client, cast):
    courier, vehicle = depot_with_courier(cast)
    run = run_by_hand(cast, vehicle, courier, 2)
    client.force_login(cast.head)
    assert client.post(f"/dashboard/runs/run/{run.pk}/finish/").status_code == 302
    run.refresh_from_db()
    assert run.state == RunState.DONE
    planned = run_by_hand(cast, vehicle, courier, 2, day=TODAY() + dt.timedelta(days=1))
    Run.objects.filter(pk=planned.pk).update(state=RunState.PLANNED)
    response = client.post(f"/dashboard/runs/run/{planned.pk}/finish/", follow=True)
    assert "不能变为“已完成”" in response.content.decode()
    assert Run.objects.get(pk=planned.pk).state == RunState.PLANNED


def test_a_past_day_is_not_planned_and_a_bad_day_is_404(client, cast):
    depot_with_courier(cast)
    client.force_login(cast.head)
    yesterday = (TODAY() - dt.timedelta(days=1)).isoformat()
    response = client.post(f"/dashboard/runs/{yesterday}/plan/", {"workshop": cast.ws.pk}, follow=True)
    assert "不能给过去的日子排线" in response.content.decode()
    assert client.get("/dashboard/runs/2024-13-40/").status_code == 404


def test_a_run_that_set_off_shows_clock_times_from_when_it_left_and_no_plan_button(client, cast):
    """Found in a trial: a run started at 14:2x showed its first stop at 08:31 on the head's page (the
    courier's phone said 14:25), and a 重新排线 button the service always refused."""
    courier, vehicle = depot_with_courier(cast)
    run = run_by_hand(cast, vehicle, courier, 2)
    left = timezone.make_aware(dt.datetime.combine(TODAY(), dt.time(14, 20)))
    Run.objects.filter(pk=run.pk).update(started_at=left)
    client.force_login(cast.head)

    html = client.get(f"/dashboard/runs/{TODAY().isoformat()}/").content.decode()

    assert "14:30" in html and "08:40" not in html  # set off 14:20, first stop 10 minutes on
    assert 'data-action="plan"' not in html and "data-set-off" in html


def test_a_run_planned_in_the_afternoon_shows_clock_times_from_when_it_was_planned(client, cast, monkeypatch):
    """A run planned at 14:00 for today showed its first stop at 08:40 (the depot's 08:30) on the head's
    page until the courier set off."""
    courier, vehicle = depot_with_courier(cast)
    run = run_by_hand(cast, vehicle, courier, 2)
    two_pm = timezone.make_aware(dt.datetime.combine(TODAY(), dt.time(14, 0)))
    Run.objects.filter(pk=run.pk).update(state=RunState.PLANNED, planned_at=two_pm)
    monkeypatch.setattr(timezone, "now", lambda: two_pm + dt.timedelta(minutes=40))  # opened at 14:40
    client.force_login(cast.head)

    html = client.get(f"/dashboard/runs/{TODAY().isoformat()}/").content.decode()

    assert "14:10" in html and "08:40" not in html  # planned at 14:00, first stop 10 minutes on


# --- the printed delivery note ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_printed_delivery_notes_qr_decodes_to_its_link_which_only_the_jobs_firm_opens(
    desk, client, cast, issue_job
):
    job = issue_job(quantity=60, title="开关面板装配")
    services.job_accept(actor=cast.head, job=job)
    for worker, n in ((cast.alice, 40), (cast.bob, 20)):
        share = services.assignment_offer(job=job, worker=worker, pieces=n)
        services.assignment_accept(actor=worker.user, assignment=share)
        services.work_report(actor=worker.user, assignment=share, pieces=n, key=uuid.uuid4().hex)
    completed(job)
    note = logistics.note_prepare(actor=cast.head, job=job)
    sign_in(desk, "head")
    desk.goto(f"{desk.base}/dashboard/jobs/{job.pk}/notes/{note.pk}/print/")

    pdf = print_pdf(desk)
    pages = rasterise(pdf, 150, desk.shots.folder, "note")

    expected = f"{desk.base}/dashboard/notes/{note.token}/"
    assert all(
        w == pytest.approx(210.0, abs=0.5) and h == pytest.approx(297.0, abs=0.5)
        for w, h in page_size_mm(pdf)
    )
    assert [decode(p) for p in pages] == [[expected]]
    path = expected.removeprefix(desk.base)
    client.force_login(cast.clerk)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/jobs/{job.pk}/notes/#note-{note.pk}"
    assert client.get(response["Location"]).status_code == 200
    client.force_login(cast.eve)
    assert client.get(path).status_code == 404
