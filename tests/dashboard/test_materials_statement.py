"""The reconciliation (物料对账单) of a job, printed and as xlsx, and the firm's view of its materials across
jobs: from the firm = consumed + returned to the firm + scrapped + lost, plus what is still out while the
job is not reconciled; worker rows for the head and the community admin, totals for the firm."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from dispatch import services
from materials import services as ledger
from materials.services import BomInput
from tests.materials.conftest import CLOTH, inspect_and_book, line, report, share
from tests.pages import without_tokens

PANEL = BomInput("面板", "ge", "1", "0.5")


@pytest.fixture
def closed_job(cast, issue_job):
    """200 panels of cloth work: alice reconciled to the last panel, bob still holding 6 panels, 1 in the
    store (the kits, rounded on the running total, took 101 + 100 of the 210)."""
    job = issue_job(quantity=200, bom=[PANEL, CLOTH], title="开关面板装配")
    services.job_accept(actor=cast.head, job=job)
    panel, cloth = line(job, "面板"), line(job, "布料")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=210, actor=cast.head)
    ledger.material_receive(confirm_over=True, line=cloth, quantity_received="72", actor=cast.head)
    a, b = share(job, cast.alice, 100), share(job, cast.bob, 100)
    ledger.kit_issue(assignment=a, actor=cast.head)  # 101 and 100 panels, 35.7 m each
    ledger.kit_issue(assignment=b, actor=cast.head)
    report(a, 100)
    report(b, 100)
    ledger.material_return(line=panel, worker=cast.alice, quantity_returned=1, actor=cast.head)
    ledger.material_scrap(
        line=cloth, worker=cast.alice, quantity_scrapped="0.7", actor=cast.head, reason="污"
    )
    ledger.material_write_off(line=cloth, worker=cast.bob, actor=cast.head)
    ledger.material_issue(line=panel, worker=cast.bob, quantity_issued=6, actor=cast.head, reason="备用")
    ledger.material_return_to_firm(line=panel, quantity_returned=3, actor=cast.head)
    ledger.material_return_to_firm(line=cloth, quantity_returned="0.6", actor=cast.head)
    inspect_and_book(cast, job, {a.pk: (100, 0, 0), b.pk: (98, 2, 0)})
    return job


def test_the_printed_statement_adds_up_for_each_material(client, cast, closed_job):
    client.force_login(cast.head)
    html = client.get(f"/dashboard/jobs/{closed_job.pk}/materials/statement/").content.decode()

    equations = [re.sub(r"\s+", " ", e).strip() for e in re.findall(r"data-equation>(.*?)</p>", html, re.S)]
    # Panels: 210 = 200 used + 3 back to the firm + 0 + 0 + store 1 + bob's 6 still out.
    assert (
        equations[0]
        == "企业来料 210 = 已耗用 200 + 退回企业 3 + 报废 0 + 核销损耗 0 + 仓库结存 1 + 坊工手上 6"
    )
    # Cloth: 72 = 70 used + 0.6 back + 0.7 scrapped + 0.7 written off; nothing out: reconciled.
    assert equations[1] == "企业来料 72 = 已耗用 70 + 退回企业 0.6 + 报废 0.7 + 核销损耗 0.7"
    assert html.count('data-reconciled="no"') == 1 and html.count('data-reconciled="yes"') == 1
    assert "bob" in html and "alice" in html and "@page" not in html
    assert "materials.css" in html


def test_the_firm_prints_the_statement_in_totals(client, cast, closed_job):
    client.force_login(cast.clerk)
    html = client.get(f"/dashboard/jobs/{closed_job.pk}/materials/statement/").content.decode()

    assert "坊工手上 6" in html
    assert (
        "bob" not in without_tokens(html)
        and "alice" not in without_tokens(html)
        and "statement-workers" not in html
    )


def test_the_statement_downloads_as_xlsx_with_the_same_figures(client, cast, closed_job):
    client.force_login(cast.head)
    response = client.get(f"/dashboard/jobs/{closed_job.pk}/materials/statement.xlsx")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:6] == ["物料", "单位", "行", "坊工", "应来料(含损耗)", "企业来料"]
    col = {name: i for i, name in enumerate(header)}
    panel_total = next(r for r in rows if r[0] == "面板" and r[2] == "合计")
    figures = [panel_total[col[name]] for name in ("企业来料", "已耗用", "退回企业", "坊工手上")]
    assert figures == [210, 200, 3, 6]
    assert panel_total[col["对账"]] == "未对平"
    bob_cloth = next(r for r in rows if r[0] == "布料" and r[3] == "bob")
    assert bob_cloth[col["核销损耗"]] == pytest.approx(0.7)


def test_the_firms_xlsx_has_no_workers_rows(client, cast, closed_job):
    client.force_login(cast.clerk)
    response = client.get(f"/dashboard/jobs/{closed_job.pk}/materials/statement.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()][1:]
    assert [r[2] for r in rows] == ["合计", "合计"]


def test_a_material_name_that_looks_like_a_formula_stays_text(client, cast, issue_job):
    job = issue_job(quantity=10, bom=[BomInput("=HYPERLINK(1)", "ge", "1")])
    client.force_login(cast.clerk)
    response = client.get(f"/dashboard/jobs/{job.pk}/materials/statement.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=2, column=1).value == "'=HYPERLINK(1)"


def test_the_firm_sees_its_materials_across_jobs_in_totals(client, cast, closed_job, issue_job):
    issue_job(quantity=50, title="没有物料")  # a job without materials is not listed
    other = issue_job(quantity=50, bom=[PANEL], title="新单")
    client.force_login(cast.clerk)

    html = client.get("/dashboard/materials/").content.decode()

    assert html.count("<tr data-job=") == 3  # closed job's 2 materials + the new job's 1
    assert "没有物料" not in html and "新单" in html
    assert "bob" not in without_tokens(html) and "alice" not in without_tokens(html)
    still_out = re.findall(rf'<tr data-job="{closed_job.pk}".*?data-fig="still_out">([^<]*)<', html, re.S)
    assert still_out == ["7", "0"]
    only_open = client.get("/dashboard/materials/?open=1").content.decode()
    assert f'data-job="{closed_job.pk}"' in only_open and f'data-job="{other.pk}"' not in only_open


def test_another_firm_sees_none_of_these_materials(client, cast, closed_job):
    client.force_login(cast.eve)
    html = client.get("/dashboard/materials/").content.decode()
    assert "data-job=" not in html
    assert client.get(f"/dashboard/jobs/{closed_job.pk}/materials/statement.xlsx").status_code == 404


def test_a_job_whose_materials_never_came_is_not_reconciled_and_a_declined_one_lacks_nothing(
    client, cast, issue_job
):
    """A new job's materials have not come: not "reconciled" (nothing is out because nothing came) but
    "not yet arrived"; a declined job needs none, so it is short of none."""
    waiting = issue_job(quantity=50, bom=[PANEL], title="新单")
    refused = issue_job(quantity=50, bom=[PANEL], title="拒掉的单")
    services.job_decline(actor=cast.head, job=refused, reason="人手不够")
    client.force_login(cast.clerk)

    html = client.get("/dashboard/materials/").content.decode()

    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr data-job="(\d+)".*?</tr>', html, re.S)}
    for job in (waiting, refused):
        assert (
            'data-reconciled="none"' in rows[str(job.pk)] and 'data-reconciled="yes"' not in rows[str(job.pk)]
        )
    assert "还差" in rows[str(waiting.pk)] and "还差" not in rows[str(refused.pk)]


def test_a_jobs_own_materials_page_and_statement_say_not_arrived_before_any_came(client, cast, issue_job):
    """The job's materials page and its statement read as the list does (a trial saw 已对平 beside 还差 244.8
    on a job whose materials had not come)."""
    waiting = issue_job(quantity=50, bom=[PANEL], title="新单")
    client.force_login(cast.head)

    for url in (
        f"/dashboard/jobs/{waiting.pk}/materials/",
        f"/dashboard/jobs/{waiting.pk}/materials/statement/",
    ):
        html = client.get(url).content.decode()
        assert 'data-reconciled="none"' in html and 'data-reconciled="yes"' not in html, url
        assert "未到料" in html
