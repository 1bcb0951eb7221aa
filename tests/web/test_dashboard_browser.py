"""The dashboard in a real browser (Debian chromium, 1366×768 and a tablet): a job taken across the flow
board from issue to inspection by firm staff and the head, the roster, and screenshots of each page
under artifacts/screenshots/<test>/.

The workers' side (accepting offers, reporting pieces) and the Celery tasks' steps (booking an
inspection) are called as services directly from the test: no Celery worker runs here, so the head's
送检 button and the firm's 验收 are what move the job, as on a day when the tasks lag behind.
"""

from __future__ import annotations

import uuid

import pytest
from PIL import Image

from dispatch import services
from dispatch.models import Assignment, AssignmentKind, AssignmentState, Inspection, Job, JobState
from tests.conftest import tomorrow
from tests.dashboard.helpers import settled_job
from tests.factories import PASSWORD, WorkerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/")


def sign_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")


def workers_do_their_shares(job: Job) -> None:
    """Each offered or accepted share is taken and reported in full, as the workers' phones would."""
    for a in (
        Assignment.objects.filter(job=job).exclude(state=AssignmentState.DONE).select_related("worker__user")
    ):
        if a.state == AssignmentState.OFFERED:
            services.assignment_accept(actor=a.worker.user, assignment=a)
        services.work_report(actor=a.worker.user, assignment=a, pieces=a.pieces_to_do, key=uuid.uuid4().hex)


