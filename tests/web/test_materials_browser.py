"""Supplied materials on the dashboard in a real browser (chromium, 1366×768): the firm's issue form whose
bill-of-materials rows follow the chosen line until someone types in them, and the head recording a
receipt on a job's materials page and printing its reconciliation (print media: only the sheet)."""

from __future__ import annotations

import pytest

from dispatch import services
from dispatch.models import Job
from materials import services as ledger
from materials.models import Movement
from materials.services import BomInput
from tests.conftest import tomorrow
from tests.factories import LineFactory
from tests.materials.conftest import CLOTH, D, line, report, share
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PANEL = BomInput("面板", "ge", "1", "0.5")


def rows(page) -> list[tuple[str, str]]:
    return [
        (page.input_value(f"[name=bom-{i}-material]"), page.input_value(f"[name=bom-{i}-per_piece]"))
        for i in range(page.locator("[data-bom-row]").count())
    ]


def test_the_bom_rows_follow_the_chosen_line_until_typed_in(desk, cast, issue_job):
    packing = LineFactory(firm=cast.firm, name="包装线")
    cast.pairing.lines.add(packing)
    issue_job(quantity=50, bom=[PANEL])
    services.job_issue(
        actor=cast.clerk,
        workshop=cast.ws,
        line=packing,
        title="包装",
        quantity=50,
        piece_rate=D("0.02"),
        due_on=tomorrow(),
        bom=[CLOTH, BomInput("线", "m", "0.1")],
    )
    sign_in(desk, "clerk")
    desk.goto(f"{desk.base}/dashboard/jobs/new/?line={cast.line.pk}")
    assert rows(desk)[:2] == [("面板", "1"), ("", "")]

    desk.select_option("select[name=line]", str(packing.pk))
    assert rows(desk)[:3] == [("布料", "0.35"), ("线", "0.1"), ("", "")]
    assert desk.input_value("[name=bom-0-unit]") == "m"
    desk.shots("issue-form-packing-line")

    desk.fill("[name=bom-2-material]", "纸箱")
    desk.fill("[name=bom-2-per_piece]", "0.02")
    desk.select_option("select[name=line]", str(cast.line.pk))
    assert rows(desk)[:3] == [("布料", "0.35"), ("线", "0.1"), ("纸箱", "0.02")]  # typed: kept

    desk.select_option("select[name=workshop]", str(cast.ws.pk))
    desk.fill("[name=title]", "礼盒包装")
    desk.fill("[name=quantity]", "100")
    desk.fill("[name=piece_rate]", "0.05")
    desk.fill("[name=due_on]", tomorrow().isoformat())
    desk.get_by_role("button", name="分发").click()
    desk.wait_for_url("**/dashboard/jobs/*/")
    job = Job.objects.get(title="礼盒包装")
    assert [b.material for b in job.bom_lines.order_by("id")] == ["布料", "线", "纸箱"]
    assert desk.locator("[data-table=bom] tbody tr").count() == 3
    desk.shots("job-with-bom")


def test_the_head_records_a_receipt_and_prints_the_reconciliation(desk, cast, issue_job):
    job = issue_job(quantity=100, bom=[PANEL, CLOTH])
    services.job_accept(actor=cast.head, job=job)
    ledger.material_receive(
        confirm_over=True, line=line(job, "布料"), quantity_received="36", actor=cast.head
    )
    a = share(job, cast.alice, 100)
    sign_in(desk, "head")
    desk.goto(f"{desk.base}/dashboard/jobs/{job.pk}/materials/")

    form = desk.locator("[data-move=receive]")
    form.locator("select").select_option(str(line(job, "面板").pk))
    form.locator("[name=receive-quantity]").fill("101")
    form.get_by_role("button", name="登记入库").click()
    desk.wait_for_load_state("networkidle")
    assert "面板已入库" in desk.content()
    desk.locator("[data-move=kit]").get_by_role("button", name="发料").click()
    desk.wait_for_load_state("networkidle")
    assert "已按派工给alice发料" in desk.content()
    report(a, 100)
    desk.reload()
    desk.shots("materials-page")
    assert Movement.objects.filter(job=job, kind="issue").count() == 2

    desk.goto(f"{desk.base}/dashboard/jobs/{job.pk}/materials/statement/")
    desk.emulate_media(media="print")
    assert desk.locator(".no-print").first.is_hidden()
    assert "企业来料 101 = 已耗用 100" in desk.locator("[data-equation]").first.inner_text()
    desk.shots("statement-print")