def test_a_job_goes_across_the_board_from_issue_to_inspection(desk, cast, issue_job, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settled_job(cast, issue_job, pieces=(120, 80), rejected=6, title="上月的礼盒")
    photo = tmp_path / "sample.png"
    Image.new("RGB", (320, 200), (194, 65, 12)).save(photo)

    # --- the firm clerk issues a job with a photo
    sign_in(desk, "clerk")
    assert desk.locator("[data-kpi=pass] .kpi-value").inner_text() == "97.0%"
    desk.wait_for_selector("#chart-funnel svg")
    desk.shots("home-firm")
    desk.goto(desk.base + "/dashboard/board/")
    desk.click("[data-action=new-job]")
    desk.select_option("select[name=workshop]", str(cast.ws.pk))
    desk.select_option("select[name=line]", str(cast.line.pk))
    desk.fill("input[name=title]", "开关面板装配")
    desk.fill("input[name=quantity]", "300")
    desk.fill("input[name=piece_rate]", "0.0500")
    desk.fill("input[name=due_on]", tomorrow().isoformat())
    desk.fill("textarea[name=instructions]", "每50件一扎,扎票朝外。")
    desk.set_input_files("input[name=photo]", str(photo))
    desk.shots("issue-form")
    desk.click("[data-action=issue]")
    desk.wait_for_selector("[data-job-state=issued]")
    job = Job.objects.get(title="开关面板装配")
    assert job.photo.name.startswith("jobs/")
    desk.wait_for_function("() => document.querySelector('img[data-photo]').complete")
    assert desk.eval_on_selector("img[data-photo]", "img => img.naturalWidth") == 320
    desk.shots("job-issued")
    sign_out(desk)

    # --- the head sees it on the board, accepts and dispatches an edited split
    sign_in(desk, "head")
    desk.shots("home-head")
    desk.goto(desk.base + "/dashboard/board/")
    card = desk.locator(f"article[data-job='{job.pk}']")
    assert card.locator("xpath=ancestor::section[@data-column]").get_attribute("data-column") == "issued"
    desk.shots("board-issued")
    card.locator("[data-action=dispatch]").click()
    desk.wait_for_url(f"**/dashboard/jobs/{job.pk}/dispatch/")
    planned = int(desk.locator("[data-total]").inner_text())
    assert 0 < planned <= 300
    desk.click("details[data-rows=others] > summary")  # the workers the planner did not pick are folded
    desk.fill(f"#w{cast.alice.pk}", "400")
    assert desk.locator("[data-left]").inner_text() != "0"
    assert desk.locator("button[data-action=offer]").is_disabled()
    assert "超过" in desk.locator("[data-status]").inner_text()
    desk.shots("dispatch-over")
    desk.fill(f"#w{cast.alice.pk}", "200")
    desk.fill(f"#w{cast.bob.pk}", "100")
    desk.fill(f"#w{cast.carol.pk}", "0")
    assert desk.locator("[data-total]").inner_text() == "300"
    assert desk.locator("[data-left]").inner_text() == "0"
    desk.shots("dispatch-edited")
    desk.click("button[data-action=offer]")
    desk.wait_for_selector("[data-job-state=accepted]")
    offers = dict(Assignment.objects.filter(job=job).values_list("worker__name", "pieces"))
    assert offers == {"alice": 200, "bob": 100}

    # --- the workers accept and make the pieces (their phones, called as services here); the last report
    # completes the job: the board shows it ready to hand over, with no button for the head to press
    workers_do_their_shares(job)
    assert Job.objects.get(pk=job.pk).state == JobState.COMPLETED
    desk.goto(desk.base + "/dashboard/board/")
    card = desk.locator(f"article[data-job='{job.pk}']")
    assert card.locator("xpath=ancestor::section[@data-column]").get_attribute("data-column") == "completed"
    assert card.locator("[data-action=submit]").count() == 0

    # --- the head writes the lot's delivery note (送货单) and sends it
    desk.goto(desk.base + "/dashboard/board/")
    desk.locator(f"article[data-job='{job.pk}'] [data-action=notes]").click()
    desk.wait_for_url(f"**/dashboard/jobs/{job.pk}/notes/")
    desk.click("[data-action=prepare]")
    desk.wait_for_selector("[data-note-state=prepared]")
    assert desk.locator("[data-sent]").inner_text() == "300"
    desk.shots("delivery-note")
    desk.click("[data-action=send]")
    desk.wait_for_selector("[data-note-state=sent]")
    assert Job.objects.get(pk=job.pk).state == JobState.HANDED_OVER
    sign_out(desk)

    # --- the firm counts the lot in (点收): only then may it be inspected
    sign_in(desk, "clerk")
    desk.goto(desk.base + "/dashboard/board/")
    desk.locator(f"article[data-job='{job.pk}'] [data-action=receive]").click()
    desk.wait_for_url(f"**/dashboard/jobs/{job.pk}/notes/")
    desk.click("[data-action=receive]")
    desk.wait_for_selector("[data-note-state=received]")
    assert desk.locator("[data-difference]").inner_text() == "0"
    assert Job.objects.get(pk=job.pk).state == JobState.INSPECTING
    desk.shots("lot-received")

    # --- the firm inspects the lot: 10 rejected, 4 of them back to rework
    desk.goto(desk.base + "/dashboard/board/")
    desk.locator(f"article[data-job='{job.pk}'] [data-action=inspect]").click()
    desk.wait_for_url(f"**/dashboard/jobs/{job.pk}/inspect/")
    lot = desk.locator("form[data-inspect=lot]")
    lot.locator("input[name=rejected]").fill("10")
    lot.locator("input[name=rework]").fill("4")
    lot.locator("input[name=reason]").fill("线头未剪")
    desk.shots("inspect-lot")
    lot.locator("[data-action=inspect-lot]").click()
    desk.wait_for_selector("[data-job-state=inspected]")
    split = {
        a.worker.name: (a.pieces_passed, a.pieces_rejected)
        for a in Assignment.objects.filter(job=job, kind=AssignmentKind.FIRST).select_related("worker")
    }
    assert split == {"alice": (193, 7), "bob": (97, 3)}

    # --- booking (the book_inspection task's body) sends 3 + 1 pieces back as rework
    services.inspection_book(inspection=Inspection.objects.get(job=job))
    rework = dict(
        Assignment.objects.filter(job=job, kind=AssignmentKind.REWORK).values_list("worker__name", "pieces")
    )
    assert rework == {"alice": 3, "bob": 1}
    workers_do_their_shares(job)
    sign_out(desk)

    # --- the head sends the reworked pieces; the firm inspects them per assignment; pay is settled
    sign_in(desk, "head")
    desk.goto(desk.base + f"/dashboard/jobs/{job.pk}/")
    desk.wait_for_selector("[data-job-state=completed]")  # the last rework report completed it
    desk.click("[data-action=notes]")
    desk.click("[data-action=prepare]")
    desk.wait_for_selector("[data-note-state=prepared]")
    desk.click("[data-action=send]")
    desk.wait_for_selector("[data-job-state=handed_over]")
    sign_out(desk)
    sign_in(desk, "clerk")
    desk.goto(desk.base + f"/dashboard/jobs/{job.pk}/notes/")
    desk.click(f"[data-note='{job.delivery_notes.get(lot=2).pk}'] [data-action=receive]")
    desk.wait_for_selector("[data-job-state=inspecting]")
    desk.goto(desk.base + f"/dashboard/jobs/{job.pk}/inspect/")
    assert desk.locator("form[data-inspect=assignment] tbody tr").count() == 2
    desk.click("[data-action=inspect-assignments]")
    desk.wait_for_selector("[data-job-state=inspected]")
    services.inspection_book(inspection=Inspection.objects.filter(job=job).latest("pk"))
    desk.reload()
    assert desk.locator("[data-job-state]").get_attribute("data-job-state") == JobState.SETTLED
    assert desk.locator("ol.timeline li").count() >= 15
    desk.shots("job-settled-timeline")
    desk.goto(desk.base + "/dashboard/board/")
    desk.shots("board-firm")


def test_the_head_finds_a_worker_sets_a_pin_and_prints_a_sign_in_qr(desk, cast, issue_job):
    WorkerFactory(workshop=cast.ws, name="张晓明", phone="+8613900004321")
    WorkerFactory(workshop=cast.ws, name="李娜")
    settled_job(cast, issue_job, pieces=(60, 40))
    sign_in(desk, "head")
    desk.goto(desk.base + "/dashboard/workers/")
    assert desk.locator("[data-worker]").count() == 5
    desk.shots("roster")
    desk.fill(".dash-main input[name=q]", "zxm")  # the roster's own box, not the search box in the nav
    desk.get_by_role("button", name="搜索").click()
    assert desk.locator("[data-worker]").all_inner_texts()[0].startswith("张晓明")
    assert desk.locator("[data-worker]").count() == 1
    desk.fill(".dash-main input[name=q]", "4321")
    desk.get_by_role("button", name="搜索").click()
    assert desk.locator("[data-worker]").count() == 1
    assert "低收入" not in desk.content()
    desk.shots("roster-search")
    desk.locator("[data-worker] a").first.click()
    desk.click("[data-action=random-pin]")
    assert "新 PIN 是" in desk.locator("ul.messages").inner_text()
    desk.shots("worker-page")
    with desk.context.expect_page() as popup:
        desk.click("[data-action=print-qr]")
    qr = popup.value
    qr.wait_for_load_state()
    assert qr.locator("[data-qr] svg").count() == 1
    assert "/m/t/" in qr.locator(".qr-url").inner_text()
    qr.screenshot(path=str(desk.shots.folder / "qr-sheet.png"), full_page=True)


def test_the_board_and_home_fit_a_tablet(desk, cast, issue_job):
    settled_job(cast, issue_job, pieces=(60, 40))
    issue_job(title="待接单的活")
    desk.set_viewport_size({"width": 820, "height": 1180})
    sign_in(desk, "head")
    desk.wait_for_selector("#chart-funnel svg")
    overflow = desk.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    desk.shots("home-tablet")
    desk.goto(desk.base + "/dashboard/board/")
    overflow = desk.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0  # the board scrolls inside itself, the page does not
    desk.shots("board-tablet")


@pytest.mark.celery
def test_an_export_runs_on_the_worker_while_the_page_shows_its_progress(
    desk, celery_worker, settings, tmp_path
):
    from lab import benchdata

    settings.MEDIA_ROOT = tmp_path
    world = benchdata.make_pay_lines(lines=3000, workers=50)
    world.head.set_password(PASSWORD)
    world.head.save()
    sign_in(desk, world.head.username)
    desk.goto(desk.base + "/dashboard/exports/")
    desk.select_option("select[name=kind]", "pay_lines")
    desk.fill("input[name=start]", world.start.isoformat())
    desk.click("[data-action=export]")
    desk.wait_for_url("**/dashboard/exports/*/")
    desk.wait_for_selector("[data-download]:not([hidden])", timeout=120_000)
    assert "3000 / 3000" in desk.locator("[data-label]").inner_text()
    assert desk.locator(".progress").get_attribute("aria-valuenow") == "100"
    desk.shots("export-done")
    with desk.expect_download() as download:
        desk.click("[data-download]")
    assert download.value.suggested_filename.endswith(".xlsx")
    benchdata.delete_world(world)
